using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using HeadlessNews.Api.Infrastructure.Caching;
using Npgsql;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>The stream's event names.</summary>
public static class LiveEvents
{
    public const string Created = "entry.created";
    public const string Updated = "entry.updated";
    public const string Deleted = "entry.deleted";
    public const string Ended = "liveblog.ended";
}

/// <summary>
/// One SSE frame, formatted once per node and shared by every reader. <see cref="Sequence"/> is 0 for frames without an
/// id; an entry's frame names the entry and its event type, so that a replay can send each entry once (<see cref="Coalesce"/>).
/// </summary>
public sealed record LiveFrame(long Sequence, byte[] Bytes, bool Ends = false, Guid EntryId = default, string? Type = null)
{
    public static readonly LiveFrame KeepAlive = new(0, ": keep-alive\n\n"u8.ToArray());
    public static readonly LiveFrame End = new(0, Encoding.UTF8.GetBytes($"event: {LiveEvents.Ended}\ndata: {{}}\n\n"), Ends: true);

    public static LiveFrame Of(long sequence, Guid entryId, string type, string json) =>
        new(sequence, [.. Header(sequence, type), .. Encoding.UTF8.GetBytes($"data: {json}\n\n")], EntryId: entryId, Type: type);

    private static byte[] Header(long sequence, string type) => Encoding.UTF8.GetBytes($"id: {sequence}\nevent: {type}\n");

    /// <summary>The same frame under another event type (its data as it is).</summary>
    private LiveFrame As(string type) => this with { Bytes = [.. Header(Sequence, type), .. Bytes.AsSpan(Header(Sequence, Type!).Length)], Type = type };

    /// <summary>
    /// What a reader that saw everything up to a point needs of the frames since: each entry once, as it is now, in the
    /// order of its last change. An entry created since is <c>entry.created</c> whatever happened to it after, and one
    /// created and deleted since is left out: a replay never sends what an entry said before an edit or a deletion, nor
    /// an entry written while the article was a draft and deleted before anyone could see it.
    /// </summary>
    public static IEnumerable<LiveFrame> Coalesce(IEnumerable<LiveFrame> frames)
    {
        var latest = new Dictionary<Guid, (LiveFrame Frame, bool CreatedSince)>();
        foreach (var frame in frames)
        {
            var createdSince = frame.Type == LiveEvents.Created || (latest.TryGetValue(frame.EntryId, out var earlier) && earlier.CreatedSince);
            latest[frame.EntryId] = (frame, createdSince);
        }
        return latest.Values
            .Where(e => !(e.CreatedSince && e.Frame.Type == LiveEvents.Deleted))
            .OrderBy(e => e.Frame.Sequence)
            .Select(e => e.CreatedSince && e.Frame.Type == LiveEvents.Updated ? e.Frame.As(LiveEvents.Created) : e.Frame);
    }
}

/// <summary>A visible live blog as the node last saw it: what a stream needs to start.</summary>
public sealed record LiveBlogState(Guid ArticleId, DateTimeOffset? CoverageEnd);

/// <summary>A reader's queue of frames; completed when the reader must go (fell behind, the article went, coverage ended).</summary>
public sealed class LiveSubscription(Guid articleId, int capacity)
{
    public Guid ArticleId { get; } = articleId;

    /// <summary>The frames after the reader's Last-Event-ID, when this node still held them all as it subscribed; otherwise null.</summary>
    public IReadOnlyList<LiveFrame>? Replay { get; set; }

    /// <summary>The newest sequence handed to the live blog's readers when this one joined: every frame it is offered comes after it.</summary>
    public long JoinedAfter { get; set; }

    public Channel<LiveFrame> Frames { get; } = Channel.CreateBounded<LiveFrame>(
        new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public void Offer(LiveFrame frame)
    {
        if (!Frames.Writer.TryWrite(frame))
        {
            Frames.Writer.TryComplete();
        }
    }
}

/// <summary>
/// Live blog streams on this node. One connection LISTENs for the NOTIFY an entry write sends at commit (from any node);
/// one loop then reads the new <see cref="LiveBlogUpdate"/> rows once per live blog and hands the same frames to every
/// reader in memory, so readers hold no database connection. Every heartbeat the loop also catches up (a notification
/// lost while reconnecting costs at most one heartbeat), sends the keep-alive comment, and ends streams whose coverage
/// ended or whose article is no longer visible.
/// </summary>
public sealed class LiveBlogHub(DatabaseEndpoint endpoint, TimeProvider clock, IOptions<LiveBlogOptions> options, ILogger<LiveBlogHub> logger)
    : BackgroundService, ITagEvictionObserver
{
    public const string Channel = "headlessnews_live";
    public const string ListenerName = "headlessnews-live-listener";
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<Guid, Watched> _watched = new();
    private readonly ConcurrentDictionary<string, Watched> _bySlug = new(StringComparer.Ordinal);
    private readonly Channel<Guid> _wake = System.Threading.Channels.Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _replays = new(options.Value.ConcurrentReplays);

    /// <summary>Readers connected to this node, for the bench and logs.</summary>
    public int Readers => _watched.Values.Sum(w => w.Count);

    /// <summary>
    /// The live blog <paramref name="slug"/> names when this node streams it already, so that readers joining it (or all
    /// of them coming back at once after a network blip) cost no database query. The state is the last catch-up's, as
    /// for the readers already connected: a live blog unpublished since is closed for all of them at the next one.
    /// </summary>
    public LiveBlogState? Find(string slug) => _bySlug.TryGetValue(slug, out var watched) ? watched.State : null;

    /// <summary>
    /// Registers a reader before it replays, so nothing committed after the replay's read can pass it by. With
    /// <paramref name="after"/> (its Last-Event-ID) the subscription carries the frames since then when the node still
    /// holds them all (<see cref="LiveBlogOptions.ReplayFrames"/>); otherwise the reader replays from the database.
    /// </summary>
    public async Task<LiveSubscription> SubscribeAsync(string slug, LiveBlogState blog, long? after, CancellationToken cancellationToken)
    {
        var subscription = new LiveSubscription(blog.ArticleId, options.Value.ReaderQueue);
        while (true)
        {
            if (!_watched.TryGetValue(blog.ArticleId, out var watched))
            {
                var last = await LastSequenceAsync(blog.ArticleId, cancellationToken);
                watched = _watched.GetOrAdd(blog.ArticleId, _ => new Watched(last, options.Value.ReplayFrames));
                Seen(watched, slug, blog);
            }
            if (watched.TryAdd(subscription, after))
            {
                return subscription;
            }
        }
    }

    /// <summary>
    /// An article changed (on this node or another: unpublished, embargoed, an entry written): the catch-up runs now, so a
    /// live blog no longer visible is closed, to its readers and to readers joining from what this node last saw, within
    /// the catch-up's queries rather than at the next heartbeat. What the node saw is kept meanwhile: an entry write evicts
    /// the same tag, and readers joining a busy live blog must still cost no database query.
    /// </summary>
    public void Evicted(string tag)
    {
        if (tag == CacheTags.All)
        {
            _wake.Writer.TryWrite(Guid.Empty);
        }
        else if (CacheTags.IsArticle(tag, out var articleId) && _watched.ContainsKey(articleId))
        {
            _wake.Writer.TryWrite(articleId);
        }
    }

    public void Unsubscribe(LiveSubscription subscription)
    {
        if (_watched.TryGetValue(subscription.ArticleId, out var watched) && watched.Remove(subscription))
        {
            _watched.TryRemove(new KeyValuePair<Guid, Watched>(subscription.ArticleId, watched));
            Forget(watched);
        }
    }

    private void Seen(Watched watched, string slug, LiveBlogState state)
    {
        if (watched.Slug is { } old && old != slug)
        {
            _bySlug.TryRemove(new KeyValuePair<string, Watched>(old, watched));
        }
        (watched.Slug, watched.State) = (slug, state);
        _bySlug[slug] = watched;
    }

    private void Forget(Watched watched)
    {
        watched.State = null;
        if (watched.Slug is { } slug)
        {
            _bySlug.TryRemove(new KeyValuePair<string, Watched>(slug, watched));
        }
    }

    /// <summary>
    /// The frames of <paramref name="articleId"/> after <paramref name="after"/>, coalesced as <see cref="LiveFrame.Coalesce"/>
    /// does, in order, read straight from the primary: first which updates to send (worked out by the database, so a
    /// history of every edit is never read), then their texts <see cref="ReplayChunk"/> at a time. Each read takes one of
    /// <see cref="LiveBlogOptions.ConcurrentReplays"/> turns and gives it back before its frames go to the reader, so a
    /// reconnect storm waits here instead of taking the writers' pooled connections, and a reader that reads slowly
    /// holds no turn.
    /// </summary>
    public async IAsyncEnumerable<LiveFrame> ReplayAsync(Guid articleId, long after, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var plan = await InTurnAsync(async connection =>
        {
            await using var command = new NpgsqlCommand($"""
                SELECT sequence, CASE WHEN created_since AND type = '{LiveEvents.Updated}' THEN '{LiveEvents.Created}' ELSE type END
                  FROM (SELECT DISTINCT ON (entry_id) entry_id, sequence, type,
                               bool_or(type = '{LiveEvents.Created}') OVER (PARTITION BY entry_id) AS created_since
                          FROM live_blog_updates WHERE article_id = $1 AND sequence > $2
                         ORDER BY entry_id, sequence DESC) latest
                 WHERE NOT (created_since AND type = '{LiveEvents.Deleted}')
                 ORDER BY sequence
                """, connection)
            {
                Parameters = { new() { Value = articleId }, new() { Value = after } },
            };
            var sends = new List<(long Sequence, string Type)>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                sends.Add((reader.GetInt64(0), reader.GetString(1)));
            }
            return sends;
        }, cancellationToken);
        foreach (var chunk in plan.Chunk(ReplayChunk))
        {
            var types = chunk.ToDictionary(c => c.Sequence, c => c.Type);
            var frames = await InTurnAsync(async connection =>
            {
                await using var command = new NpgsqlCommand(
                    "SELECT sequence, entry_id, data_json FROM live_blog_updates WHERE article_id = $1 AND sequence = ANY($2) ORDER BY sequence", connection)
                {
                    Parameters = { new() { Value = articleId }, new() { Value = types.Keys.ToArray() } },
                };
                var read = new List<LiveFrame>(chunk.Length);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    read.Add(LiveFrame.Of(reader.GetInt64(0), reader.GetGuid(1), types[reader.GetInt64(0)], reader.GetString(2)));
                }
                return read;
            }, cancellationToken);
            foreach (var frame in frames)
            {
                yield return frame;
            }
        }
    }

    /// <summary>Updates whose texts a replay reads at once.</summary>
    private const int ReplayChunk = 20;

    private async Task<T> InTurnAsync<T>(Func<NpgsqlConnection, Task<T>> read, CancellationToken cancellationToken)
    {
        await _replays.WaitAsync(cancellationToken);
        try
        {
            await using var connection = new NpgsqlConnection(endpoint.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            return await read(connection);
        }
        finally
        {
            _replays.Release();
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ListenAsync(stoppingToken), DispatchAsync(stoppingToken), BeatAsync(stoppingToken));

    /// <summary>The newest sequence the live blog has sent from any node.</summary>
    public async Task<long> LastSequenceAsync(Guid articleId, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(endpoint.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT coalesce(max(sequence), 0) FROM live_blog_updates WHERE article_id = $1", connection)
        {
            Parameters = { new() { Value = articleId } },
        };
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task BeatAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.HeartbeatSeconds), clock);
        while (await WaitAsync(timer, stoppingToken))
        {
            _wake.Writer.TryWrite(Guid.Empty);
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var backOff = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await endpoint.EnsureReadyAsync(stoppingToken);
                var builder = new NpgsqlConnectionStringBuilder(endpoint.ConnectionString) { Pooling = false, KeepAlive = 15, ApplicationName = ListenerName };
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                connection.Notification += (_, notification) => Notified(notification.Payload);
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                backOff = TimeSpan.FromMilliseconds(250);
                // Whatever was committed while not listening is read now rather than at the next heartbeat.
                _wake.Writer.TryWrite(Guid.Empty);
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Live blog listener lost its connection; reconnecting in {Delay}", backOff);
                try
                {
                    await Task.Delay(backOff, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backOff = TimeSpan.FromTicks(Math.Min(backOff.Ticks * 2, MaxBackOff.Ticks));
            }
        }
    }

    private void Notified(string payload)
    {
        var space = payload.IndexOf(' ', StringComparison.Ordinal);
        if (Guid.TryParse(space < 0 ? payload : payload[..space], out var articleId) && _watched.ContainsKey(articleId))
        {
            _wake.Writer.TryWrite(articleId);
        }
    }

    private async Task DispatchAsync(CancellationToken stoppingToken)
    {
        var reader = _wake.Reader;
        while (await WaitToReadAsync(reader, stoppingToken))
        {
            var woken = new HashSet<Guid>();
            while (reader.TryRead(out var id))
            {
                woken.Add(id);
            }
            var beat = woken.Remove(Guid.Empty);
            var due = (beat ? _watched.Keys : woken.Where(_watched.ContainsKey)).ToList();
            if (due.Count == 0)
            {
                continue;
            }
            try
            {
                await CatchUpAsync(due, beat, stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                // The next notification or heartbeat reads from the same point again: nothing is skipped.
                logger.LogWarning(e, "Could not read live blog updates; retrying at the next heartbeat");
            }
        }
    }

    private static async Task<bool> WaitToReadAsync(ChannelReader<Guid> reader, CancellationToken stoppingToken)
    {
        try
        {
            return await reader.WaitToReadAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>One query for the new updates of every due live blog, one for their state; then fan out.</summary>
    private async Task CatchUpAsync(List<Guid> due, bool beat, CancellationToken cancellationToken)
    {
        var lasts = due.Select(id => _watched.TryGetValue(id, out var w) ? w.Last : long.MaxValue).ToArray();
        await using var connection = new NpgsqlConnection(endpoint.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var frames = new Dictionary<Guid, List<LiveFrame>>();
        await using (var updates = new NpgsqlCommand("""
            SELECT u.article_id, u.sequence, u.type, u.data_json, u.entry_id
              FROM unnest($1::uuid[], $2::bigint[]) AS w(article_id, last)
              JOIN live_blog_updates u ON u.article_id = w.article_id AND u.sequence > w.last
             ORDER BY u.article_id, u.sequence
            """, connection) { Parameters = { new() { Value = due.ToArray() }, new() { Value = lasts } } })
        await using (var rows = await updates.ExecuteReaderAsync(cancellationToken))
        {
            while (await rows.ReadAsync(cancellationToken))
            {
                var articleId = rows.GetGuid(0);
                if (!frames.TryGetValue(articleId, out var list))
                {
                    frames[articleId] = list = [];
                }
                list.Add(LiveFrame.Of(rows.GetInt64(1), rows.GetGuid(4), rows.GetString(2), rows.GetString(3)));
            }
        }
        var states = new Dictionary<Guid, (bool Visible, DateTimeOffset? CoverageEnd, string? Slug)>();
        await using (var state = new NpgsqlCommand("""
            SELECT a.id, coalesce(p.visible_from <= $2, false), a.coverage_end_time, p.slug
              FROM articles a LEFT JOIN published_articles p ON p.article_id = a.id
             WHERE a.id = ANY($1)
            """, connection) { Parameters = { new() { Value = due.ToArray() }, new() { Value = clock.GetUtcNow() } } })
        await using (var rows = await state.ExecuteReaderAsync(cancellationToken))
        {
            while (await rows.ReadAsync(cancellationToken))
            {
                states[rows.GetGuid(0)] = (rows.GetBoolean(1), rows.IsDBNull(2) ? null : rows.GetFieldValue<DateTimeOffset>(2), rows.IsDBNull(3) ? null : rows.GetString(3));
            }
        }
        var now = clock.GetUtcNow();
        foreach (var articleId in due)
        {
            if (!_watched.TryGetValue(articleId, out var watched))
            {
                continue;
            }
            var (visible, coverageEnd, slug) = states.GetValueOrDefault(articleId);
            if (!visible || slug is null)
            {
                Forget(watched);
                watched.CloseAll();
                continue;
            }
            Seen(watched, slug, new LiveBlogState(articleId, coverageEnd));
            foreach (var frame in frames.GetValueOrDefault(articleId) ?? [])
            {
                watched.Publish(frame);
            }
            if (coverageEnd <= now)
            {
                watched.Publish(LiveFrame.End);
            }
            else if (beat)
            {
                watched.Publish(LiveFrame.KeepAlive);
            }
        }
    }

    /// <summary>The readers of one live blog on this node, the last sequence handed to them and the latest frames.</summary>
    private sealed class Watched(long last, int held)
    {
        private readonly HashSet<LiveSubscription> _readers = [];
        private readonly Queue<LiveFrame> _recent = new();
        private bool _gone;

        /// <summary>The frames after this sequence are all in <see cref="_recent"/>.</summary>
        private long _heldAfter = last;

        public long Last { get; private set; } = last;

        public volatile string? Slug;

        /// <summary>Null while not known to be visible.</summary>
        public volatile LiveBlogState? State;

        public int Count
        {
            get
            {
                lock (_readers)
                {
                    return _readers.Count;
                }
            }
        }

        public bool TryAdd(LiveSubscription reader, long? after)
        {
            lock (_readers)
            {
                if (_gone)
                {
                    return false;
                }
                if (after >= _heldAfter)
                {
                    reader.Replay = [.. LiveFrame.Coalesce(_recent.Where(f => f.Sequence > after))];
                }
                reader.JoinedAfter = Last;
                return _readers.Add(reader);
            }
        }

        /// <summary>True when that was the last reader: the live blog is no longer watched here.</summary>
        public bool Remove(LiveSubscription reader)
        {
            lock (_readers)
            {
                _readers.Remove(reader);
                _gone = _readers.Count == 0;
                return _gone;
            }
        }

        public void Publish(LiveFrame frame)
        {
            LiveSubscription[] readers;
            lock (_readers)
            {
                readers = [.. _readers];
                if (frame.Sequence > Last)
                {
                    Last = frame.Sequence;
                    _recent.Enqueue(frame);
                    if (_recent.Count > held)
                    {
                        _heldAfter = _recent.Dequeue().Sequence;
                    }
                }
            }
            foreach (var reader in readers)
            {
                reader.Offer(frame);
            }
        }

        public void CloseAll()
        {
            lock (_readers)
            {
                foreach (var reader in _readers)
                {
                    reader.Frames.Writer.TryComplete();
                }
            }
        }
    }
}
