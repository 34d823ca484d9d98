// Load client for live blog streams (bench/live.sh): keeps N real SSE connections over raw sockets (HTTP/1.0, so the
// body is the plain event stream), writes entries through the management API and measures delivery latency, then makes
// every reader drop and reconnect with Last-Event-ID while entries keep coming, and checks each reader saw every event
// id exactly once, in order. With a write URL (args[7]) the entries go through that node and the readers stay on the
// first: the latency is then node A write => node B reader.
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

var baseUri = new Uri(args[0]);
var slug = args[1];
var articleId = args[2];
var key = args[3];
var readerCount = int.Parse(args[4]);
var entries = args.Length > 5 ? int.Parse(args[5]) : 10;
var stormSeconds = args.Length > 6 ? double.Parse(args[6]) : 5;
// Two nodes: entries are written through another node's API (args[7]) while the readers stay on args[0].
var writeUri = args.Length > 7 ? new Uri(args[7]) : baseUri;
var endpoint = new IPEndPoint(IPAddress.Parse(baseUri.Host), baseUri.Port);
var clock = Stopwatch.StartNew();
var sentAt = new double[10_000];
using var http = new HttpClient { BaseAddress = writeUri };
http.DefaultRequestHeaders.Authorization = new("Bearer", key);
var written = 0;

async Task WriteEntryAsync()
{
    var n = Interlocked.Increment(ref written);
    sentAt[n] = clock.Elapsed.TotalMilliseconds;
    var response = await http.PostAsJsonAsync($"/v1/manage/articles/{articleId}/entries",
        new { body = new[] { new { type = "paragraph", html = $"Bench entry bench-{n}-end at {DateTime.UtcNow:O}." } } });
    response.EnsureSuccessStatusCode();
}

var readers = Enumerable.Range(0, readerCount).Select(i => new Reader(i, endpoint, slug, clock, sentAt)).ToArray();
Console.WriteLine($"connecting {readerCount} readers…");
var connectClock = Stopwatch.StartNew();
foreach (var batch in readers.Chunk(200))
{
    await Task.WhenAll(batch.Select(r => r.ConnectAsync(null)));
}
Console.WriteLine($"connected {readers.Count(r => r.Connected)} in {connectClock.Elapsed.TotalSeconds:F1} s; failures {readers.Sum(r => r.Failures)}");
await WaitAsync(() => readers.All(r => r.GotRetry), TimeSpan.FromSeconds(60));
Console.WriteLine("READY");
Console.In.ReadLine(); // the script samples RSS and database connections, then lets the run go on

// Latency: one entry every 2 s; each reader records when each arrived.
for (var i = 0; i < entries; i++)
{
    await WriteEntryAsync();
    await Task.Delay(2000);
}
await WaitAsync(() => readers.All(r => r.Highest(written)), TimeSpan.FromSeconds(30));
var latencies = readers.SelectMany(r => r.Latencies).Order().ToArray();
var expected = (long)readerCount * entries;
Console.WriteLine($"RESULT latency deliveries={latencies.Length}/{expected} p50={Percentile(latencies, 0.50):F0}ms p95={Percentile(latencies, 0.95):F0}ms p100={latencies.LastOrDefault():F0}ms within1s={latencies.Count(l => l <= 1000) * 100.0 / Math.Max(1, expected):F2}% within2s={latencies.Count(l => l <= 2000) * 100.0 / Math.Max(1, expected):F2}%");

// Reconnect storm: every reader drops and reconnects with Last-Event-ID at a random moment within stormSeconds,
// while entries keep being written.
Console.WriteLine("storm…");
var stormClock = Stopwatch.StartNew();
var storm = readers.Select(async r =>
{
    await Task.Delay(TimeSpan.FromSeconds(Random.Shared.NextDouble() * stormSeconds));
    r.Drop();
    await r.ConnectAsync(r.LastId.ToString(System.Globalization.CultureInfo.InvariantCulture));
}).ToList();
var writing = Task.Run(async () =>
{
    while (storm.Any(t => !t.IsCompleted))
    {
        await WriteEntryAsync();
        await Task.Delay(500);
    }
});
await Task.WhenAll(storm);
await writing;
Console.WriteLine($"reconnected {readers.Count(r => r.Connected)} in {stormClock.Elapsed.TotalSeconds:F1} s; failures {readers.Sum(r => r.Failures)}");
await WriteEntryAsync();
var caughtUp = await WaitAsync(() => readers.All(r => r.Highest(written)), TimeSpan.FromSeconds(60));
Console.WriteLine($"RESULT storm entries={written} caughtUp={caughtUp} missed={readers.Sum(r => r.Missed)} duplicated={readers.Sum(r => r.Duplicated)} readersBehind={readers.Count(r => !r.Highest(written))} connectFailures={readers.Sum(r => r.Failures)}");
foreach (var r in readers)
{
    r.Drop();
}
return 0;

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

static async Task<bool> WaitAsync(Func<bool> condition, TimeSpan within)
{
    var deadline = Stopwatch.StartNew();
    while (!condition())
    {
        if (deadline.Elapsed > within)
        {
            return false;
        }
        await Task.Delay(100);
    }
    return true;
}

/// <summary>One reader: a socket, a line parser, the ids it saw.</summary>
sealed partial class Reader(int index, IPEndPoint endpoint, string slug, Stopwatch clock, double[] sentAt)
{
    private Socket? _socket;
    private long _firstId = -1;
    private long _benchBase = -1;
    private readonly object _gate = new();

    public bool Connected => _socket?.Connected == true;
    public bool GotRetry { get; private set; }
    public long LastId { get; private set; }
    public int Missed { get; private set; }
    public int Duplicated { get; private set; }
    public int Failures { get; private set; }
    public List<double> Latencies { get; } = [];
    private int _highestBench;

    public bool Highest(int written) => _highestBench >= written;

    public async Task ConnectAsync(string? lastEventId)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endpoint);
                var request = $"GET /v1/articles/{slug}/live HTTP/1.0\r\nHost: {endpoint}\r\nAccept: text/event-stream\r\n"
                    + (lastEventId is null ? "" : $"Last-Event-ID: {lastEventId}\r\n") + "\r\n";
                await socket.SendAsync(Encoding.ASCII.GetBytes(request));
                _socket = socket;
                _ = ReadAsync(socket);
                return;
            }
            catch (SocketException)
            {
                Failures++;
                socket.Dispose();
                await Task.Delay(200 * (attempt + 1));
            }
        }
    }

    public void Drop()
    {
        var socket = _socket;
        _socket = null;
        socket?.Dispose();
    }

    private async Task ReadAsync(Socket socket)
    {
        var buffer = new byte[4096];
        var line = new StringBuilder();
        var headers = true;
        long? id = null;
        string? type = null;
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer);
                if (read == 0)
                {
                    return;
                }
                var now = clock.Elapsed.TotalMilliseconds;
                foreach (var ch in Encoding.UTF8.GetString(buffer, 0, read))
                {
                    if (ch == '\r')
                    {
                        continue;
                    }
                    if (ch != '\n')
                    {
                        line.Append(ch);
                        continue;
                    }
                    var text = line.ToString();
                    line.Clear();
                    if (headers)
                    {
                        if (text.Length == 0)
                        {
                            headers = false;
                        }
                        else if (text.StartsWith("HTTP/", StringComparison.Ordinal) && !text.Contains(" 200 ", StringComparison.Ordinal))
                        {
                            Failures++;
                            return;
                        }
                        continue;
                    }
                    if (text.StartsWith("retry:", StringComparison.Ordinal))
                    {
                        GotRetry = true;
                    }
                    else if (text.StartsWith("id: ", StringComparison.Ordinal))
                    {
                        id = long.Parse(text[4..]);
                    }
                    else if (text.StartsWith("event: ", StringComparison.Ordinal))
                    {
                        type = text[7..];
                    }
                    else if (text.StartsWith("data: ", StringComparison.Ordinal) && id is { } seen && type == "entry.created")
                    {
                        Seen(seen, text, now);
                    }
                    else if (text.Length == 0)
                    {
                        (id, type) = (null, null);
                    }
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Dropped on purpose (storm) or by the server.
        }
    }

    private void Seen(long id, string data, double now)
    {
        lock (_gate)
        {
            if (_firstId < 0)
            {
                _firstId = id;
            }
            else if (id <= LastId)
            {
                Duplicated++;
                return;
            }
            else if (id != LastId + 1)
            {
                Missed += (int)(id - LastId - 1);
            }
            LastId = id;
            var match = BenchNumber().Match(data);
            if (match.Success)
            {
                var n = int.Parse(match.Groups[1].Value);
                _highestBench = Math.Max(_highestBench, n);
                if (_benchBase < 0)
                {
                    _benchBase = id - n;
                }
                if (sentAt[n] > 0)
                {
                    Latencies.Add(now - sentAt[n]);
                }
            }
        }
    }

    [GeneratedRegex(@"bench-(\d+)-end")]
    private static partial Regex BenchNumber();
}
