using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Features.Delivery;

public enum RelabelledKind
{
    Section,
    Author,
}

/// <summary>
/// A renamed (or re-slugged) section or author whose published articles are not all relabelled yet. Written in the
/// rename's transaction, so a rename that committed is always finished: by the rename itself when one batch covers every
/// article, otherwise batch by batch by <see cref="ReadModelRelabeller"/> on any node, each batch its own short
/// transaction that moves <see cref="AfterArticleId"/> on, and the last removes the row. Other writes to those articles
/// wait for one batch at most, never for the whole rename.
/// </summary>
public sealed class ReadModelRelabel
{
    public long Id { get; set; }
    public RelabelledKind Kind { get; set; }
    public Guid TargetId { get; set; }
    public required string OldSlug { get; set; }
    public required string NewSlug { get; set; }
    /// <summary>The serialised object the prepared JSON shows before the rename, replaced by <see cref="NewJson"/>.</summary>
    public required string OldJson { get; set; }
    public required string NewJson { get; set; }
    /// <summary>Articles are walked in id order: those up to this one are done.</summary>
    public Guid AfterArticleId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Relabels the next <paramref name="batchSize"/> articles using the target (published or not, in id order) and
    /// renders again those in other languages, which may show a translated name the text replace cannot find. Returns
    /// the published articles it changed and whether any article is left.
    /// </summary>
    public async Task<(List<Guid> Changed, bool More)> RunBatchAsync(HeadlessNewsDbContext db, int batchSize, CancellationToken cancellationToken)
    {
        var (articlesUsing, setSlug) = Kind switch
        {
            RelabelledKind.Section => ("SELECT id FROM articles WHERE section_id = {0} AND id > {1} ORDER BY id LIMIT {2}", "section_slug = {3}"),
            _ => ("SELECT article_id FROM article_authors WHERE author_id = {0} AND article_id > {1} ORDER BY article_id LIMIT {2}",
                "author_slugs = array_replace(author_slugs, {4}, {3})"),
        };
        // The prepared JSON holds exactly the old serialised object (a key no other object has), so replacing its text is
        // the same as rendering again. Both fragments are constants of this class; every value is a parameter.
        var sql = $$"""
            WITH batch(id) AS MATERIALIZED ({{articlesUsing}}),
            relabelled AS (
                UPDATE published_articles SET {{setSlug}},
                    summary_json = replace(summary_json, {5}, {6}),
                    summary_with_body_json = replace(summary_with_body_json, {5}, {6}),
                    document_json = replace(document_json, {5}, {6})
                WHERE article_id IN (SELECT id FROM batch) AND ({3} <> {4} OR {5} <> {6})
            )
            SELECT batch.id AS "Id", published.language AS "Language"
            FROM batch LEFT JOIN published_articles published ON published.article_id = batch.id
            ORDER BY batch.id
            """;
        var articles = await db.Database.SqlQueryRaw<BatchArticle>(sql, TargetId, AfterArticleId, batchSize, NewSlug, OldSlug, OldJson, NewJson)
            .ToListAsync(cancellationToken);
        if (articles.Count > 0)
        {
            AfterArticleId = articles[^1].Id;
        }
        var published = articles.Where(a => a.Language is not null).ToList();
        await ArticleReadModel.RefreshAsync(db, [.. published.Where(a => a.Language != Languages.Default).Select(a => a.Id)], cancellationToken);
        return ([.. published.Select(a => a.Id)], articles.Count == batchSize);
    }

    private sealed record BatchArticle(Guid Id, string? Language);
}

internal sealed class ReadModelRelabelConfiguration : IEntityTypeConfiguration<ReadModelRelabel>
{
    public void Configure(EntityTypeBuilder<ReadModelRelabel> builder)
    {
        builder.ToTable("read_model_relabels");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Kind).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(r => new { r.Kind, r.TargetId });
    }
}
