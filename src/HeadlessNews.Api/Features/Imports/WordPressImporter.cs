using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FluentValidation;
using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Features.Articles.Blocks;
using HeadlessNews.Api.Features.Authors;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Features.Quotes;
using HeadlessNews.Api.Features.Redirects;
using HeadlessNews.Api.Features.Sections;
using HeadlessNews.Api.Infrastructure.Caching;
using HeadlessNews.Api.Infrastructure.Domain;
using HeadlessNews.Api.Infrastructure.Events;
using System.Threading.Channels;
using Npgsql;

namespace HeadlessNews.Api.Features.Imports;

/// <summary>
/// A WordPress site's content as the importer needs it, whichever way it was read (a WXR file or the REST API): the
/// site, its authors by login, its categories and tags, its pictures by attachment id, its reusable blocks' content by id, and the
/// items, read as often as asked.
/// </summary>
/// <param name="Key">The source identity imported items keep: the site's (see <see cref="SiteKey"/>), else the file's name.</param>
/// <param name="Language">The site's language, normalised (a WXR channel's <c>language</c>): its posts' unless Polylang gives theirs; else <see cref="Infrastructure.Text.Languages.Default"/>.</param>
/// <param name="LastCopies">The post ids the source holds more than once (a file read once beforehand), each with the number of its last copy among the items (from 0); null when it cannot say.</param>
public sealed record WordPressArchive(
    string Key,
    Uri? Site,
    IReadOnlyDictionary<string, WpAuthor> Authors,
    IReadOnlyList<WpTerm> Terms,
    IReadOnlyDictionary<string, WpAttachment> Attachments,
    IReadOnlyDictionary<string, string> ReusableBlocks,
    int ItemCount,
    Func<CancellationToken, IAsyncEnumerable<WpItem>> Items,
    string? Language = null,
    IReadOnlyDictionary<string, int>? LastCopies = null)
{
    /// <summary>
    /// A site's identity, whichever way its address is written: <c>https://</c>, its host without <c>www.</c>, its port if
    /// not the default, its path without a trailing slash. A site that moved to https (or back), or dropped its
    /// <c>www.</c>, is the same source.
    /// </summary>
    public static string SiteKey(Uri site)
    {
        var host = site.Host.StartsWith("www.", StringComparison.OrdinalIgnoreCase) && site.Host.Length > "www.".Length ? site.Host["www.".Length..] : site.Host;
        return $"https://{host}{(site.IsDefaultPort ? string.Empty : $":{site.Port}")}{site.AbsolutePath.TrimEnd('/')}";
    }

    /// <summary>
    /// The keys imported items of this source may carry: <see cref="Key"/>, and for a site the forms imports before
    /// <see cref="SiteKey"/> recorded (its address with the scheme and <c>www.</c> as the export or the command gave them).
    /// </summary>
    public IReadOnlyList<string> KnownKeys { get; } = Key.StartsWith("https://", StringComparison.Ordinal)
        ? [Key, "http://" + Key["https://".Length..], "https://www." + Key["https://".Length..], "http://www." + Key["https://".Length..]]
        : [Key];
}

/// <summary>
/// Imports WordPress posts through the same write cores as the API (authors, sections, quotes, articles), each post
/// committed with its bookkeeping or not at all, so a re-run or a resumed run picks up where it was: each article
/// remembers its source item (<see cref="ImportedItem"/>), and every old URL of it becomes a <see cref="Redirect"/>. Writes are bulk writes: no
/// webhook per article and no cache eviction per row; one <c>import.completed</c> event and one eviction at the end.
/// </summary>
public sealed partial class WordPressImporter(
    IServiceScopeFactory scopes, TimeProvider clock, IValidator<SaveArticleRequest> validator, ICacheInvalidator cache, IArticleUsage usage,
    ILogger<WordPressImporter> logger)
{
    public const string Posts = "posts";
    public const string Pages = "pages";
    public const string AuthorsKind = "authors";
    public const string SectionsKind = "sections";
    public const string TagsKind = "tags";
    public const string QuotesKind = "quotes";
    public const string CommentsKind = "comments";

    private static readonly Caller Importer = new(null, "wordpress import", null);
    private static readonly JsonSerializerOptions HashJson = new(JsonSerializerDefaults.Web);

    /// <summary>Items read ahead and checked against earlier imports together: one query per chunk, not per post.</summary>
    private const int ChunkSize = 100;

    /// <summary>
    /// Chunks written at once, each in its own transaction on its own connection: one writer leaves PostgreSQL idle while it
    /// works out the next post, and the other way round (measured: 40 % of two cores idle with one).
    /// </summary>
    private const int WriterLanes = 2;

    /// <summary>Called after each item with (done, total).</summary>
    public async Task<ImportReport> ImportAsync(WordPressArchive archive, ImportOptions options, Action<int, int> progress, CancellationToken cancellationToken)
    {
        var report = new ImportReport { Source = archive.Key, DryRun = options.DryRun, StartedAt = clock.GetUtcNow() };
        await using var references = scopes.CreateAsyncScope();
        var referencesDb = references.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        using var bulk = BulkWrites.Begin(referencesDb);
        using var run = new Run(archive, options, report, done => progress(done, archive.ItemCount), referencesDb);
        // The next chunk is read and drafted on a lane of its own while others are written.
        var chunks = Channel.CreateBounded<List<Prepared>>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await ReferencesAsync(run, cancellationToken);
        var reading = Task.Run(() => ReadAheadAsync(run, chunks.Writer, stopReading.Token), CancellationToken.None);
        var writing = new List<(ChunkKeys Keys, Task Written)>(WriterLanes);
        // Each chunk's counts reach the report after the chunk before's: items and shortcodes are listed in the file's order.
        var counted = Task.CompletedTask;
        var ended = false;
        try
        {
            await foreach (var chunk in chunks.Reader.ReadAllAsync(cancellationToken))
            {
                var keys = ChunkKeys.Of(archive.Site, chunk);
                // A free lane, and none writing a chunk this one could collide with (see ChunkKeys).
                while (writing.Count == WriterLanes || writing.Any(w => w.Keys.Overlaps(keys)))
                {
                    var written = await Task.WhenAny(writing.Where(w => writing.Count == WriterLanes || w.Keys.Overlaps(keys)).Select(w => w.Written));
                    await written;
                    writing.RemoveAll(w => w.Written == written);
                }
                var chunkWritten = Task.Run(() => ImportChunkAsync(run, chunk, cancellationToken), CancellationToken.None);
                counted = CountAfterAsync(run, chunkWritten, counted, cancellationToken);
                writing.Add((keys, chunkWritten));
            }
            await Task.WhenAll(writing.Select(w => w.Written));
            await counted;
            ended = true;
        }
        catch (Exception e) when (e is System.Xml.XmlException or HttpRequestException)
        {
            // A broken file or a site that stopped answering: what came before is imported, and a re-run resumes.
            await Task.WhenAll(writing.Select(w => w.Written));
            await counted;
            report.Error = e.Message;
            ended = true;
        }
        finally
        {
            await stopReading.CancelAsync();
            await reading;
            // A lane that failed stops the run; the other finishes (or fails) its chunk first.
            await Task.WhenAll([.. writing.Select(w => w.Written), counted]).ContinueWith(_ => { }, TaskScheduler.Default);
            // A run stopped part-way has written what it wrote without evicting anything (bulk writes evict at the end):
            // every node forgets what it cached and its search index reads everything again.
            if (!ended && !options.DryRun)
            {
                await cache.EvictAsync([CacheTags.All], CancellationToken.None);
            }
        }
        report.FinishedAt = clock.GetUtcNow();
        if (!options.DryRun)
        {
            await FinishAsync(report, cancellationToken);
        }
        return report;
    }

    /// <summary>
    /// What a chunk's posts could contend for with another chunk written at the same time: their post ids (a later item
    /// updates the earlier one's article), slugs (a slug taken by the other's uncommitted post would fail the save, not read
    /// as taken), the headline stems a post without a slug numbers from, old URLs, and Polylang translation sets (each
    /// set's editions join one at a time). Chunks that share any are written one after the other, as one writer would.
    /// </summary>
    private sealed class ChunkKeys
    {
        private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
        private readonly HashSet<string> _slugs = new(StringComparer.Ordinal);
        private readonly HashSet<string> _stems = new(StringComparer.Ordinal);
        private readonly HashSet<string> _paths = new(StringComparer.Ordinal);
        private readonly HashSet<string> _translationSets = new(StringComparer.Ordinal);

        public static ChunkKeys Of(Uri? site, List<Prepared> chunk)
        {
            var keys = new ChunkKeys();
            foreach (var item in chunk.Select(p => p.Item).Where(i => KindOf(i) is Posts or Pages))
            {
                keys._ids.Add(item.PostId);
                keys._paths.UnionWith(OldPaths(site, item));
                if (item.TranslationSet is { } set)
                {
                    keys._translationSets.Add(set);
                }
                if (SlugOf(item) is { } slug)
                {
                    keys._slugs.Add(slug);
                }
                else
                {
                    // Numbered from the headline: stem, stem-2, stem-3...
                    var stem = Slugs.From(WordPressHtml.PlainText(item.Title)) is { Length: > 0 } fromTitle ? fromTitle : "article";
                    keys._slugs.Add(stem);
                    keys._stems.Add(ArticleWrites.NumberedStem(stem));
                }
            }
            return keys;
        }

        public bool Overlaps(ChunkKeys other) =>
            _ids.Overlaps(other._ids) || _slugs.Overlaps(other._slugs) || _paths.Overlaps(other._paths) || _translationSets.Overlaps(other._translationSets)
            || _stems.Overlaps(other._stems) || _stems.Any(other.Numbers) || other._stems.Any(Numbers);

        /// <summary>Whether a slug of this chunk could be one numbered from <paramref name="stem"/>.</summary>
        private bool Numbers(string stem) => _slugs.Any(slug => slug.StartsWith(stem + "-", StringComparison.Ordinal));
    }

    /// <summary>The slug a post asks for: its WordPress slug, normalised (none: one is made from the headline).</summary>
    private static string? SlugOf(WpItem item) => item.PostName is { } postName && Slugs.From(postName) is { Length: > 0 } slug ? slug : null;

    /// <summary>
    /// Every author, category (a section) and tag the export lists is made or found first, whether a post uses it or not:
    /// nothing the site had is left behind. Posts then find them made.
    /// </summary>
    private async Task ReferencesAsync(Run run, CancellationToken cancellationToken)
    {
        foreach (var login in run.Archive.Authors.Keys)
        {
            await AuthorAsync(run, login, cancellationToken);
        }
        foreach (var category in run.Archive.Terms.Where(t => t.Taxonomy == "category"))
        {
            await SectionAsync(run, category, cancellationToken);
        }
        foreach (var tags in run.Archive.Terms.Where(t => t.Taxonomy == "post_tag").Chunk(SaveArticleRequestValidator.MaxTerms))
        {
            await TagsAsync(run, tags, cancellationToken);
        }
        run.ReferencesDb.ChangeTracker.Clear();
    }

    /// <summary>
    /// Reads the items a chunk at a time, hashes and drafts them (<see cref="PrepareAsync"/>) and hands each chunk on, in
    /// order. A broken file or a failed request to the site ends the channel after the items before it; any other
    /// failure (a chunk's preparation included) ends it with that failure, which stops the run.
    /// </summary>
    private async Task ReadAheadAsync(Run run, ChannelWriter<List<Prepared>> chunks, CancellationToken cancellationToken)
    {
        try
        {
            var items = new List<WpItem>(ChunkSize);
            // The number of the item being read, from 0, as the archive counted them (see LastCopies).
            var read = 0;
            Exception? stopped = null;
            await using var reading = run.Archive.Items(cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                try
                {
                    if (!await reading.MoveNextAsync())
                    {
                        break;
                    }
                }
                catch (Exception e) when (e is System.Xml.XmlException or HttpRequestException)
                {
                    stopped = e;
                    break;
                }
                var number = read++;
                if (run.Archive.LastCopies?.TryGetValue(reading.Current.PostId, out var last) == true && last != number && KindOf(reading.Current) is Posts or Pages)
                {
                    // An earlier copy of a post id the export repeats: only the last is written (its report names this one's title).
                    run.Repeats(reading.Current);
                    run.Done();
                    continue;
                }
                items.Add(reading.Current);
                if (items.Count == ChunkSize)
                {
                    await chunks.WriteAsync(await PrepareAsync(run, items, cancellationToken), cancellationToken);
                    items = new List<WpItem>(ChunkSize);
                }
            }
            if (items.Count > 0)
            {
                await chunks.WriteAsync(await PrepareAsync(run, items, cancellationToken), cancellationToken);
            }
            chunks.Complete(stopped);
        }
        catch (Exception e)
        {
            chunks.TryComplete(e);
        }
    }

    /// <summary>
    /// A post as the chunk's writer gets it: the item, its hash and its draft, worked out ahead from the item alone, and
    /// with <c>--media download</c> its pictures fetched (see <see cref="FetchPicturesAsync"/>). No draft when an earlier
    /// import took the post with the same hash (most likely unchanged), or when drafting it failed: the writer drafts it in
    /// place if it needs it, so a post that cannot be drafted fails where it always did.
    /// </summary>
    /// <param name="Repeats">The title of an earlier post of the export with the same post id (this later copy replaces it), if any.</param>
    private sealed record Prepared(WpItem Item, string Hash, Draft? Draft, string? Repeats)
    {
        /// <summary>What became of the pictures this post was the first to show, when they could not be fetched.</summary>
        public List<string> PictureNotes { get; } = [];
    }

    /// <summary>
    /// What an article's content takes from the post alone (no database): its texts, its converted body and the notes on
    /// them; <paramref name="HasTitle"/>: the post had a title (an untitled one gets a placeholder headline and stays a draft).
    /// </summary>
    private sealed record Draft(bool HasTitle, string Headline, string Standfirst, ConvertedBody Body, IReadOnlyList<string> Notes);

    /// <summary>What earlier imports of this source (under any of its <see cref="WordPressArchive.KnownKeys"/>) recorded for these post ids.</summary>
    private static IQueryable<ImportedItem> ImportedBefore(HeadlessNewsDbContext db, Run run, List<string> ids)
    {
        var keys = run.Archive.KnownKeys;
        return db.Set<ImportedItem>().AsNoTracking().Where(i => keys.Contains(i.Source) && ids.Contains(i.SourceId));
    }

    /// <summary>The chunk's items hashed and drafted, with one look-up of the hashes earlier imports recorded for them.</summary>
    private async Task<List<Prepared>> PrepareAsync(Run run, List<WpItem> items, CancellationToken cancellationToken)
    {
        var ids = items.Select(i => i.PostId).Distinct().ToList();
        HashSet<(string, string)> imported;
        HashSet<string> editedSince;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
            var earlier = await ImportedBefore(db, run, ids)
                .Select(i => new { i.SourceId, i.SourceHash, Edited = i.Article!.Version != i.ImportedVersion }).ToListAsync(cancellationToken);
            imported = [.. earlier.Select(i => (i.SourceId, i.SourceHash))];
            editedSince = [.. earlier.Where(i => i.Edited).Select(i => i.SourceId)];
        }
        List<Prepared> prepared = [.. items.Select(item => (Item: item, Hash: SourceHash(item, run.Options.Media), Repeats: run.Repeats(item))).Select(p => imported.Contains((p.Item.PostId, p.Hash))
            ? new Prepared(p.Item, p.Hash, null, p.Repeats)
            : new Prepared(p.Item, p.Hash, DraftAhead(p.Item, run.Archive), p.Repeats))];
        // The pictures of the posts that will be written (a post edited here since its import is left alone without --overwrite).
        var downloaded = await FetchPicturesAsync(run,
            prepared.Where(p => p.Draft is not null && IsKindImported(run.Options, KindOf(p.Item)) && IsStatusImported(p.Item)
                    && (run.Options.Overwrite || !editedSince.Contains(p.Item.PostId)))
                .SelectMany(p => PicturesOf(run, p.Item, p.Draft!).Select(picture => (p.PictureNotes, picture))),
            cancellationToken);
        await run.SharedAsync(() => Task.FromResult(run.Report.Images.Downloaded += downloaded), cancellationToken);
        return prepared;
    }

    private static Draft? DraftAhead(WpItem item, WordPressArchive archive)
    {
        try
        {
            return DraftOf(item, archive);
        }
        catch (Exception)
        {
            // Drafted again by the writer, which fails with it as it would have without the read-ahead.
            return null;
        }
    }

    private static Draft DraftOf(WpItem item, WordPressArchive archive)
    {
        var notes = new List<string>();
        var title = WordPressHtml.PlainText(item.Title);
        var headline = title;
        if (headline.Length == 0)
        {
            headline = $"Untitled (WordPress post {item.PostId})";
            notes.Add("no title: imported as a draft with a placeholder headline");
        }
        else if (headline.Length > 300)
        {
            headline = AcceptedText.Cut(headline, 300);
            notes.Add("headline cut to 300 characters");
        }
        // No excerpt: the search description an editor wrote (Yoast), unless it is one of Yoast's templates (%%title%%).
        var standfirst = WordPressHtml.PlainText(item.Excerpt);
        if (standfirst.Length == 0 && item.Meta.GetValueOrDefault("_yoast_wpseo_metadesc") is { } description && !description.Contains("%%", StringComparison.Ordinal))
        {
            standfirst = WordPressHtml.PlainText(description);
        }
        if (item.DateGmt is null && item.Status is "publish" or "future")
        {
            notes.Add(item.LocalDate is { } local
                ? $"no GMT date in the export: its local date {local:yyyy-MM-dd HH:mm} taken as UTC"
                : "no date in the export: dated with the time of the import");
        }
        foreach (var other in item.Terms.Where(t => t.Taxonomy is not ("category" or "post_tag" or "post_format" or WpItem.BylineTaxonomy or WpItem.LanguageTaxonomy or WpItem.TranslationsTaxonomy)).GroupBy(t => t.Taxonomy))
        {
            notes.Add($"{other.Key} terms not imported: {string.Join(", ", other.Select(t => t.Name))}");
        }
        if (standfirst.Length > 1000)
        {
            standfirst = AcceptedText.Cut(standfirst, 1000);
            notes.Add("excerpt cut to 1,000 characters for the standfirst");
        }
        var body = WordPressHtml.Convert(item.Content, archive.Site, archive.Attachments, archive.ReusableBlocks, item.PostId, item.Meta.GetValueOrDefault("footnotes"));
        notes.AddRange(body.Notes);
        return new Draft(title.Length > 0, headline, standfirst, body, notes);
    }

    /// <summary>
    /// What the writer lanes share: the caches of references made or found, the report, and the references' own context.
    /// References are made for good, outside any chunk's transaction (a post rolled back keeps them, as it keeps those the
    /// export lists), one post at a time (<see cref="Shared"/>); posts then only read the caches.
    /// </summary>
    private sealed class Run(
        WordPressArchive archive, ImportOptions options, ImportReport report, Action<int> progress, HeadlessNewsDbContext referencesDb) : IDisposable
    {
        private int _done;

        public WordPressArchive Archive => archive;
        public ImportOptions Options => options;
        public ImportReport Report => report;
        public HeadlessNewsDbContext ReferencesDb => referencesDb;

        /// <summary>Held while references are made and while the report changes.</summary>
        public SemaphoreSlim Shared { get; } = new(1, 1);

        /// <summary>Author login / category nicename ⇒ our slug, once made or found.</summary>
        public ConcurrentDictionary<string, string?> AuthorSlugs { get; } = new(StringComparer.OrdinalIgnoreCase);
        public ConcurrentDictionary<string, string?> SectionSlugs { get; } = new(StringComparer.Ordinal);

        private readonly Dictionary<string, string> _categorySlugs = archive.Terms.Where(t => t.Taxonomy == "category" && t.Id is not null)
            .DistinctBy(t => t.Id).ToDictionary(t => t.Id!, t => t.Slug, StringComparer.Ordinal);

        /// <summary>The category an SEO plugin (Yoast, Rank Math) marks as the post's primary one, by its slug, if the export names it.</summary>
        public string? PrimaryCategory(WpItem item)
        {
            var id = item.Meta.GetValueOrDefault("_yoast_wpseo_primary_category") ?? item.Meta.GetValueOrDefault("rank_math_primary_category");
            return string.IsNullOrEmpty(id) ? null : _categorySlugs.GetValueOrDefault(id);
        }

        /// <summary>Post id ⇒ the title of the first post or page read with it; read and written by the reader alone, in the file's order.</summary>
        private readonly Dictionary<string, string?> _firstTitles = new(StringComparer.Ordinal);

        /// <summary>The title of the post or page read before <paramref name="item"/> with its post id, if one was (null title: "").</summary>
        public string? Repeats(WpItem item)
        {
            // Titles are kept only for the post ids the file is known to repeat: all of them would be ~200 bytes a post.
            if (KindOf(item) is not (Posts or Pages) || archive.LastCopies?.ContainsKey(item.PostId) == false)
            {
                return null;
            }
            if (_firstTitles.TryAdd(item.PostId, item.Title))
            {
                return null;
            }
            return WordPressHtml.PlainText(_firstTitles[item.PostId]);
        }

        /// <summary>
        /// The export's pictures by web address, as posts show them (the original of a resized copy): a fetched picture's
        /// library record takes the alt text and caption WordPress's media library gives it, not those of the first post showing it.
        /// </summary>
        public IReadOnlyDictionary<string, WpAttachment> AttachmentsByUrl { get; } = archive.Attachments.Values
            .Select(a => (Attachment: a, Url: Uri.TryCreate(archive.Site, a.Url, out var url) && url.Scheme is "http" or "https" ? url.AbsoluteUri : null))
            .Where(a => a.Url is not null).DistinctBy(a => a.Url).ToDictionary(a => a.Url!, a => a.Attachment, StringComparer.Ordinal);

        /// <summary>Tag slugs made or found in this run.</summary>
        public HashSet<string> TagSlugs { get; } = new(StringComparer.Ordinal);
        /// <summary>Picture URL ⇒ its fetch: its asset, or null when it could not be fetched (tried once per run).</summary>
        public ConcurrentDictionary<string, Task<Guid?>> Assets { get; } = new(StringComparer.Ordinal);

        /// <summary>The hosts pictures come from, by name.</summary>
        public ConcurrentDictionary<string, PictureHost> PictureHosts { get; } = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>Counts an item done; the lanes report one at a time, in order.</summary>
        public void Done()
        {
            lock (_progress)
            {
                progress(++_done);
            }
        }

        private readonly Lock _progress = new();

        /// <summary>Runs <paramref name="work"/> holding <see cref="Shared"/>.</summary>
        public async Task<T> SharedAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
        {
            await Shared.WaitAsync(cancellationToken);
            try
            {
                return await work();
            }
            finally
            {
                Shared.Release();
            }
        }

        public void Dispose()
        {
            Shared.Dispose();
            foreach (var host in PictureHosts.Values)
            {
                host.Dispose();
            }
        }

        /// <summary>Adds what a chunk counted and reported to the run's report.</summary>
        public async Task CountAsync(ImportReport tally, CancellationToken cancellationToken)
        {
            await Shared.WaitAsync(cancellationToken);
            try
            {
                report.Add(tally);
            }
            finally
            {
                Shared.Release();
            }
        }
    }

    /// <summary>What an earlier run imported for a source item, and the article's version now.</summary>
    private sealed record Earlier(ImportedItem Item, int Version, string Slug);

    /// <summary>
    /// A chunk is one transaction (the read model refreshes once, at its commit, for all its articles) and each post in it
    /// is all or nothing within it (a savepoint): its quotes, article, source identity and old URLs. A kill loses the
    /// chunk's posts and their bookkeeping together, so a re-run imports them once.
    /// </summary>
    /// <returns>What its posts counted and reported, for the run's report (see <see cref="CountAfterAsync"/>).</returns>
    private async Task<ImportReport> ImportChunkAsync(Run run, List<Prepared> chunk, CancellationToken cancellationToken)
    {
        var items = chunk.Select(p => p.Item).ToList();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        using var bulk = BulkWrites.Begin(db);
        var ids = items.Select(i => i.PostId).Distinct().ToList();
        // A post imported twice before sites were known by SiteKey (over http, then https) updates the article imported first.
        var earlier = (await ImportedBefore(db, run, ids)
            .OrderBy(i => i.ArticleId)
            .Select(i => new Earlier(i, i.Article!.Version, i.Article.Slug))
            .ToListAsync(cancellationToken))
            .DistinctBy(e => e.Item.SourceId).ToDictionary(e => e.Item.SourceId, StringComparer.Ordinal);
        var paths = items.SelectMany(item => OldPaths(run.Archive.Site, item)).Distinct().ToList();
        var writing = new ChunkWrite(db, new ImportReport { Source = run.Archive.Key });
        foreach (var taken in await db.Set<Redirect>().Where(r => paths.Contains(r.Path)).Select(r => new { r.Path, r.ArticleId }).ToListAsync(cancellationToken))
        {
            writing.TakenPaths[taken.Path] = taken.ArticleId;
        }
        await using var transaction = run.Options.DryRun ? null : await db.Database.BeginTransactionAsync(cancellationToken);
        if (transaction is not null)
        {
            // Each post is a savepoint of its own: EF Core's savepoint around each save would be two commands more a save
            // (the pool sets it back). The slug lock would make the lanes wait for each other's commit: chunks that could
            // pick one slug are not written at once (ChunkKeys), and the unique index refuses one an editor takes meanwhile.
            db.Database.AutoSavepointsEnabled = false;
            ArticleWrites.SkipSlugLock(db);
        }
        foreach (var prepared in chunk)
        {
            Forget(db);
            if (await ImportAtomicallyAsync(writing, run, prepared, earlier.GetValueOrDefault(prepared.Item.PostId), cancellationToken) is { } imported)
            {
                earlier[prepared.Item.PostId] = imported;
            }
            run.Done();
        }
        if (transaction is not null)
        {
            db.ChangeTracker.Clear();
            await transaction.CommitAsync(cancellationToken);
        }
        return writing.Counted;
    }

    /// <summary>Adds a chunk's counts to the run's report once it is written and the chunk before it is counted: the lane is free meanwhile.</summary>
    private static async Task CountAfterAsync(Run run, Task<ImportReport> written, Task countedBefore, CancellationToken cancellationToken)
    {
        var counted = await written;
        await countedBefore;
        await run.CountAsync(counted, cancellationToken);
    }

    /// <summary>
    /// A chunk being written: its context, the savepoint of the post being written (released by the command that takes the
    /// next one, a round trip less a post; the chunk's commit releases the last), the redirect paths taken, and what its
    /// posts counted.
    /// </summary>
    private sealed class ChunkWrite(HeadlessNewsDbContext db, ImportReport counted)
    {
        private bool _savepointTaken;
        private readonly List<string> _postPaths = [];

        public HeadlessNewsDbContext Db => db;

        /// <summary>The chunk's posts' counts and reported items, kept posts' and failed ones', in order.</summary>
        public ImportReport Counted => counted;

        /// <summary>
        /// Redirect paths that exist, with the article each leads to (null: a hand-made redirect elsewhere): the chunk's
        /// posts' old URLs that were taken, and those its posts took since.
        /// </summary>
        public Dictionary<string, Guid?> TakenPaths { get; } = new(StringComparer.Ordinal);

        /// <summary>Whether the path is free for a redirect to <paramref name="article"/> (and now taken); else who has it.</summary>
        public bool KeepPath(string path, Guid article, out Guid? holder)
        {
            if (!TakenPaths.TryAdd(path, article))
            {
                holder = TakenPaths[path];
                return false;
            }
            holder = article;
            _postPaths.Add(path);
            return true;
        }

        public async Task TakeSavepointAsync(CancellationToken cancellationToken)
        {
            await db.Database.ExecuteSqlRawAsync(_savepointTaken ? "RELEASE SAVEPOINT post; SAVEPOINT post" : "SAVEPOINT post", cancellationToken);
            _savepointTaken = true;
        }

        /// <summary>Undoes what the post being written wrote (inside the chunk's transaction) and the paths it took.</summary>
        public async Task RollBackPostAsync(CancellationToken cancellationToken)
        {
            foreach (var path in _postPaths)
            {
                TakenPaths.Remove(path);
            }
            _postPaths.Clear();
            if (db.Database.CurrentTransaction is not null)
            {
                db.ChangeTracker.Clear();
                await db.Database.ExecuteSqlRawAsync("ROLLBACK TO SAVEPOINT post", cancellationToken);
            }
        }

        /// <summary>The post written last was kept: the paths it took stay taken.</summary>
        public void PostKept() => _postPaths.Clear();
    }

    /// <summary>What a post refers to, made or found before it is written (see <see cref="ReferencesOfAsync"/>).</summary>
    private sealed record PostReferences(Draft Draft, string? Section, List<string> Tags, List<string> Authors);

    /// <summary>
    /// One post, all or nothing: a refusal or a failed save rolls back what the post wrote and reports it. A post left as it
    /// is (skipped, unchanged) writes nothing and takes no savepoint. What it counts reaches the chunk's count only with it.
    /// </summary>
    private async Task<Earlier?> ImportAtomicallyAsync(ChunkWrite chunk, Run run, Prepared prepared, Earlier? earlier, CancellationToken cancellationToken)
    {
        var item = prepared.Item;
        var notes = new List<string>();
        PostReferences? references;
        try
        {
            references = await run.SharedAsync(async () => IsLeftAsItIs(run, chunk.Counted, item, prepared.Hash, earlier)
                ? null
                : await ReferencesOfAsync(run, prepared, notes, cancellationToken), cancellationToken);
        }
        // A reference that cannot be saved fails the post, not the run; a database that is gone stops the run (see the command).
        catch (DbUpdateException e) when (!e.IsServerGone())
        {
            Failed(chunk.Counted, item, e);
            return null;
        }
        if (references is null)
        {
            return null;
        }
        if (chunk.Db.Database.CurrentTransaction is not null)
        {
            await chunk.TakeSavepointAsync(cancellationToken);
        }
        var tally = new ImportReport { Source = run.Archive.Key };
        try
        {
            var imported = await ImportItemAsync(chunk, run, tally, prepared, references, notes, earlier, cancellationToken);
            chunk.PostKept();
            chunk.Counted.Add(tally);
            return imported;
        }
        // A save refused inside a write leaves the transaction failed until the rollback (no savepoint per save).
        catch (Exception e) when (e is PostRefused or DbUpdateException or PostgresException { SqlState: PostgresErrorCodes.InFailedSqlTransaction }
            && !e.IsServerGone())
        {
            await chunk.RollBackPostAsync(cancellationToken);
            Failed(chunk.Counted, item, e);
            return null;
        }
    }

    /// <summary>Counts and reports the post as failed.</summary>
    private static void Failed(ImportReport counted, WpItem item, Exception e)
    {
        counted.Kind(KindOf(item)).Failed++;
        counted.Report(item.PostId, item.Title, "failed", e is PostRefused ? e.Message : $"not saved: {(e.InnerException ?? e).Message}");
    }

    /// <summary>
    /// Lets go of what the context tracks but the sections, authors and tags in the database (the next post's write finds
    /// them without a query). A rolled-back post clears the context instead: what it made is gone.
    /// </summary>
    private static void Forget(HeadlessNewsDbContext db)
    {
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var entries = db.ChangeTracker.Entries().ToList();
        var references = entries.Where(e => e.State == EntityState.Unchanged && e.Entity is Section or Author or Tag).Select(e => e.Entity).ToList();
        // Attaching again costs a snapshot per reference: most posts add no reference, so there is nothing else to let go.
        if (references.Count < entries.Count)
        {
            db.ChangeTracker.Clear();
            db.AttachRange(references);
        }
        db.ChangeTracker.AutoDetectChangesEnabled = true;
    }

    /// <summary>Why a post cannot be imported: everything it wrote is rolled back.</summary>
    private sealed class PostRefused(string reason) : Exception(reason);

    /// <summary>Why a whole kind of item is left out (the report says it once per kind).</summary>
    private static string WhyNotImported(string postType) => postType switch
    {
        "page" => "pages are imported only with --pages",
        "attachment" => "pictures come across with the posts that show them (featured, inline, galleries); files no post shows are not imported",
        "revision" => "earlier versions of a post; the post is imported as it is now",
        "wp_block" => "reusable blocks are expanded into the posts that use them",
        WpItem.GuestAuthorType => "Co-Authors Plus guest authors become authors, named on the posts they wrote",
        "nav_menu_item" or "wp_navigation" => "navigation menus are not content",
        "wp_template" or "wp_template_part" or "wp_global_styles" or "custom_css" or "customize_changeset" or "wp_font_family" or "wp_font_face"
            or "oembed_cache" or "user_request" or "wp_pattern" => "site design and WordPress's own records, not content",
        _ => $"post type '{postType}' is not imported (only posts, and pages with --pages)",
    };

    private static string KindOf(WpItem item) => item.PostType switch
    {
        "post" => Posts,
        "page" => Pages,
        "attachment" => "attachments",
        "nav_menu_item" => "menu items",
        _ => item.PostType,
    };

    /// <summary>Posts are imported, and pages with <c>--pages</c>; other kinds are counted as skipped.</summary>
    private static bool IsKindImported(ImportOptions options, string kind) => kind == Posts || kind == Pages && options.Pages;

    /// <summary>Whether the item is in a status that is imported (not trashed, nor a revision or an autosave).</summary>
    private static bool IsStatusImported(WpItem item) => item.Status is not ("trash" or "auto-draft" or "inherit");

    /// <summary>Whether the item is skipped or unchanged (counted and reported here): nothing to write.</summary>
    private static bool IsLeftAsItIs(Run run, ImportReport report, WpItem item, string hash, Earlier? earlier)
    {
        var kind = KindOf(item);
        if (item.Comments > 0)
        {
            var comments = report.Kind(CommentsKind);
            comments.Skipped += item.Comments;
            comments.Reason ??= "comments (approved, held, spam, pingbacks) are not imported";
        }
        if (!IsKindImported(run.Options, kind))
        {
            var counts = report.Kind(kind);
            counts.Skipped++;
            counts.Reason ??= WhyNotImported(item.PostType);
            return true;
        }
        if (!IsStatusImported(item))
        {
            report.Kind(kind).Skipped++;
            report.Report(item.PostId, item.Title, "skipped", $"status {item.Status}");
            return true;
        }
        if (earlier is not null && earlier.Item.SourceHash == hash)
        {
            report.Kind(kind).Unchanged++;
            return true;
        }
        if (earlier is not null && earlier.Version != earlier.Item.ImportedVersion && !run.Options.Overwrite)
        {
            report.Kind(kind).Skipped++;
            report.Report(item.PostId, item.Title, "skipped", $"changed in WordPress but edited here since the import (article {earlier.Slug}); re-run with --overwrite to replace the edits");
            return true;
        }
        return false;
    }

    /// <summary>
    /// Imports one post (<see cref="IsLeftAsItIs"/> said it has something to write), counting into <paramref name="tally"/>;
    /// what it wrote, for a later item with the same id in the chunk.
    /// </summary>
    private async Task<Earlier?> ImportItemAsync(
        ChunkWrite chunk, Run run, ImportReport tally, Prepared prepared, PostReferences references, List<string> notes, Earlier? earlier,
        CancellationToken cancellationToken)
    {
        var (item, hash, _, _) = prepared;
        var kind = KindOf(item);
        // The quotes an earlier import of the post made: one it still has is kept, one it no longer has goes (see WriteAsync).
        var earlierQuotes = earlier is null ? [] : await chunk.Db.Set<ArticleQuote>().Where(l => l.ArticleId == earlier.Item.ArticleId)
            .Join(chunk.Db.Set<Quote>(), l => l.QuoteId, q => q.Id, (_, q) => new EarlierQuote(q.Id, q.Text, q.SpeakerName)).ToListAsync(cancellationToken);
        var content = await ContentAsync(chunk.Db, run, tally, item, references, notes, earlierQuotes, cancellationToken);
        var validation = await validator.ValidateAsync(content, cancellationToken);
        if (!validation.IsValid)
        {
            throw new PostRefused(string.Join("; ", validation.Errors.Select(e => $"{e.PropertyName}: {e.ErrorMessage}")));
        }
        if (item.HasPassword)
        {
            notes.Add("password-protected: imported as a draft");
        }
        else if (item.Status == "private")
        {
            notes.Add("private: imported as a draft");
        }
        if (item.IsSticky)
        {
            notes.Add("sticky in WordPress (pinned to the top of the front page): an article here has no pinned place");
        }
        var isNew = earlier is null;
        if (run.Options.DryRun)
        {
            Counted(tally, kind, item, isNew, notes);
            return null;
        }
        Forget(chunk.Db);
        var written = await WriteAsync(chunk, run, item, earlier, content, hash, references.Draft.HasTitle, notes, earlierQuotes, cancellationToken);
        if (written.Refusal is { } refused)
        {
            throw new PostRefused(refused is Invalid invalid
                ? string.Join("; ", invalid.Errors.Select(e => $"{e.Key}: {string.Join(' ', e.Value)}"))
                : refused.Detail);
        }
        Counted(tally, kind, item, isNew, notes);
        return written.Value;
    }

    private static void Counted(ImportReport tally, string kind, WpItem item, bool isNew, List<string> notes)
    {
        var counts = tally.Kind(kind);
        if (isNew)
        {
            counts.Created++;
        }
        else
        {
            counts.Updated++;
        }
        if (notes.Count > 0)
        {
            tally.Report(item.PostId, item.Title, isNew ? "created" : "updated", string.Join("; ", notes));
        }
    }

    /// <summary>
    /// Makes or finds, for good, what the post refers to (see <see cref="Run"/>): its section, tags and authors, and the
    /// pictures not fetched ahead; notes what it leaves out. Called holding <see cref="Run.Shared"/>.
    /// </summary>
    private async Task<PostReferences> ReferencesOfAsync(Run run, Prepared prepared, List<string> notes, CancellationToken cancellationToken)
    {
        var item = prepared.Item;
        var draft = prepared.Draft ?? DraftOf(item, run.Archive);
        notes.AddRange(draft.Notes);
        notes.AddRange(prepared.PictureNotes);
        if (prepared.Repeats is { } first)
        {
            // The last copy wins (as a re-run over an export with a changed post would): the earlier one is not imported.
            notes.Add($"its post id {item.PostId} comes earlier in the export too{(first.Length > 0 ? $" (\"{first}\")" : string.Empty)}: this later copy is the one kept, the earlier one is ignored");
        }
        // Pictures no chunk fetched ahead: a post drafted only now (an export that repeats a post id, the repeat imported before).
        run.Report.Images.Downloaded += await FetchPicturesAsync(run, PicturesOf(run, item, draft).Select(picture => (notes, picture)), cancellationToken);
        try
        {
            var categories = item.Terms.Where(t => t.Taxonomy == "category")
                .OrderByDescending(t => run.PrimaryCategory(item) is { } primary && t.Slug == primary).ToList();
            var section = categories.Count == 0 ? null : await SectionAsync(run, categories[0], cancellationToken);
            if (categories.Count > 0 && TermSlug(categories[0]).Length == 0)
            {
                notes.Add($"no section: its category {categories[0].Name} {HasNoSlugLetters}");
            }
            var tags = await TagsAsync(run, categories.Skip(1).Concat(item.Terms.Where(t => t.Taxonomy == "post_tag")), cancellationToken, notes);
            var authors = new List<string>();
            foreach (var login in item.Bylines())
            {
                if (await AuthorAsync(run, login, cancellationToken) is { } author && !authors.Contains(author))
                {
                    authors.Add(author);
                }
            }
            if (authors.Count == 0)
            {
                notes.Add("no author");
            }
            else if (authors.Count > SaveArticleRequestValidator.MaxAuthors)
            {
                notes.Add($"authors left out (an article takes {SaveArticleRequestValidator.MaxAuthors}): {string.Join(", ", authors.Skip(SaveArticleRequestValidator.MaxAuthors))}");
                authors.RemoveRange(SaveArticleRequestValidator.MaxAuthors, authors.Count - SaveArticleRequestValidator.MaxAuthors);
            }
            return new PostReferences(draft, section, tags, authors);
        }
        finally
        {
            run.ReferencesDb.ChangeTracker.Clear();
        }
    }

    /// <summary>A quote an earlier import of the post made (its article links it).</summary>
    private sealed record EarlierQuote(Guid Id, string Text, string Speaker);

    /// <summary>
    /// The article's content from the post and its references; quotes are made in the post's savepoint, but for those the
    /// article already has from an earlier import (same text and speaker), which are used again.
    /// </summary>
    private async Task<SaveArticleRequest> ContentAsync(
        HeadlessNewsDbContext db, Run run, ImportReport tally, WpItem item, PostReferences references, List<string> notes, List<EarlierQuote> earlierQuotes,
        CancellationToken cancellationToken)
    {
        var unused = new List<EarlierQuote>(earlierQuotes);
        var converted = references.Draft.Body;
        foreach (var name in converted.UnknownShortcodes)
        {
            if (!tally.UnknownShortcodes.TryGetValue(name, out var posts))
            {
                tally.UnknownShortcodes[name] = posts = [];
            }
            posts.Add(item.PostId);
        }
        var body = new List<Block>(converted.Blocks.Count);
        foreach (var part in converted.Blocks)
        {
            if (part.Quote is { } quote)
            {
                body.Add(await QuoteBlockAsync(db, run, tally, quote, unused, cancellationToken));
            }
            else if (part.Block.Type == BlockTypes.Image && run.Options.Media == MediaMode.Skip)
            {
                tally.Images.Left++;
            }
            else
            {
                body.Add(part.Block.Type == BlockTypes.Image ? await PictureAsync(run, tally, part.Block) : part.Block);
            }
        }
        HeroImage? hero = null;
        if (item.Meta.TryGetValue("_thumbnail_id", out var thumbnail) && thumbnail.Length > 0)
        {
            if (run.Options.Media == MediaMode.Skip)
            {
                tally.Images.Left++;
            }
            else if (!run.Archive.Attachments.ContainsKey(thumbnail))
            {
                notes.Add($"featured image {thumbnail} is not in the export");
            }
            else if (FeaturedPicture(run, item, notes) is { } featured)
            {
                var image = await PictureAsync(run, tally, featured);
                hero = new HeroImage(image.Url, image.Alt, image.Caption, image.Credit) { AssetId = image.AssetId };
            }
        }
        var language = run.Archive.Language;
        if (item.Language is { } polylang)
        {
            if (Languages.IsValid(polylang))
            {
                language = Languages.Normalise(polylang);
            }
            else
            {
                notes.Add($"language '{polylang}' is not a language tag: imported in {Languages.Default}");
            }
        }
        if (item.PostName is { Length: > 0 } postName && !string.Equals(SlugOf(item), postName, StringComparison.OrdinalIgnoreCase))
        {
            // A slug in Greek, Cyrillic, Chinese…, with an emoji, an accent or an underscore: what it keeps (its digits, its Latin
            // words) is its slug, else its headline's; its old URL still answers.
            var became = SlugOf(item) is { } slug ? $"'{slug}'" : "one made from its headline";
            notes.Add(postName.Where(char.IsLetter).Any(letter => Slugs.From(letter.ToString()).Length == 0)
                ? $"its slug {postName} has letters a slug cannot hold (a-z, 0-9): they were left out of it ({became})"
                : $"its slug {postName} became {became}: a slug holds only a-z, 0-9 and hyphens");
        }
        var draft = references.Draft;
        return new SaveArticleRequest(
            draft.Headline, SlugOf(item), draft.Standfirst.Length == 0 ? null : draft.Standfirst, body, references.Section, references.Tags, null,
            references.Authors, null, hero, language, null);
    }

    /// <summary>The post's featured picture, when the export describes it with a web address; <paramref name="notes"/> get what was cut to fit.</summary>
    private static Block? FeaturedPicture(Run run, WpItem item, List<string>? notes) =>
        item.Meta.TryGetValue("_thumbnail_id", out var thumbnail) && run.Archive.Attachments.TryGetValue(thumbnail, out var picture)
        && Uri.TryCreate(run.Archive.Site, picture.Url, out var url) && url.Scheme is "http" or "https" && url.AbsoluteUri.Length <= BlockValidator.MaxUrlLength
            ? WordPressHtml.Fitted(new Block { Type = BlockTypes.Image, Url = url.AbsoluteUri, Alt = picture.Alt, Caption = picture.Caption, Credit = picture.Credit }, notes)
            : null;

    /// <summary>
    /// Other categories and tags become tags with the source's slug (the nicename, normalised) when it gives one, else the
    /// name's; a tag new to this run is made with its name first, so the article can name it by slug, and counted (created,
    /// or unchanged when it exists).
    /// </summary>
    /// <param name="notes">A post's notes: the tags beyond what an article takes are named there.</param>
    private static async Task<List<string>> TagsAsync(Run run, IEnumerable<WpTerm> terms, CancellationToken cancellationToken, List<string>? notes = null)
    {
        const int maxLength = 100;
        var named = terms
            .Select(t => (Slug: TermSlug(t) is var slug && slug.Length > maxLength ? slug[..maxLength].TrimEnd('-') : slug,
                Name: AcceptedText.Cut(t.Name.Trim(), maxLength)))
            .ToList();
        if (named.Where(t => t.Slug.Length == 0 && t.Name.Length > 0).Select(t => t.Name).ToList() is { Count: > 0 } unsluggable)
        {
            notes?.Add($"categories and tags left out, as each {HasNoSlugLetters}: {string.Join(", ", unsluggable)}");
        }
        var tags = named.Where(t => t.Slug.Length > 0).DistinctBy(t => t.Slug).ToList();
        if (tags.Count > SaveArticleRequestValidator.MaxTerms)
        {
            notes?.Add($"{tags.Count - SaveArticleRequestValidator.MaxTerms} of its categories and tags left out (an article takes {SaveArticleRequestValidator.MaxTerms} tags): "
                + string.Join(", ", tags.Skip(SaveArticleRequestValidator.MaxTerms).Select(t => t.Name)));
            tags = tags[..SaveArticleRequestValidator.MaxTerms];
        }
        var unseen = tags.Where(t => run.TagSlugs.Add(t.Slug)).Select(t => (t.Slug, Name: t.Name.Length == 0 ? t.Slug : t.Name)).ToList();
        if (unseen.Count > 0)
        {
            var slugs = unseen.Select(t => t.Slug).ToList();
            var existing = await run.ReferencesDb.Set<Tag>().Where(t => slugs.Contains(t.Slug)).Select(t => t.Slug).ToListAsync(cancellationToken);
            var counts = run.Report.Kind(TagsKind);
            counts.Unchanged += existing.Count;
            counts.Created += unseen.Count - existing.Count;
            if (!run.Options.DryRun && existing.Count < unseen.Count)
            {
                await ArticleReferences.EnsureTagsAsync(run.ReferencesDb, [.. unseen.Where(t => !existing.Contains(t.Slug))], cancellationToken);
            }
        }
        return [.. tags.Select(t => t.Slug)];
    }

    /// <summary>
    /// Fetches in a row from one host that found no server before its pictures are no longer asked for: an import on a box
    /// without a way out (or from a site that is gone) would otherwise wait out each picture's timeout, 30 s apiece.
    /// </summary>
    private const int UnreachableAfter = 3;

    /// <summary>Pictures fetched at once: a picture is mostly waiting on the site, and as many as the REST reader's requests keep it polite.</summary>
    private const int PictureFetches = WpRestArchive.Concurrency;

    /// <summary>
    /// With <c>--media download</c>, each picture new to the run goes into the media library (fetched with the SSRF rules,
    /// deduplicated by content, once per URL per run), <see cref="PictureFetches"/> at a time: a chunk's while the lanes
    /// write the chunk before. One that cannot be fetched stays a link, noted in the notes it came with (the first post's
    /// that shows it), in order.
    /// </summary>
    /// <returns>How many were downloaded, for the report (the caller holds <see cref="Run.Shared"/> or takes it).</returns>
    private async Task<int> FetchPicturesAsync(Run run, IEnumerable<(List<string> Notes, Block Picture)> pictures, CancellationToken cancellationToken)
    {
        if (run.Options.Media != MediaMode.Download || run.Options.DryRun)
        {
            return 0;
        }
        var claimed = new List<(List<string> Notes, Block Picture, TaskCompletionSource<Guid?> Asset)>();
        foreach (var (notes, picture) in pictures)
        {
            var asset = new TaskCompletionSource<Guid?>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (run.Assets.TryAdd(picture.Url!, asset.Task))
            {
                claimed.Add((notes, picture, asset));
            }
        }
        if (claimed.Count == 0)
        {
            return 0;
        }
        var outcomes = new string?[claimed.Count];
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, claimed.Count), new ParallelOptions { MaxDegreeOfParallelism = PictureFetches, CancellationToken = cancellationToken },
                async (i, token) =>
                {
                    (var asset, outcomes[i]) = await FetchPictureAsync(run, claimed[i].Picture, token);
                    claimed[i].Asset.SetResult(asset);
                });
        }
        finally
        {
            // A fetch cut short (the run stopping) leaves its picture a link for a post that waits on it.
            foreach (var (_, _, asset) in claimed)
            {
                asset.TrySetResult(null);
            }
        }
        foreach (var ((notes, _, _), note) in claimed.Zip(outcomes))
        {
            if (note is not null)
            {
                notes.Add(note);
            }
        }
        return outcomes.Count(note => note is null);
    }

    /// <summary>The pictures a post shows: its body's image blocks (not those of its quotes), then its featured picture.</summary>
    private static IEnumerable<Block> PicturesOf(Run run, WpItem item, Draft draft)
    {
        var pictures = draft.Body.Blocks.Where(p => p.Quote is null && p.Block.Type == BlockTypes.Image).Select(p => p.Block);
        return FeaturedPicture(run, item, notes: null) is { } featured ? pictures.Append(featured) : pictures;
    }

    /// <summary>Fetches and stores one picture: its asset, or why it stays a link.</summary>
    private async Task<(Guid? Asset, string? Note)> FetchPictureAsync(Run run, Block picture, CancellationToken cancellationToken)
    {
        var url = picture.Url!;
        var host = run.PictureHosts.GetOrAdd(new Uri(url).Host, name => new PictureHost(name));
        using var turn = await host.TurnAsync(cancellationToken);
        if (host.IsGivenUp)
        {
            return (null, $"picture {url} kept as a link: {host.Name} did not answer {UnreachableAfter} fetches in a row earlier in this import");
        }
        await using var scope = scopes.CreateAsyncScope();
        using var bulk = BulkWrites.Begin(scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>());
        var pictures = scope.ServiceProvider.GetRequiredService<AssetWrites>();
        var (bytes, filename, refusal) = await pictures.FetchAsync(url, cancellationToken);
        host.Fetched(answered: refusal?.Unreachable != true);
        try
        {
            // A caption belongs to the post that gave it (a figcaption): the library record has the attachment's, if any.
            var described = run.AttachmentsByUrl.GetValueOrDefault(url);
            var alt = AcceptedText.Cut(described?.Alt, BlockValidator.MaxAltLength) ?? picture.Alt;
            var caption = AcceptedText.Cut(described?.Caption, BlockValidator.MaxCaptionLength);
            var (stored, refused) = bytes is null ? (null, refusal) : await pictures.StoreAsync(new AssetUpload(bytes, filename, alt, caption, null), cancellationToken);
            return stored is null ? (null, $"picture {url} kept as a link: {refused!.Detail}") : (stored.Asset.Id, null);
        }
        catch (DbUpdateException e) when (!e.IsServerGone())
        {
            return (null, $"picture {url} kept as a link: not saved in the media library: {(e.InnerException ?? e).Message}");
        }
    }

    /// <summary>
    /// A host pictures come from. Until it has answered once its pictures are asked for one at a time, so one that never
    /// answers is asked <see cref="UnreachableAfter"/> times in all, not that many per concurrent fetch; then as many at a
    /// time as the import fetches.
    /// </summary>
    private sealed class PictureHost(string name) : IDisposable
    {
        private readonly SemaphoreSlim _untried = new(1, 1);
        private volatile bool _answered;
        private int _notAnswering;

        public string Name => name;

        /// <summary>Whether its last <see cref="UnreachableAfter"/> fetches found no server: its other pictures are not asked for.</summary>
        public bool IsGivenUp => Volatile.Read(ref _notAnswering) >= UnreachableAfter;

        /// <summary>Waits for a turn to fetch from the host (one at a time until it has answered); disposing it ends the turn.</summary>
        public async Task<IDisposable?> TurnAsync(CancellationToken cancellationToken)
        {
            if (_answered)
            {
                return null;
            }
            await _untried.WaitAsync(cancellationToken);
            if (_answered)
            {
                _untried.Release();
                return null;
            }
            return new Turn(_untried);
        }

        public void Fetched(bool answered)
        {
            if (answered)
            {
                Volatile.Write(ref _notAnswering, 0);
                _answered = true;
            }
            else
            {
                Interlocked.Increment(ref _notAnswering);
            }
        }

        public void Dispose() => _untried.Dispose();

        private sealed class Turn(SemaphoreSlim gate) : IDisposable
        {
            public void Dispose() => gate.Release();
        }
    }

    /// <summary>The image block as the article shows it: the fetched asset, else the link (counted as failed when it was to be fetched).</summary>
    private static async Task<Block> PictureAsync(Run run, ImportReport tally, Block image)
    {
        if (run.Options.Media != MediaMode.Download || run.Options.DryRun)
        {
            tally.Images.Linked++;
            return image;
        }
        if (run.Assets.TryGetValue(image.Url!, out var fetching) && await fetching is { } assetId)
        {
            // A picture WordPress showed without a caption keeps none: delivery would fill in the library record's.
            return image with { Url = null, AssetId = assetId, Caption = image.Caption ?? string.Empty };
        }
        tally.Images.Failed++;
        return image;
    }

    /// <param name="unused">The article's quotes from an earlier import not used yet: one with the same text and speaker is this one (and used).</param>
    private async Task<Block> QuoteBlockAsync(
        HeadlessNewsDbContext db, Run run, ImportReport tally, QuoteDraft draft, List<EarlierQuote> unused, CancellationToken cancellationToken)
    {
        var text = AcceptedText.Cut(draft.Text, 5000);
        var speaker = AcceptedText.Cut(draft.Speaker, 200);
        if (unused.FirstOrDefault(q => q.Text == text.Trim() && q.Speaker == speaker.Trim()) is { } same)
        {
            unused.Remove(same);
            tally.Kind(QuotesKind).Unchanged++;
            return new Block { Type = BlockTypes.Quote, QuoteId = same.Id };
        }
        if (run.Options.DryRun)
        {
            tally.Kind(QuotesKind).Created++;
            return new Block { Type = BlockTypes.Quote, QuoteId = Guid.CreateVersion7() };
        }
        var quote = await QuoteWrites.CreateAsync(db, clock, new SaveQuoteRequest(text, new Speaker(speaker, null, null), null, null, null, null), cancellationToken);
        if (quote.Refusal is { } refusal)
        {
            return new Block { Type = BlockTypes.Paragraph, Html = $"<em>{System.Net.WebUtility.HtmlEncode(text)}</em> ({refusal.Detail})" };
        }
        tally.Kind(QuotesKind).Created++;
        return new Block { Type = BlockTypes.Quote, QuoteId = quote.Value!.Id };
    }

    /// <summary>
    /// The author for a WordPress login: found by slug (the normalised login), else created from the export's author list.
    /// Authors are the newsroom's, not a site's: the same login on another site (or a name changed in WordPress) is the
    /// author already here, reported when the export names them otherwise.
    /// </summary>
    private async Task<string?> AuthorAsync(Run run, string login, CancellationToken cancellationToken)
    {
        if (run.AuthorSlugs.TryGetValue(login, out var known))
        {
            return known;
        }
        var slug = Slugs.From(login);
        if (slug.Length == 0)
        {
            return null;
        }
        var exported = run.Archive.Authors.GetValueOrDefault(login);
        var name = exported?.DisplayName ?? login;
        var counts = run.Report.Kind(AuthorsKind);
        var db = run.ReferencesDb;
        if (await db.Set<Author>().Where(a => a.Slug == slug).Select(a => a.Name).FirstOrDefaultAsync(cancellationToken) is { } existing)
        {
            counts.Unchanged++;
            if (exported?.DisplayName is { } exportedName && !string.Equals(existing, AcceptedText.Cut(exportedName, 200), StringComparison.Ordinal))
            {
                run.Report.Report(login, exportedName, "unchanged",
                    $"author: the login {login} is the author {existing} here already (slug {slug}): their posts are bylined {existing}, not {exportedName}");
            }
        }
        else if (!run.Options.DryRun && (await AuthorWrites.CreateAsync(db, clock, new SaveAuthorRequest(AcceptedText.Cut(name, 200), slug, null, AcceptedText.Cut(exported?.Bio, 5000)), cancellationToken)).Refusal is { } refusal)
        {
            run.Report.Report(login, name, "failed", $"author: {refusal.Detail}");
            counts.Failed++;
            return run.AuthorSlugs[login] = null;
        }
        else
        {
            counts.Created++;
        }
        return run.AuthorSlugs[login] = slug;
    }

    /// <summary>A category's or tag's slug: its normalised nicename, else its name's; empty when neither has a letter or digit a slug holds.</summary>
    private static string TermSlug(WpTerm term) => Slugs.From(term.Slug.Length > 0 ? term.Slug : term.Name);

    /// <summary>Why a term in a script our slugs cannot spell (Greek, Cyrillic, Chinese…) is left out.</summary>
    private const string HasNoSlugLetters = "has no letter or digit a slug can hold (a-z, 0-9)";

    /// <summary>The section for a category: found by slug (the normalised nicename), else created.</summary>
    private async Task<string?> SectionAsync(Run run, WpTerm category, CancellationToken cancellationToken)
    {
        var slug = TermSlug(category);
        if (run.SectionSlugs.TryGetValue(slug, out var known) || slug.Length == 0)
        {
            return slug.Length == 0 ? null : known;
        }
        var counts = run.Report.Kind(SectionsKind);
        var db = run.ReferencesDb;
        if (await db.Set<Section>().AnyAsync(s => s.Slug == slug, cancellationToken))
        {
            counts.Unchanged++;
        }
        else if (!run.Options.DryRun && (await SectionWrites.CreateAsync(db, clock, new SaveSectionRequest(AcceptedText.Cut(category.Name, 200), slug, null), cancellationToken)).Refusal is { } refusal)
        {
            run.Report.Report(category.Slug, category.Name, "failed", $"section: {refusal.Detail}");
            counts.Failed++;
            return run.SectionSlugs[slug] = null;
        }
        else
        {
            counts.Created++;
        }
        return run.SectionSlugs[slug] = slug;
    }

    /// <summary>
    /// Writes the post through the article write core with its source identity and old URLs, in the chunk's transaction: a
    /// new post in one save (created published if it is published), a changed one as a new revision and its status, then
    /// its bookkeeping. A slug another article has (two posts with one name, or content made here) gets the post id added
    /// (numbered if that is taken too).
    /// </summary>
    /// <param name="earlierQuotes">The quotes the article had from an earlier import: those it no longer shows, and no other article does, are deleted.</param>
    private async Task<WriteResult<Earlier>> WriteAsync(
        ChunkWrite chunk, Run run, WpItem item, Earlier? earlier, SaveArticleRequest content, string hash, bool hasTitle, List<string> notes,
        List<EarlierQuote> earlierQuotes, CancellationToken cancellationToken)
    {
        var db = chunk.Db;
        var wantsPublished = item.Status is "publish" or "future" && !item.HasPassword && hasTitle;
        if (earlier is not null)
        {
            var updated = await UpdateAsync(db, item, earlier, content, wantsPublished, notes, cancellationToken);
            // A post whose slug another article had was given its own at first (see below): it keeps that one.
            if (updated.Refusal is SlugTaken && content.Slug != earlier.Slug)
            {
                db.ChangeTracker.Clear();
                updated = await UpdateAsync(db, item, earlier, content with { Slug = earlier.Slug }, wantsPublished, notes, cancellationToken);
            }
            if (updated.Refusal is { } refused)
            {
                return refused;
            }
            Forget(db);
            var bookkept = Bookkeeping(chunk, run, item, earlier, updated.Value!, hash, notes);
            await db.SaveChangesAsync(cancellationToken);
            await DeleteLeftQuotesAsync(db, earlierQuotes.Select(q => q.Id).Except((content.Body ?? []).Where(b => b.QuoteId is not null).Select(b => b.QuoteId!.Value)).ToList(), cancellationToken);
            return bookkept;
        }
        Earlier? created = null;
        void SaveAlongside(ArticleResponse article) => created = Bookkeeping(chunk, run, item, null, article, hash, notes);
        var group = TranslationGroup(run.Archive.Key, item);
        var written = await CreateAsync(db, item, content, wantsPublished, group, SaveAlongside, notes, cancellationToken);
        if (written.Refusal is SlugTaken && content.Slug is { } slug)
        {
            db.ChangeTracker.Clear();
            // The post id added, and if another article has that too (a post of another site with the same name and id), numbered.
            var suffix = "-" + Slugs.From(item.PostId);
            var instead = await ArticleWrites.FirstFreeSlugAsync(db, slug[..Math.Min(slug.Length, Slugs.MaxLength - suffix.Length)].TrimEnd('-') + suffix, cancellationToken);
            notes.Add($"slug '{slug}' was taken: imported as '{instead}'");
            written = await CreateAsync(db, item, content with { Slug = instead }, wantsPublished, group, SaveAlongside, notes, cancellationToken);
        }
        return written.Refusal is { } refusal ? refusal : created!;
    }

    /// <summary>
    /// Deletes the quotes an earlier import of a post made that its new version no longer shows, unless an article uses
    /// them (an editor put one in another story): a re-import leaves no quote behind that nothing shows.
    /// </summary>
    private async Task DeleteLeftQuotesAsync(HeadlessNewsDbContext db, List<Guid> left, CancellationToken cancellationToken)
    {
        if (left.Count == 0)
        {
            return;
        }
        var orphans = await db.Set<Quote>().Where(q => left.Contains(q.Id) && !db.Set<ArticleQuote>().Any(l => l.QuoteId == q.Id))
            .Select(q => new { q.Id, q.Version }).ToListAsync(cancellationToken);
        foreach (var orphan in orphans)
        {
            if (await QuoteWrites.DeleteAsync(db, usage, orphan.Id, ExpectedVersion.Of(orphan.Version), cancellationToken) is { } refused)
            {
                throw new PostRefused($"a quote its earlier import made could not be deleted: {refused.Detail}");
            }
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// Adds the post's source identity and its old URLs as redirects to the context, to be saved with the article. An old
    /// URL that already leads elsewhere (another site's <c>/?p=1</c>, a hand-made redirect) keeps leading there: noted.
    /// </summary>
    private Earlier Bookkeeping(ChunkWrite chunk, Run run, WpItem item, Earlier? earlier, ArticleResponse article, string hash, List<string> notes)
    {
        var remembered = Remember(chunk.Db, run.Archive, item, earlier, article, hash);
        var elsewhere = new List<(string Path, Guid? Holder)>();
        foreach (var path in OldPaths(run.Archive.Site, item))
        {
            if (chunk.KeepPath(path, article.Id, out var holder))
            {
                chunk.Db.Add(new Redirect { Id = Guid.CreateVersion7(), Path = path, ArticleId = article.Id, Origin = RedirectOrigins.Import, CreatedAt = clock.Now() });
            }
            else if (holder != article.Id)
            {
                elsewhere.Add((path, holder));
            }
        }
        foreach (var held in elsewhere.GroupBy(e => e.Holder is not null, e => e.Path))
        {
            var many = held.Count() > 1;
            notes.Add($"its old link{(many ? "s" : string.Empty)} {string.Join(", ", held)} already lead{(many ? string.Empty : "s")} to "
                + $"{(held.Key ? "another article" : "a hand-made redirect")}: not redirected");
        }
        return new Earlier(remembered, article.Version, article.Slug);
    }

    /// <summary>
    /// The post's old URLs that redirect to it: its permalink, <c>/?p=ID</c> (in the site's folder: a subsite's
    /// <c>/gwynedd/?p=ID</c>) and its GUID, and its permalink with each former slug and former date (WordPress redirects
    /// those itself).
    /// </summary>
    private static IEnumerable<string> OldPaths(Uri? site, WpItem item)
    {
        var shortlink = item.PostId.Length > 0 && item.PostId.All(char.IsAsciiDigit) ? $"{site?.AbsolutePath.TrimEnd('/')}/?p={item.PostId}" : null;
        var paths = new List<string?> { item.Link, shortlink, item.SourceGuid };
        if (RedirectPaths.Normalise(item.Link) is { } link && item.PostName is { Length: > 0 } name && link.EndsWith("/" + name, StringComparison.Ordinal)
            && (item.OldSlugs.Count > 0 || item.OldDates.Count > 0))
        {
            var stem = link[..^name.Length];
            var stems = item.OldDates.Select(date => DateInPath().Replace(stem, match => OldDate().Match(date) is { Success: true } old
                ? $"/{old.Groups[1].Value}/{old.Groups[2].Value}/{(match.Groups[3].Success ? old.Groups[3].Value + "/" : string.Empty)}"
                : match.Value, 1)).Prepend(stem).Distinct().ToList();
            paths.AddRange(stems.SelectMany(s => item.OldSlugs.Prepend(name).Select(slug => s + slug)));
        }
        return paths.Select(RedirectPaths.Normalise).OfType<string>().Where(p => p != "/").Distinct();
    }

    /// <summary>A dated permalink's date: <c>/2024/03/</c> or <c>/2024/03/12/</c>.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"/(\d{4})/(\d{2})/(?:(\d{2})/)?")]
    private static partial System.Text.RegularExpressions.Regex DateInPath();

    [System.Text.RegularExpressions.GeneratedRegex(@"^(\d{4})-(\d{2})-(\d{2})")]
    private static partial System.Text.RegularExpressions.Regex OldDate();

    /// <summary>
    /// publish ⇒ published at its date; future ⇒ scheduled (published if the date has passed); anything else a draft. A
    /// post that cannot be published here (no content) stays a draft, reported.
    /// </summary>
    private async Task<WriteResult<ArticleResponse>> CreateAsync(
        HeadlessNewsDbContext db, WpItem item, SaveArticleRequest content, bool wantsPublished, Guid? group, Action<ArticleResponse> alongside, List<string> notes,
        CancellationToken cancellationToken)
    {
        Task<WriteResult<ArticleResponse>> Write(bool published) => published
            ? ArticleWrites.CreatePublishedAsync(db, clock, Importer, content, PublishDate(item), alongside, group, cancellationToken)
            : ArticleWrites.CreateAsync(db, clock, Importer, content, alongside, group, cancellationToken);
        var written = await Write(wantsPublished);
        if (written.Refusal is EditionTaken taken)
        {
            notes.Add($"not linked to its Polylang translations: {taken.Detail}");
            db.ChangeTracker.Clear();
            group = null;
            written = await Write(wantsPublished);
        }
        if (written.Refusal is StateConflict refusal)
        {
            notes.Add($"{item.Status} in WordPress but imported as a draft: {refusal.Detail}");
            db.ChangeTracker.Clear();
            written = await Write(published: false);
        }
        return written;
    }

    /// <summary>
    /// The story a post with Polylang translations is an edition of: one id per translation set of the site, the same on
    /// every run, so each translation joins the others whichever is imported first.
    /// </summary>
    private static Guid? TranslationGroup(string archiveKey, WpItem item)
    {
        if (item.TranslationSet is not { } set)
        {
            return null;
        }
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{archiveKey}\n{set}"));
        // Version 8 (custom), RFC 9562 variant.
        hash[7] = (byte)(hash[7] & 0x0F | 0x80);
        hash[8] = (byte)(hash[8] & 0x3F | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    /// <summary>The changed post as a new revision, then its status brought in line with WordPress's.</summary>
    private async Task<WriteResult<ArticleResponse>> UpdateAsync(
        HeadlessNewsDbContext db, WpItem item, Earlier earlier, SaveArticleRequest content, bool wantsPublished, List<string> notes, CancellationToken cancellationToken)
    {
        var updated = await ArticleWrites.UpdateAsync(db, clock, Importer, earlier.Item.ArticleId, ExpectedVersion.Of(earlier.Version), content, mayChangeEmbargo: true, cancellationToken);
        if (updated.Refusal is not null)
        {
            return updated;
        }
        db.ChangeTracker.Clear();
        var article = updated.Value!;
        var isPublished = article.Status is ArticleStatus.Published or ArticleStatus.Scheduled;
        if (isPublished && (!wantsPublished || article.PublishAt != Whole(PublishDate(item))))
        {
            article = Changed(await ArticleWrites.UnpublishAsync(db, clock, Importer, article.Id, ExpectedVersion.Of(article.Version), cancellationToken), article, db);
            isPublished = false;
        }
        if (wantsPublished && !isPublished)
        {
            var published = await ArticleWrites.PublishAsync(db, clock, Importer, article.Id, ExpectedVersion.Of(article.Version), PublishDate(item), cancellationToken);
            if (published.Refusal is { } refusal)
            {
                notes.Add($"{item.Status} in WordPress but imported as a draft: {refusal.Detail}");
            }
            article = Changed(published, article, db);
        }
        return article;
    }

    /// <summary>The article after a status change (or as it was, if refused), with the context ready for the next write.</summary>
    private static ArticleResponse Changed(WriteResult<ArticleResponse> result, ArticleResponse before, HeadlessNewsDbContext db)
    {
        db.ChangeTracker.Clear();
        return result.Value ?? before;
    }

    /// <summary>The post's date: its GMT date, else (WordPress left it 0000-00-00) its local date taken as UTC.</summary>
    private static DateTimeOffset? PublishDate(WpItem item) => item.DateGmt ?? item.LocalDate;

    private static DateTimeOffset? Whole(DateTimeOffset? at) => at is { } value ? ArticleVisibility.ToWholeSecond(value) : null;

    /// <summary>Keeps the source identity of the post, to be saved with it.</summary>
    private ImportedItem Remember(HeadlessNewsDbContext db, WordPressArchive archive, WpItem item, Earlier? earlier, ArticleResponse article, string hash)
    {
        var imported = earlier?.Item ?? new ImportedItem { Source = archive.Key, SourceId = item.PostId, SourceHash = hash };
        if (earlier is null)
        {
            db.Add(imported);
        }
        else
        {
            db.Attach(imported);
        }
        imported.ArticleId = article.Id;
        imported.SourceHash = hash;
        imported.ImportedVersion = article.Version;
        imported.ImportedAt = clock.Now();
        return imported;
    }

    /// <summary>One eviction and one <c>import.completed</c> event for the whole run.</summary>
    private async Task FinishAsync(ImportReport report, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        var id = Guid.CreateVersion7();
        db.Record(clock, ContentEventTypes.ImportCompleted, "import", id, report.Source, 1).Data = JsonSerializer.Serialize(ImportCompletedData.Of(id, report), JsonSerializerOptions.Web);
        await db.SaveChangesAsync(cancellationToken);
        await cache.EvictAsync([CacheTags.All], cancellationToken);
        logger.LogInformation("WordPress import of {Source} finished", report.Source);
    }

    /// <summary>
    /// What the import took from the post, hashed: the same hash on a re-run means nothing changed. The media mode counts
    /// only for a post that shows pictures (one without is the same whatever the mode; the default stands in, so hashes
    /// recorded before this rule still match).
    /// </summary>
    private static string SourceHash(WpItem item, MediaMode media) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
        JsonSerializer.Serialize(new { item, media = ShowsPictures(item) ? media : MediaMode.Download }, HashJson))));

    /// <summary>Whether the post may show a picture: a featured image, or markup that can hold one (over-inclusive, never under).</summary>
    private static bool ShowsPictures(WpItem item) =>
        item.Meta.ContainsKey("_thumbnail_id")
        || item.Content is { } html && PictureMarkers.Any(marker => html.Contains(marker, StringComparison.OrdinalIgnoreCase));

    private static readonly string[] PictureMarkers = ["<img", "[gallery", "wp:cover", "wp:gallery", "wp:media-text", "background-image"];
}
