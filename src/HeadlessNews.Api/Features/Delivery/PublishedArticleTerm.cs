using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>
/// One thing a published article is filed under or uses (<c>tag:</c>, <c>place:</c> or <c>author:</c> and a slug,
/// <c>quote:</c> or <c>source:</c> and an id), with the article's visibility, in time order per term. A trigger on the
/// read model keeps the table (see the ArchiveListTerms and ReferenceUsageTerms migrations), so it is read, never written.
/// Whether anything visible uses a term, and the newest articles that do, is a few index entries however many use it.
/// </summary>
public sealed class PublishedArticleTerm
{
    public required string Term { get; init; }
    public DateTimeOffset VisibleFrom { get; init; }
    public Guid ArticleId { get; init; }

    /// <summary>How the terms of a <paramref name="kind"/> (author, quote, source…) begin: <c>quote:</c> and the quote's id.</summary>
    public static string Prefix(string kind) => kind + ":";

    /// <summary>The terms of the articles visible at <paramref name="now"/>.</summary>
    public static IQueryable<PublishedArticleTerm> VisibleAt(HeadlessNewsDbContext db, DateTimeOffset now) =>
        db.Set<PublishedArticleTerm>().Where(t => t.VisibleFrom <= now);

    /// <summary>
    /// SQL: whether an article visible at <paramref name="now"/> has the term of a <paramref name="kind"/> and
    /// <paramref name="value"/> (SQL text): one probe of the table's index, however many articles have it.
    /// </summary>
    public static string VisibleSql(string kind, string value, string now) =>
        $"EXISTS (SELECT 1 FROM published_article_terms t WHERE t.term = '{Prefix(kind)}' || {value} AND t.term_visible_from <= {now})";
}

internal sealed class PublishedArticleTermConfiguration : IEntityTypeConfiguration<PublishedArticleTerm>
{
    public void Configure(EntityTypeBuilder<PublishedArticleTerm> builder)
    {
        builder.ToTable("published_article_terms", table => table.ExcludeFromMigrations());
        builder.HasKey(t => new { t.Term, t.VisibleFrom, t.ArticleId });
        builder.Property(t => t.VisibleFrom).HasColumnName("term_visible_from");
        builder.Property(t => t.ArticleId).HasColumnName("term_article_id");
    }
}
