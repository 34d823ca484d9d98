using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;

// What a search costs in a Lucene.Net index beside the API instead of in PostgreSQL (bench/README.md, issue 23).
//   build <articles.tsv, newest first> <index dir>
//   search <index dir> <queries file> <threads> <seconds> <window: 0 = rank every match, else the newest N matches> <snippets: stored|docvalues|none>
// The ranking mirrors the API's: relevance (BM25 over headline ×4, lead ×2, body) times a recency boost, the page of 20
// cut from the newest `window` matches; a snippet is 220 characters of the first 4,000 around the first word.
const LuceneVersion Version = LuceneVersion.LUCENE_48;
const int SnippetSource = 4000;
var analyzer = new EnglishAnalyzer(Version);

if (args[0] == "build")
{
    Build(args[1], args[2]);
}
else
{
    Search(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture), int.Parse(args[5], CultureInfo.InvariantCulture), args[6]);
}

void Build(string articles, string indexPath)
{
    var started = Stopwatch.StartNew();
    using var directory = FSDirectory.Open(indexPath);
    // A log merge policy keeps documents in the order they were added, so document ids run newest first.
    var config = new IndexWriterConfig(Version, analyzer) { OpenMode = OpenMode.CREATE, RAMBufferSizeMB = 256, MergePolicy = new LogByteSizeMergePolicy() };
    using var writer = new IndexWriter(directory, config);
    var id = new StringField("id", "", Field.Store.YES);
    var published = new NumericDocValuesField("published", 0);
    var headline = new TextField("headline", "", Field.Store.YES);
    var lead = new TextField("lead", "", Field.Store.NO);
    var body = new TextField("body", "", Field.Store.NO);
    var snippetStored = new StoredField("snippet", "");
    var snippetValues = new BinaryDocValuesField("snippet", new BytesRef());
    var document = new Document { id, published, headline, lead, body, snippetStored, snippetValues };
    var count = 0;
    foreach (var line in File.ReadLines(articles))
    {
        var fields = line.Split('\t');
        var text = fields[4];
        var opening = text.Length > SnippetSource ? text[..SnippetSource] : text;
        id.SetStringValue(fields[0]);
        published.SetInt64Value(long.Parse(fields[1], CultureInfo.InvariantCulture));
        headline.SetStringValue(fields[2]);
        lead.SetStringValue(fields[3] + " " + (text.Length > 300 ? text[..300] : text));
        body.SetStringValue(text);
        snippetStored.SetStringValue(opening);
        snippetValues.SetBytesValue(new BytesRef(opening));
        writer.AddDocument(document);
        count++;
    }
    writer.ForceMerge(1);
    writer.Commit();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    Console.WriteLine($"indexed {count:N0} articles in {started.Elapsed.TotalSeconds:F0} s ({cpu.TotalSeconds:F0} s CPU)");
}

void Search(string indexPath, string queriesFile, int threads, int seconds, int window, string snippets)
{
    var queries = File.ReadAllLines(queriesFile).Select(l => l.Split('\t')[0]).Where(l => l.Length > 0).ToArray();
    using var directory = new NIOFSDirectory(indexPath);
    using var reader = DirectoryReader.Open(directory);
    var searcher = new IndexSearcher(reader);
    var segment = reader.Leaves.Single().AtomicReader;
    var newest = segment.GetNumericDocValues("published").Get(0);
    // Doc values iterators keep a position: one each per thread.
    var publishedPerThread = new ThreadLocal<NumericDocValues>(() => segment.GetNumericDocValues("published"));
    var snippetPerThread = new ThreadLocal<BinaryDocValues>(() => segment.GetBinaryDocValues("snippet"));

    int SearchOnce(string text)
    {
        var words = Analyse(text);
        var query = new BooleanQuery();
        foreach (var word in words)
        {
            var anyField = new BooleanQuery
            {
                { new TermQuery(new Term("headline", word)) { Boost = 4 }, Occur.SHOULD },
                { new TermQuery(new Term("lead", word)) { Boost = 2 }, Occur.SHOULD },
                { new TermQuery(new Term("body", word)), Occur.SHOULD },
            };
            query.Add(anyField, Occur.MUST);
        }
        var collector = new RecencyRankedCollector(20, window, publishedPerThread.Value!, newest);
        try
        {
            searcher.Search(query, collector);
        }
        catch (CollectionTerminatedException)
        {
            // The window is full.
        }
        foreach (var hit in collector.Page())
        {
            var source = snippets switch
            {
                "stored" => searcher.Doc(hit).Get("snippet", CultureInfo.InvariantCulture),
                "docvalues" => ReadSnippet(snippetPerThread.Value!, hit),
                _ => "",
            };
            var first = words.Count == 0 ? -1 : source.IndexOf(words[0], StringComparison.OrdinalIgnoreCase);
            var start = Math.Max(0, first - 60);
            _ = source.Substring(start, Math.Min(220, source.Length - start));
        }
        return collector.Seen;
    }

    foreach (var query in queries.Take(1000))
    {
        SearchOnce(query);
    }
    var process = Process.GetCurrentProcess();
    var cpuBefore = process.TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    var latencies = new ConcurrentBag<double>();
    long matchesRead = 0;
    var workers = Enumerable.Range(0, threads).Select(seed => new Thread(() =>
    {
        var random = new Random(seed);
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            var started = Stopwatch.GetTimestamp();
            Interlocked.Add(ref matchesRead, SearchOnce(queries[random.Next(queries.Length)]));
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    })).ToList();
    workers.ForEach(w => w.Start());
    workers.ForEach(w => w.Join());
    process.Refresh();
    var done = latencies.Count;
    var sorted = latencies.Order().ToArray();
    Console.WriteLine($"window {window}, snippets {snippets}, {threads} threads: {done / clock.Elapsed.TotalSeconds:F0} searches/s, " +
        $"{(process.TotalProcessorTime - cpuBefore).TotalMilliseconds / done:F3} ms CPU a search, p50 {sorted[done / 2]:F2} ms, " +
        $"p99 {sorted[(int)(done * 0.99)]:F2} ms, {matchesRead / done} matches read a search");
}

List<string> Analyse(string text)
{
    var words = new List<string>();
    using var stream = analyzer.GetTokenStream("body", text);
    var term = stream.AddAttribute<ICharTermAttribute>();
    stream.Reset();
    while (stream.IncrementToken())
    {
        words.Add(term.ToString());
    }
    stream.End();
    return words;
}

static string ReadSnippet(BinaryDocValues values, int document)
{
    var bytes = new BytesRef();
    values.Get(document, bytes);
    return bytes.Utf8ToString();
}

/// <summary>
/// Scores matches in document order (newest first) until <c>window</c> have been seen (0: all), keeping the best
/// <c>pageSize</c> by relevance times the recency boost 1 + 1 / (1 + age in days / 30).
/// </summary>
internal sealed class RecencyRankedCollector(int pageSize, int window, NumericDocValues published, long newest) : ICollector
{
    private readonly PriorityQueue<int, float> best = new();
    private Scorer? scorer;
    private int documentBase;

    public int Seen { get; private set; }

    public bool AcceptsDocsOutOfOrder => false;

    public void SetScorer(Scorer scorer) => this.scorer = scorer;

    public void SetNextReader(AtomicReaderContext context) => documentBase = context.DocBase;

    public void Collect(int doc)
    {
        if (window > 0 && Seen == window)
        {
            throw new CollectionTerminatedException();
        }
        Seen++;
        var ageDays = (newest - published.Get(doc)) / 86_400f;
        var score = scorer!.GetScore() * (1 + 1 / (1 + ageDays / 30));
        if (best.Count < pageSize)
        {
            best.Enqueue(documentBase + doc, score);
        }
        else if (best.TryPeek(out _, out var lowest) && score > lowest)
        {
            best.DequeueEnqueue(documentBase + doc, score);
        }
    }

    public List<int> Page()
    {
        var page = new List<int>(best.Count);
        while (best.TryDequeue(out var document, out _))
        {
            page.Add(document);
        }
        page.Reverse();
        return page;
    }
}
