using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Features.Articles;

/// <summary>
/// Someone has an article open in an editor: their last heartbeat. Kept in the database so every node sees the same
/// editors; a row older than <see cref="ArticlePresenceEndpoints.StaleAfter"/> means nothing and is removed on the next heartbeat.
/// </summary>
public sealed class ArticlePresence
{
    public Guid ArticleId { get; set; }
    /// <summary>Who: <c>person:{issuer} {subject}</c>, or <c>key:{id} {X-On-Behalf-Of}</c> for an editorial tool using a key.</summary>
    public required string Editor { get; set; }
    public required string Name { get; set; }
    /// <summary>When this editing session began (the first heartbeat after a gap longer than the stale limit).</summary>
    public DateTimeOffset Since { get; set; }
    public DateTimeOffset SeenAt { get; set; }
}

internal sealed class ArticlePresenceConfiguration : IEntityTypeConfiguration<ArticlePresence>
{
    public void Configure(EntityTypeBuilder<ArticlePresence> builder)
    {
        builder.ToTable("article_presence");
        builder.HasKey(p => new { p.ArticleId, p.Editor });
        builder.Property(p => p.Editor).HasMaxLength(1200);
        builder.Property(p => p.Name).HasMaxLength(420);
        builder.HasOne<Article>().WithMany().HasForeignKey(p => p.ArticleId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <param name="Since">When they started editing (their first heartbeat in this session).</param>
public sealed record PresentEditor(string Name, DateTimeOffset Since);

/// <param name="Others">Everyone else who sent a heartbeat for this article in the last 60 seconds.</param>
public sealed record PresenceResponse(IReadOnlyList<PresentEditor> Others);

public static class ArticlePresenceEndpoints
{
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(60);

    public static RouteGroupBuilder MapArticlePresence(this RouteGroupBuilder manage)
    {
        manage.MapPut("/articles/{id:guid}/presence", Heartbeat).WithTags("Articles").WithName("ArticlePresenceHeartbeat")
            .WithSummary("Say you are editing the article (a heartbeat every 30 s or less, no body, no If-Match); answers who else is. If-Match stays the guarantee against lost updates.")
            .RequireAuthorization(Scopes.Policies.ContentRead)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return manage;
    }

    private static async Task<Results<Ok<PresenceResponse>, ProblemHttpResult>> Heartbeat(
        Guid id, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!await db.Set<Article>().AnyAsync(a => a.Id == id, cancellationToken))
        {
            return Problems.NotFound($"No article has id {id}.");
        }
        var caller = Caller.From(http);
        var editor = caller.Person is { } person ? $"person:{person.Issuer} {person.Subject}" : $"key:{caller.KeyId} {caller.OnBehalfOf}";
        var now = clock.Now();
        var staleBefore = now - StaleAfter;
        // One statement: a session that went stale starts again from now; otherwise only the heartbeat moves.
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO article_presence (article_id, editor, name, since, seen_at) VALUES ({id}, {editor}, {caller.Describe()}, {now}, {now})
            ON CONFLICT (article_id, editor) DO UPDATE SET name = excluded.name, seen_at = excluded.seen_at,
                since = CASE WHEN article_presence.seen_at < {staleBefore} THEN excluded.since ELSE article_presence.since END
            """, cancellationToken);
        await db.Set<ArticlePresence>().Where(p => p.ArticleId == id && p.SeenAt < staleBefore).ExecuteDeleteAsync(cancellationToken);
        var others = await db.Set<ArticlePresence>().AsNoTracking()
            .Where(p => p.ArticleId == id && p.Editor != editor && p.SeenAt >= staleBefore)
            .OrderBy(p => p.Since)
            .Select(p => new PresentEditor(p.Name, p.Since))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new PresenceResponse(others));
    }
}
