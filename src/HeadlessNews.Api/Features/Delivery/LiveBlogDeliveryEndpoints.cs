using System.Buffers;
using System.Globalization;
using HeadlessNews.Api.Infrastructure.Caching;
using Npgsql;

namespace HeadlessNews.Api.Features.Delivery;

public static class LiveBlogDeliveryEndpoints
{
    private const string VisibleLiveBlog = """
        SELECT p.article_id, a.coverage_end_time FROM published_articles p JOIN articles a ON a.id = p.article_id
         WHERE p.slug = @slug AND p.visible_from <= @now AND a.format = 'Liveblog'
        """;

    /// <summary>The entries list, in the cached delivery group.</summary>
    public static RouteGroupBuilder MapLiveBlogDelivery(this RouteGroupBuilder delivery)
    {
        delivery.MapGet("/articles/{slug}/entries", ListEntries).WithName("ListPublishedLiveBlogEntries")
            .WithSummary("A visible live blog's entries, newest first (since: only those created or changed after it).")
            .Produces<Page<LiveEntryDelivery>>(StatusCodes.Status200OK, "application/json");
        return delivery;
    }

    /// <summary>The live stream: never output-cached, no request timeout.</summary>
    public static RouteGroupBuilder MapLiveBlogStream(this RouteGroupBuilder v1)
    {
        v1.MapGet("/articles/{slug}/live", Live).WithName("StreamLiveBlog").WithTags("Delivery")
            .WithSummary("Server-Sent Events of a visible live blog: entry.created|entry.updated|entry.deleted (id: a growing sequence), liveblog.ended; resume with Last-Event-ID or lastEventId.")
            .Produces<string>(StatusCodes.Status200OK, LiveEventsResult.ContentType)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .DisableRequestTimeout();
        return v1;
    }

    private static async Task<Results<PreparedPage, ProblemHttpResult>> ListEntries(
        string slug, [System.ComponentModel.Description("Only entries created or changed after this moment (ISO-8601).")] DateTimeOffset? since, int? limit, string? cursor,
        HttpContext http, ReadDatabase reads, TokenSigner signer, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Pagination.TryRead(http, signer, limit, cursor, out var take, out var after) is { } problem)
        {
            return problem;
        }
        var now = clock.GetUtcNow();
        var source = reads.DataSource(genericPlans: true);
        var blog = (await source.ReadAsync(VisibleLiveBlog, [new("slug", slug), new("now", now)], r => r.GetGuid(0), cancellationToken)).FirstOrDefault();
        if (blog == Guid.Empty)
        {
            http.AddCacheTags("articles");
            await http.ExpireAtNextArticleBoundaryAsync(now, cancellationToken);
            return Problems.NotFound($"No visible live blog has the slug '{slug}'.");
        }
        var parameters = new List<NpgsqlParameter> { new("article", blog), new("since", (object?)since?.ToUniversalTime() ?? DBNull.Value), new("afterAt", (object?)after?.At ?? DBNull.Value), new("afterId", (object?)after?.Id ?? DBNull.Value) };
        var rows = await source.ReadAsync($"""
            SELECT entry_id, created_at, document_json FROM live_entry_documents
             WHERE article_id = @article AND (@since::timestamptz IS NULL OR updated_at > @since)
               AND (@afterAt::timestamptz IS NULL OR (created_at, entry_id) < (@afterAt, @afterId::uuid))
             ORDER BY created_at DESC, entry_id DESC LIMIT {take + 1}
            """, parameters,
            r => (Id: r.GetGuid(0), At: r.GetFieldValue<DateTimeOffset>(1), Json: PreparedJson.Utf8(r, 2)), cancellationToken);
        var page = Pagination.ToPage(http, signer, rows, take, r => new KeysetCursor(r.At, r.Id));
        http.AddCacheTags(CacheTags.Article(blog));
        return new PreparedPage([.. page.Items.Select(r => r.Json)], page.Next);
    }

    private static async Task<Results<LiveEventsResult, ProblemHttpResult>> Live(
        string slug, string? lastEventId, HttpContext http, DatabaseEndpoint endpoint, LiveBlogHub hub, TimeProvider clock, IOptions<LiveBlogOptions> options,
        CancellationToken cancellationToken)
    {
        var given = http.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header ? header : lastEventId;
        long? resumeAfter = null;
        if (given is not null)
        {
            if (!long.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return Problems.Validation("lastEventId", "lastEventId (or Last-Event-ID) is the id of an event this stream sent: a whole number.");
            }
            resumeAfter = parsed;
        }
        var blog = hub.Find(slug) ?? await VisibleLiveBlogAsync(endpoint, slug, clock, cancellationToken);
        return blog is null
            ? Problems.NotFound($"No visible live blog has the slug '{slug}'.")
            : new LiveEventsResult(hub, slug, blog, resumeAfter, clock, options.Value);
    }

    private static async Task<LiveBlogState?> VisibleLiveBlogAsync(DatabaseEndpoint endpoint, string slug, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(endpoint.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(VisibleLiveBlog, connection) { Parameters = { new("slug", slug), new("now", clock.GetUtcNow()) } };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new LiveBlogState(reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1))
            : null;
    }
}

/// <summary>
/// Writes one reader's stream: <c>retry:</c> at once, the replay after Last-Event-ID (from the node's memory when it
/// holds it, else the database), then what the <see cref="LiveBlogHub"/> hands over, skipping what the replay already
/// sent (so nothing is repeated).
/// </summary>
public sealed class LiveEventsResult(LiveBlogHub hub, string slug, LiveBlogState blog, long? resumeAfter, TimeProvider clock, LiveBlogOptions options) : IResult
{
    public const string ContentType = "text/event-stream";

    private const int ReplayFlushBytes = 64 * 1024;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var aborted = httpContext.RequestAborted;
        var subscription = await hub.SubscribeAsync(slug, blog, resumeAfter, aborted);
        try
        {
            var response = httpContext.Response;
            response.ContentType = ContentType;
            response.Headers.CacheControl = "no-store";
            // nginx buffers proxied responses unless told not to; a buffered stream reaches nobody.
            response.Headers["X-Accel-Buffering"] = "no";
            var writer = response.BodyWriter;
            writer.Write(System.Text.Encoding.UTF8.GetBytes($"retry: {options.RetryMilliseconds}\n\n"));
            await writer.FlushAsync(aborted);
            var sent = resumeAfter ?? 0;
            if (sent > subscription.JoinedAfter)
            {
                // Ahead of this node, which may not have heard of the newest frames yet: ahead of the stream itself (an id
                // from before a database restore, or from another blog) counts as up to date, or no frame would ever pass.
                sent = Math.Min(sent, await hub.LastSequenceAsync(blog.ArticleId, aborted));
            }
            if (resumeAfter is { } after)
            {
                var replay = subscription.Replay is { } held ? held.ToAsyncEnumerable() : hub.ReplayAsync(blog.ArticleId, after, aborted);
                await foreach (var frame in replay)
                {
                    writer.Write(frame.Bytes);
                    sent = frame.Sequence;
                    // Sent as it is read, not gathered first: a long replay to many readers at once is not held in memory.
                    if (writer.UnflushedBytes >= ReplayFlushBytes)
                    {
                        await writer.FlushAsync(aborted);
                    }
                }
                await writer.FlushAsync(aborted);
            }
            if (blog.CoverageEnd <= clock.GetUtcNow())
            {
                writer.Write(LiveFrame.End.Bytes);
                await writer.FlushAsync(aborted);
                return;
            }
            var frames = subscription.Frames.Reader;
            while (await frames.WaitToReadAsync(aborted))
            {
                while (frames.TryRead(out var frame))
                {
                    if (frame.Sequence > 0 && frame.Sequence <= sent)
                    {
                        continue;
                    }
                    writer.Write(frame.Bytes);
                    sent = Math.Max(sent, frame.Sequence);
                    if (frame.Ends)
                    {
                        await writer.FlushAsync(aborted);
                        return;
                    }
                }
                await writer.FlushAsync(aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The reader left.
        }
        finally
        {
            hub.Unsubscribe(subscription);
        }
    }
}
