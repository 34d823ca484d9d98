using HeadlessNews.Api.Features.Quotes;
using HeadlessNews.Api.Features.Sources;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>
/// Quotes and sources carry <c>in_use</c>: whether any published article (visible or not yet) uses them. The read
/// model's terms trigger flips it when the first use comes or the last goes (see the QuotesAndSourcesInUse migration),
/// so delivery's newest-first lists walk a partial index of the used ones, each checked for a visible use with one
/// probe of the terms, instead of sorting every quote or source to find the twenty newest in use.
/// </summary>
internal static class InUse
{
    private const string Column = "InUse";

    /// <summary>Those (of a <paramref name="kind"/>: quote or source) that an article visible at <paramref name="now"/> uses.</summary>
    public static IQueryable<T> UsedAt<T>(this IQueryable<T> entities, HeadlessNewsDbContext db, string kind, DateTimeOffset now) where T : class, IVersioned
    {
        var visible = PublishedArticleTerm.VisibleAt(db, now);
        var termPrefix = PublishedArticleTerm.Prefix(kind);
        return entities.Where(e => EF.Property<bool>(e, Column) && visible.Any(t => t.Term == termPrefix + e.Id.ToString()));
    }

    /// <summary>The flag (written by the database only) and the newest-first index of the rows it is set on.</summary>
    public static void Configure<T>(EntityTypeBuilder<T> builder, string table) where T : class, ICreatedVersioned
    {
        var flag = builder.Property<bool>(Column).HasDefaultValue(false).Metadata;
        flag.SetBeforeSaveBehavior(PropertySaveBehavior.Ignore);
        flag.SetAfterSaveBehavior(PropertySaveBehavior.Ignore);
        builder.HasIndex(nameof(ICreatedVersioned.CreatedAt), nameof(IVersioned.Id)).IsDescending().HasFilter("in_use")
            .HasDatabaseName($"ix_{table}_in_use_newest");
    }
}

internal sealed class QuoteInUse : IEntityTypeConfiguration<Quote>
{
    public void Configure(EntityTypeBuilder<Quote> builder) => InUse.Configure(builder, "quotes");
}

internal sealed class SourceInUse : IEntityTypeConfiguration<Source>
{
    public void Configure(EntityTypeBuilder<Source> builder) => InUse.Configure(builder, "sources");
}
