using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Infrastructure.Events;

/// <summary>
/// The transactional outbox: one row per content change, written in the same transaction as the change.
/// Webhook dispatch and the partner change feed both read it. A row whose <see cref="DueAt"/> is in the
/// future (a scheduled publication) takes effect only from then.
/// </summary>
public sealed class ContentEvent
{
    /// <summary>UUID v7; also the webhook message id, stable across retries.</summary>
    public Guid Id { get; set; }
    /// <summary>Commit-ordering helper: assigned by the database at insert.</summary>
    public long Sequence { get; set; }
    /// <summary>The inserting transaction (<c>pg_current_xact_id()</c>), so readers can stop below still-running transactions.</summary>
    public ulong TransactionId { get; set; }
    /// <summary>e.g. <c>article.published</c> (see <see cref="ContentEventTypes"/>).</summary>
    public required string Type { get; set; }
    /// <summary><c>article</c>, <c>notice</c>, <c>quote</c>, <c>source</c> or <c>tip</c>.</summary>
    public required string ResourceType { get; set; }
    public Guid ResourceId { get; set; }
    public string? Slug { get; set; }
    /// <summary>An article's language (BCP-47), so subscribers can tell the editions of one story apart.</summary>
    public string? Language { get; set; }
    public int Version { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    /// <summary>When the event takes effect: now, or a scheduled publishAt/embargo.</summary>
    public DateTimeOffset DueAt { get; set; }
    /// <summary>Set once the dispatcher has fanned the event out to webhook subscriptions.</summary>
    public DateTimeOffset? DispatchedAt { get; set; }
    /// <summary>Set once the change feed has recorded the event (when it came due).</summary>
    public DateTimeOffset? ChangeRecordedAt { get; set; }
    /// <summary>Who made the change (webhook payloads carry it); null for the command line and background work.</summary>
    public EventActor? Actor { get; set; }
    /// <summary>
    /// The payload's <c>data</c> (JSON) for an event that is not about one resource (an import's counts); null for the
    /// others, whose thin data the dispatcher builds.
    /// </summary>
    public string? Data { get; set; }
}

/// <param name="Kind">key or person.</param>
/// <param name="Subject">For a person: the subject their identity provider gives them.</param>
/// <param name="Issuer">For a person: the identity provider (token issuer).</param>
public sealed record EventActor(string Kind, string Name, string? KeyPrefix, string? Subject, string? Issuer)
{
    public static EventActor? From(HttpContext context)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return null;
        }
        var caller = Caller.From(context);
        return new EventActor(caller.Kind, caller.Describe(), context.User.FindFirstValue(ApiKeyAuthenticationHandler.KeyPrefixClaim),
            caller.Person?.Subject, caller.Person?.Issuer);
    }
}

/// <summary>
/// Stamps the events a request writes with who made it, whichever feature wrote them, so no write path has to carry
/// the caller down to where its events are recorded.
/// </summary>
internal sealed class EventActorInterceptor(IHttpContextAccessor http) : SaveChangesInterceptor
{
    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context && http.HttpContext is { } request)
        {
            foreach (var added in context.ChangeTracker.Entries<ContentEvent>().Where(e => e.State == EntityState.Added && e.Entity.Actor is null))
            {
                added.Entity.Actor = EventActor.From(request);
            }
        }
        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }
}

public static class ContentEventTypes
{
    public const string ArticlePublished = "article.published";
    public const string ArticleUpdated = "article.updated";
    public const string ArticleUnpublished = "article.unpublished";
    public const string ArticleArchived = "article.archived";
    public const string NoticePublished = "notice.published";
    public const string NoticeUpdated = "notice.updated";
    public const string NoticeWithdrawn = "notice.withdrawn";
    public const string QuoteUpdated = "quote.updated";
    public const string SourceUpdated = "source.updated";
    public const string AssetUpdated = "asset.updated";
    public const string TipReceived = "tip.received";
    public const string ImportCompleted = "import.completed";
    public const string LiveBlogEntryCreated = "liveblog.entry.created";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        ArticlePublished, ArticleUpdated, ArticleUnpublished, ArticleArchived,
        NoticePublished, NoticeUpdated, NoticeWithdrawn, QuoteUpdated, SourceUpdated, AssetUpdated, TipReceived, ImportCompleted,
        LiveBlogEntryCreated,
    };
}

public static class ContentEventLog
{
    /// <summary>
    /// Adds an event to the context; it commits with the caller's SaveChanges. A bulk write's event for now is marked as
    /// dispatched, so webhooks skip it (the writer records one summary event); a scheduled one still fires when due.
    /// </summary>
    public static ContentEvent Record(this DbContext db, TimeProvider clock, string type, string resourceType, Guid resourceId, string? slug, int version, DateTimeOffset? dueAt = null)
    {
        var now = clock.GetUtcNow();
        var due = dueAt is { } at && at > now ? at : now;
        var contentEvent = new ContentEvent
        {
            Id = Guid.CreateVersion7(),
            Type = type,
            ResourceType = resourceType,
            ResourceId = resourceId,
            Slug = slug,
            Version = version,
            OccurredAt = now,
            DueAt = due,
            DispatchedAt = due == now && BulkWrites.IsActive(db) ? now : null,
        };
        db.Set<ContentEvent>().Add(contentEvent);
        return contentEvent;
    }
}

internal sealed class ContentEventConfiguration : IEntityTypeConfiguration<ContentEvent>
{
    public void Configure(EntityTypeBuilder<ContentEvent> builder)
    {
        builder.ToTable("content_events");
        builder.Property(e => e.Sequence).UseIdentityAlwaysColumn();
        builder.HasAlternateKey(e => e.Sequence);
        builder.Property(e => e.TransactionId).HasColumnType("xid8").HasDefaultValueSql("pg_current_xact_id()").ValueGeneratedOnAdd();
        builder.Property(e => e.Type).HasMaxLength(64);
        builder.Property(e => e.ResourceType).HasMaxLength(32);
        builder.Property(e => e.Language).HasMaxLength(35);
        builder.HasIndex(e => e.DueAt).HasFilter("dispatched_at IS NULL");
        builder.HasIndex(e => e.DueAt).HasDatabaseName("ix_content_events_due_at_change_pending").HasFilter("change_recorded_at IS NULL");
        builder.HasIndex(e => new { e.ResourceType, e.ResourceId });
        builder.Property(e => e.Data).HasColumnType("jsonb");
        builder.Property(e => e.Actor).HasColumnType("jsonb").HasConversion(
            actor => JsonSerializer.Serialize(actor, JsonSerializerOptions.Web),
            json => JsonSerializer.Deserialize<EventActor>(json, JsonSerializerOptions.Web));
    }
}
