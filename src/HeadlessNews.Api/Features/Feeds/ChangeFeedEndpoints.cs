using System.Globalization;
using System.Security.Claims;
using HeadlessNews.Api.Features.Articles;

namespace HeadlessNews.Api.Features.Feeds;

public sealed record ChangeEntry(long Seq, string Op, string Resource, Guid Id, string? Slug, int Version, DateTimeOffset At);

/// <param name="Next">Pass as <c>since</c> on the next poll; it never moves backwards.</param>
/// <param name="HasMore">True when more entries are ready now (poll again at once).</param>
public sealed record ChangePage(IReadOnlyList<ChangeEntry> Items, string Next, bool HasMore);

public static class ChangeFeedEndpoints
{
    private const int PageSize = 500;
    private const string TokenPurpose = "change-feed";

    public static IEndpointRouteBuilder MapChangeFeed(this IEndpointRouteBuilder v1)
    {
        v1.MapGet("/changes", ListChanges).WithTags("Syndication").RequireAuthorization(Scopes.Policies.FeedsPartner)
            .WithName("ListChanges")
            .WithSummary("Everything that became visible, changed or stopped being visible since the token, in order (partners).");
        return v1;
    }

    private sealed record Position(string T, long S);

    /// <summary>
    /// Entries are ordered by (writing transaction, sequence) and only read below the oldest transaction still
    /// running, so an entry can never appear behind a token already handed out: a poller never misses one.
    /// </summary>
    private static async Task<Results<Ok<ChangePage>, ProblemHttpResult>> ListChanges(
        string? since, int? limit, HttpContext http, HeadlessNewsDbContext db, TokenSigner signer, CancellationToken cancellationToken)
    {
        var take = limit ?? PageSize;
        if (take is < 1 or > PageSize)
        {
            return Problems.Validation("limit", $"limit must be between 1 and {PageSize}.");
        }
        var position = new Position("0", 0);
        if (!string.IsNullOrEmpty(since))
        {
            if (!signer.TryRead(TokenPurpose, since, out Position? read) || read is null || !ulong.TryParse(read.T, CultureInfo.InvariantCulture, out _))
            {
                return Problems.Validation("since", "The token is not one this API issued; start again without it.");
            }
            position = read;
        }

        var rows = await db.Set<ContentChange>().FromSql($"""
                SELECT * FROM content_changes
                WHERE (transaction_id, sequence) > ({position.T}::xid8, {position.S})
                  AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY transaction_id, sequence
                LIMIT {take + 1}
                """)
            .AsNoTracking().ToListAsync(cancellationToken);
        var hasMore = rows.Count > take;
        if (hasMore)
        {
            rows.RemoveAt(take);
        }
        var next = rows.Count == 0 ? position : new Position(rows[^1].TransactionId.ToString(CultureInfo.InvariantCulture), rows[^1].Sequence);
        var entries = await WithinPartnerLimitsAsync(http.User, db, position, rows, cancellationToken);
        http.Response.Headers.CacheControl = PrivateResponses.CacheControl;
        return TypedResults.Ok(new ChangePage(entries, signer.Sign(TokenPurpose, next), hasMore));
    }

    private static ChangeEntry Entry(ContentChange change) =>
        new(change.Sequence, change.Op, change.ResourceType, change.ResourceId, change.Slug, change.Version, change.At);

    /// <summary>
    /// A partner key limited to sections or tags sees an article's entries only while the article is filed under them
    /// (as recorded with each entry; notices have neither, so none): one moving out reaches the partner as a delete, one
    /// moving in as an upsert, and one never shown to it not at all. The token still moves past everything read, so a
    /// limited partner never re-reads entries it may not see.
    /// </summary>
    private static async Task<List<ChangeEntry>> WithinPartnerLimitsAsync(
        ClaimsPrincipal user, HeadlessNewsDbContext db, Position since, List<ContentChange> rows, CancellationToken cancellationToken)
    {
        var limits = PartnerLimits.Of(user);
        if (limits.IsUnlimited)
        {
            return [.. rows.Select(Entry)];
        }
        bool Shown(ContentChange? change) =>
            change is { Op: "upsert", ResourceType: ArticleWrites.ResourceType }
            && (limits.Sections.Length == 0 || (change.SectionId is { } section && limits.Sections.Contains(section)))
            && (limits.Tags.Length == 0 || change.TagIds.Any(limits.Tags.Contains));

        // What the partner was last shown of each article: the article's newest entry up to the token.
        var ids = rows.Where(r => r.ResourceType == ArticleWrites.ResourceType).Select(r => r.ResourceId).Distinct().ToArray();
        if (ids.Length == 0)
        {
            return [];
        }
        var last = (await db.Set<ContentChange>().FromSql($"""
                SELECT DISTINCT ON (resource_id) * FROM content_changes
                WHERE resource_id = ANY({ids}) AND (transaction_id, sequence) <= ({since.T}::xid8, {since.S})
                ORDER BY resource_id, transaction_id DESC, sequence DESC
                """)
            .AsNoTracking().ToListAsync(cancellationToken)).ToDictionary(c => c.ResourceId);
        var entries = new List<ChangeEntry>();
        foreach (var row in rows)
        {
            var before = last.GetValueOrDefault(row.ResourceId);
            if (Shown(row))
            {
                entries.Add(Entry(row));
            }
            else if (Shown(before))
            {
                entries.Add(Entry(row) with { Op = "delete", Slug = before!.Slug });
            }
            last[row.ResourceId] = row;
        }
        return entries;
    }
}
