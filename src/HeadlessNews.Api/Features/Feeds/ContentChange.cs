using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Features.Delivery;
using HeadlessNews.Api.Features.Notices;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Features.Feeds;

/// <summary>
/// One entry of the partner change feed: a resource became visible or changed (upsert) or stopped being
/// visible (delete). Written when the causing event comes due, so a scheduled publication appears at its time.
/// </summary>
public sealed class ContentChange
{
    public long Sequence { get; set; }
    /// <summary>The writing transaction; readers order by (transaction, sequence) and stop below running transactions.</summary>
    public ulong TransactionId { get; set; }
    public required string Op { get; set; }
    public required string ResourceType { get; set; }
    public Guid ResourceId { get; set; }
    public string? Slug { get; set; }
    public int Version { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>An article's section and tags when the entry was recorded: which limited partners it concerns.</summary>
    public Guid? SectionId { get; set; }
    public Guid[] TagIds { get; set; } = [];
}

internal sealed class ContentChangeConfiguration : IEntityTypeConfiguration<ContentChange>
{
    public void Configure(EntityTypeBuilder<ContentChange> builder)
    {
        builder.ToTable("content_changes");
        builder.HasKey(c => c.Sequence);
        builder.Property(c => c.Sequence).UseIdentityAlwaysColumn();
        builder.Property(c => c.TransactionId).HasColumnType("xid8").HasDefaultValueSql("pg_current_xact_id()").ValueGeneratedOnAdd();
        builder.Property(c => c.Op).HasMaxLength(8);
        builder.Property(c => c.ResourceType).HasMaxLength(32);
        builder.Property(c => c.TagIds).HasDefaultValueSql("'{}'");
        builder.HasIndex(c => new { c.TransactionId, c.Sequence });
        builder.HasIndex(c => new { c.ResourceId, c.TransactionId, c.Sequence });
    }
}

/// <summary>The change feed's upserts for articles and notices changed through what they show (see <see cref="IContentShownAgain"/>).</summary>
internal sealed class ChangeFeedUpserts : IContentShownAgain
{
    public async Task RecordArticlesAsync(HeadlessNewsDbContext db, IReadOnlyCollection<Guid> articleIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (articleIds.Count == 0)
        {
            return;
        }
        var ids = articleIds.ToArray();
        var shown = await db.Set<Article>().AsNoTracking().Where(a => ids.Contains(a.Id)).Where(ArticleVisibility.VisibleAt(now))
            .Select(a => new { a.Id, a.Slug, a.Version, a.SectionId, Tags = a.Tags.Select(t => t.TagId).ToArray() })
            .ToListAsync(cancellationToken);
        if (shown.Count == 0)
        {
            return;
        }
        db.Set<ContentChange>().AddRange(shown.Select(a => new ContentChange
        {
            Op = "upsert", ResourceType = ArticleWrites.ResourceType, ResourceId = a.Id, Slug = a.Slug, Version = a.Version, At = now,
            SectionId = a.SectionId, TagIds = a.Tags,
        }));
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task RecordNoticesAsync(HeadlessNewsDbContext db, IReadOnlyCollection<Guid> noticeIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (noticeIds.Count == 0)
        {
            return;
        }
        var ids = noticeIds.ToArray();
        var shown = await db.Set<Notice>().AsNoTracking().Where(n => ids.Contains(n.Id) && n.Status == NoticeStatus.Published)
            .Select(n => new { n.Id, n.Version }).ToListAsync(cancellationToken);
        db.Set<ContentChange>().AddRange(shown.Select(n => new ContentChange
        {
            Op = "upsert", ResourceType = Notice.ResourceType, ResourceId = n.Id, Version = n.Version, At = now,
        }));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>When the newest change-feed entry was recorded: a feed changes when an item leaves it or changes through what it shows, not only when an item's own date moves.</summary>
    public static Task<DateTimeOffset?> LatestAsync(HeadlessNewsDbContext db, CancellationToken cancellationToken) =>
        db.Set<ContentChange>().OrderByDescending(c => c.Sequence).Select(c => (DateTimeOffset?)c.At).FirstOrDefaultAsync(cancellationToken);
}
