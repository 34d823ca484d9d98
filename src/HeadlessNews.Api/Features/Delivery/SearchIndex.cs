using System.Collections.Concurrent;
using System.Data;
using System.Globalization;
using System.Threading.Channels;
using HeadlessNews.Api.Infrastructure.Caching;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>
/// This node's full-text index of what <c>/v1/search</c> finds (see <see cref="SearchIndexDocuments"/>), in a Lucene
/// index on local disk beside the API. PostgreSQL's search statement cost 2.5 ms a search at 100,000 articles and 6.4 ms
/// at 1,000,000, most of it starting a plan and reading candidate rows; the index finds and ranks the same candidates in
/// ~0.5 ms in the API process, and PostgreSQL is asked only for the query's parsed forms and the returned page
/// (bench/README.md, "Search from an index beside the API").
/// <para>
/// The index is this node's own and is built from PostgreSQL when the node starts; until then, and whenever it must be
/// rebuilt (the whole delivery cache was evicted: a bulk import, or the eviction listener reconnected after missing
/// changes), searches use the PostgreSQL statement. It follows every change through the cache evictions this node makes
/// or hears from the others (<see cref="ITagEvictionObserver"/>): an evicted article, notice, quote or source is read
/// again and replaced. A search first waits until the index has applied every eviction heard before it began, so a
/// change is searchable as soon as its write has answered; if the index cannot catch up in <see cref="CatchUpWait"/>
/// (the database away), the search uses the statement.
/// </para>
/// </summary>
public sealed class SearchIndex : BackgroundService, ITagEvictionObserver, IHealthCheck
{
    private static readonly TimeSpan CatchUpWait = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan FirstFlushWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(10);
    private static readonly string[] Kinds = [SearchIndexDocuments.Article, SearchIndexDocuments.Notice, SearchIndexDocuments.Quote, SearchIndexDocuments.Source];

    private readonly ReadDatabase _reads;
    private readonly DatabaseEndpoint _endpoint;
    private readonly bool _enabled;
    private readonly ILogger<SearchIndex> _logger;
    private readonly string _path;
    private readonly FSDirectory _directory;
    private readonly IndexWriter _writer;
    private readonly SearcherManager _searchers;
    private readonly ConcurrentQueue<string> _evicted = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _heard;
    private long _applied;
    private volatile bool _rebuildPending = true;
    private volatile bool _built;

    public SearchIndex(ReadDatabase reads, DatabaseEndpoint endpoint, IOptions<SearchOptions> options, ILogger<SearchIndex> logger)
    {
        _reads = reads;
        _endpoint = endpoint;
        _enabled = options.Value.UseIndex;
        _logger = logger;
        var parent = options.Value.IndexDirectory ?? Path.GetTempPath();
        RemoveAbandoned(parent);
        _path = Path.Combine(parent, DirectoryPrefix + Guid.NewGuid().ToString("N"));
        // Read through the file API, not mapped: a mapped index's pages count in the API's resident memory (at 100,000
        // articles under search load 491 MB, 308 MB of it mapped files, against 277 MB read this way, for ~0.4 ms more
        // CPU a search: 1,440-1,479 against 1,209 searches a second).
        _directory = new NIOFSDirectory(new DirectoryInfo(_path));
        // Segments are only ever merged with their neighbours, so a merge keeps documents in the order they were added.
        _writer = new IndexWriter(_directory, new IndexWriterConfig(LuceneVersion.LUCENE_48, new KeywordAnalyzer())
        {
            RAMBufferSizeMB = 16,
            MergePolicy = new LogByteSizeMergePolicy(),
        });
        _searchers = new SearcherManager(_writer, applyAllDeletes: true, searcherFactory: null);
    }

    private const string DirectoryPrefix = "headlessnews-search-";

    /// <summary>
    /// Removes the indexes of nodes that ended without removing theirs (killed): a directory whose write lock no process
    /// holds. One younger than a minute is left alone, in case its node has made it and not yet taken the lock.
    /// </summary>
    private void RemoveAbandoned(string parent)
    {
        if (!System.IO.Directory.Exists(parent))
        {
            return;
        }
        foreach (var directory in System.IO.Directory.EnumerateDirectories(parent, DirectoryPrefix + "*"))
        {
            if (System.IO.Directory.GetLastWriteTimeUtc(directory) > DateTime.UtcNow.AddMinutes(-1))
            {
                continue;
            }
            var writeLock = new NativeFSLockFactory(directory).MakeLock(IndexWriter.WRITE_LOCK_NAME);
            try
            {
                if (!writeLock.Obtain())
                {
                    continue;
                }
            }
            catch (LockObtainFailedException)
            {
                continue;
            }
            finally
            {
                writeLock.Dispose();
            }
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
                _logger.LogInformation("Removed the search index {Directory} an ended node left", directory);
            }
            catch (IOException)
            {
                // Another node removing it at the same moment.
            }
        }
    }

    /// <summary>Whether searches can be answered from the index: built, and not waiting to be rebuilt.</summary>
    public bool IsReady => _built && !_rebuildPending;

    public void Evicted(string tag)
    {
        if (!_enabled)
        {
            return;
        }
        if (tag == CacheTags.All)
        {
            _rebuildPending = true;
        }
        else if (!IsIndexed(tag))
        {
            return;
        }
        _evicted.Enqueue(tag);
        Interlocked.Increment(ref _heard);
        _wake.Writer.TryWrite(true);
    }

    private static bool IsIndexed(string tag) =>
        Kinds.Any(kind => tag.StartsWith(kind + ":", StringComparison.Ordinal)) && Guid.TryParse(tag.AsSpan(tag.IndexOf(':') + 1), out _);

    /// <summary>
    /// A searcher over the index once it holds every change this node had heard of when asked; null when it cannot be
    /// used (not built, being rebuilt, or behind for longer than <see cref="CatchUpWait"/>). Release it with <see cref="Release"/>.
    /// </summary>
    public async Task<IndexSearcher?> AcquireAsync(CancellationToken cancellationToken)
    {
        var heard = Interlocked.Read(ref _heard);
        var deadline = TimeProvider.System.GetTimestamp() + (long)(CatchUpWait.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (IsReady)
        {
            var progress = Volatile.Read(ref _progress).Task;
            if (Interlocked.Read(ref _applied) >= heard)
            {
                return _searchers.Acquire();
            }
            var left = TimeProvider.System.GetElapsedTime(TimeProvider.System.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero)
            {
                break;
            }
            try
            {
                await progress.WaitAsync(left, cancellationToken);
            }
            catch (TimeoutException)
            {
                break;
            }
        }
        return null;
    }

    public void Release(IndexSearcher searcher) => _searchers.Release(searcher);

    /// <summary>
    /// The segments whose documents are in newest-first order (each kind's, as a rebuild adds them): a search stops
    /// reading one of them at its newest matches. A segment made since (changes, merges with them) is read whole.
    /// </summary>
    public IReadOnlySet<object> NewestFirst { get; private set; } = new HashSet<object>();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(!_enabled || IsReady
            ? HealthCheckResult.Healthy(_enabled ? $"{_writer.NumDocs} documents." : "Not used: searches are answered by the database.")
            : HealthCheckResult.Degraded("The search index is being built; searches are answered by the database meanwhile."));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_enabled)
        {
            return;
        }
        await _endpoint.EnsureReadyAsync(stoppingToken);
        await FirstFlushAsync(stoppingToken);
        var changed = new HashSet<string>(StringComparer.Ordinal);
        var backOff = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var heard = Interlocked.Read(ref _heard);
                while (_evicted.TryDequeue(out var tag))
                {
                    changed.Add(tag);
                }
                if (!_built || changed.Contains(CacheTags.All))
                {
                    // Everything evicted before this point has committed, so the rebuild's snapshot holds it.
                    _rebuildPending = true;
                    await RebuildAsync(stoppingToken);
                    _built = true;
                    _rebuildPending = _evicted.Contains(CacheTags.All);
                }
                else if (changed.Count > 0)
                {
                    await ReplaceAsync(changed, stoppingToken);
                }
                changed.Clear();
                Interlocked.Exchange(ref _applied, heard);
                Interlocked.Exchange(ref _progress, new(TaskCreationOptions.RunContinuationsAsynchronously)).SetResult();
                backOff = TimeSpan.FromMilliseconds(250);
                if (_evicted.IsEmpty)
                {
                    await _wake.Reader.ReadAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "The search index could not read its changes; trying again in {Delay}", backOff);
                await Task.Delay(backOff, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                backOff = TimeSpan.FromTicks(Math.Min(backOff.Ticks * 2, MaxBackOff.Ticks));
            }
        }
    }

    /// <summary>
    /// The eviction listener evicts everything when it first connects, as changes made before it listened were not
    /// heard: the first build waits for that (at most <see cref="FirstFlushWait"/>), so that its snapshot is taken once
    /// changes are heard, rather than building twice.
    /// </summary>
    private async Task FirstFlushAsync(CancellationToken stoppingToken)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        waiting.CancelAfter(FirstFlushWait);
        try
        {
            while (!_evicted.Contains(CacheTags.All))
            {
                await _wake.Reader.ReadAsync(waiting.Token);
            }
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // Not heard: build anyway.
        }
    }

    /// <summary>Every searchable row, read in one snapshot.</summary>
    private async Task RebuildAsync(CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        NewestFirst = new HashSet<object>();
        _writer.DeleteAll();
        await using var connection = await _reads.DataSource().OpenConnectionAsync(cancellationToken);
        await using var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        foreach (var (kind, sql) in SearchIndexDocuments.Statements(byId: false))
        {
            await ReadAsync(connection, kind, sql, null, (_, document) =>
            {
                if (document is not null)
                {
                    _writer.AddDocument(document);
                }
            }, cancellationToken);
        }
        // One segment: every term a search asks is looked up once per segment (eight after a 100,000-article build: 3.7
        // ms a search in the API), and later changes add only small segments beside it. Its documents are newest first.
        _writer.ForceMerge(1);
        _searchers.MaybeRefreshBlocking();
        var searcher = _searchers.Acquire();
        try
        {
            NewestFirst = searcher.IndexReader.Leaves.Select(leaf => leaf.Reader.CoreCacheKey).ToHashSet();
        }
        finally
        {
            _searchers.Release(searcher);
        }
        _logger.LogWarning("Search index built: {Documents} documents in {Elapsed}", _writer.NumDocs, TimeProvider.System.GetElapsedTime(started));
    }

    /// <summary>
    /// Reads again what the evicted tags name and replaces it. An article's change also changes whether the quotes and
    /// sources it used, before and after, are used by anything visible.
    /// </summary>
    private async Task ReplaceAsync(HashSet<string> tags, CancellationToken cancellationToken)
    {
        var ids = Kinds.ToDictionary(kind => kind, _ => new HashSet<Guid>());
        foreach (var tag in tags)
        {
            var colon = tag.IndexOf(':');
            ids[tag[..colon]].Add(Guid.Parse(tag.AsSpan(colon + 1)));
        }
        var searcher = _searchers.Acquire();
        try
        {
            foreach (var article in ids[SearchIndexDocuments.Article])
            {
                foreach (var hit in searcher.Search(new TermQuery(SearchIndexDocuments.KeyOf(SearchIndexDocuments.Article, article)), 1).ScoreDocs)
                {
                    AddUses(searcher.Doc(hit.Doc).GetValues(SearchIndexDocuments.Uses, CultureInfo.InvariantCulture), ids);
                }
            }
        }
        finally
        {
            _searchers.Release(searcher);
        }
        await using var connection = await _reads.DataSource().OpenConnectionAsync(cancellationToken);
        foreach (var (kind, sql) in SearchIndexDocuments.Statements(byId: true))
        {
            var wanted = ids[kind];
            if (wanted.Count == 0)
            {
                continue;
            }
            var found = new HashSet<Guid>();
            await ReadAsync(connection, kind, sql, [.. wanted], (id, document) =>
            {
                found.Add(id);
                if (document is null)
                {
                    _writer.DeleteDocuments(SearchIndexDocuments.KeyOf(kind, id));
                    return;
                }
                _writer.UpdateDocument(SearchIndexDocuments.KeyOf(kind, id), document);
                AddUses(document.GetValues(SearchIndexDocuments.Uses, CultureInfo.InvariantCulture), ids);
            }, cancellationToken);
            foreach (var gone in wanted.Except(found))
            {
                _writer.DeleteDocuments(SearchIndexDocuments.KeyOf(kind, gone));
            }
        }
        _searchers.MaybeRefreshBlocking();
    }

    private static void AddUses(string[] uses, Dictionary<string, HashSet<Guid>> ids)
    {
        foreach (var used in uses)
        {
            var colon = used.IndexOf(':');
            ids[used[..colon]].Add(Guid.ParseExact(used.AsSpan(colon + 1), "N"));
        }
    }

    private static async Task ReadAsync(NpgsqlConnection connection, string kind, string sql, Guid[]? ids,
        Action<Guid, Lucene.Net.Documents.Document?> add, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (ids is not null)
        {
            command.Parameters.Add(new() { Value = ids });
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var document = SearchIndexDocuments.Read(kind, reader, out var id);
            add(id, document);
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _searchers.Dispose();
        // Nothing of it is kept: not committed, and a merge under way is stopped.
        _writer.Rollback();
        _directory.Dispose();
        try
        {
            System.IO.Directory.Delete(_path, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temporary directory's own clean-up.
        }
    }
}
