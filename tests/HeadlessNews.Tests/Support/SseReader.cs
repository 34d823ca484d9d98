using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace HeadlessNews.Tests.Support;

/// <summary>One Server-Sent Events message as a reader sees it; a comment has only <see cref="Comment"/>.</summary>
public sealed record SseMessage(string? Id, string? Event, string? Data, int? Retry, string? Comment)
{
    public JsonElement Json => JsonDocument.Parse(Data!).RootElement;
}

/// <summary>Reads a real text/event-stream response as it arrives; every wait has a deadline.</summary>
public sealed class SseReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly Channel<SseMessage> _messages = Channel.CreateUnbounded<SseMessage>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;

    private SseReader(HttpResponseMessage response)
    {
        _response = response;
        _pump = PumpAsync();
    }

    public HttpResponseMessage Response => _response;

    public static async Task<SseReader> OpenAsync(HttpClient client, string url, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            Assert.Fail($"The stream answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseReader(response);
    }

    /// <summary>The next message (comments included), or a failure when none arrives within <paramref name="within"/>.</summary>
    public async Task<SseMessage> NextAsync(TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
        try
        {
            return await _messages.Reader.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No message within {within}.");
        }
        catch (ChannelClosedException)
        {
            throw new EndOfStreamException("The stream ended.");
        }
    }

    /// <summary>The next event that is not a comment and not only retry advice.</summary>
    public async Task<SseMessage> NextEventAsync(TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var message = await NextAsync(within - clock.Elapsed > TimeSpan.Zero ? within - clock.Elapsed : TimeSpan.FromMilliseconds(1));
            if (message.Event is not null || message.Data is not null)
            {
                return message;
            }
        }
    }

    /// <summary>True when the server closed the stream within <paramref name="within"/> (messages before that are skipped).</summary>
    public async Task<bool> EndsWithinAsync(TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
        try
        {
            while (await _messages.Reader.WaitToReadAsync(deadline.Token))
            {
                _messages.Reader.TryRead(out _);
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task PumpAsync()
    {
        try
        {
            await using var stream = await _response.Content.ReadAsStreamAsync(_stop.Token);
            using var lines = new StreamReader(stream, Encoding.UTF8);
            string? id = null, type = null, comment = null;
            int? retry = null;
            var data = new List<string>();
            while (await lines.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (id is not null || type is not null || data.Count > 0 || retry is not null || comment is not null)
                    {
                        await _messages.Writer.WriteAsync(new SseMessage(id, type, data.Count > 0 ? string.Join('\n', data) : null, retry, comment));
                    }
                    (id, type, comment, retry) = (null, null, null, null);
                    data.Clear();
                    continue;
                }
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var field = colon < 0 ? line : line[..colon];
                var value = colon < 0 ? string.Empty : line[(colon + 1)..].TrimStart(' ');
                switch (field)
                {
                    case "": comment = value; break;
                    case "id": id = value; break;
                    case "event": type = value; break;
                    case "data": data.Add(value); break;
                    case "retry": retry = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
            // The test stopped reading, or the connection went: the channel's completion says so.
        }
        finally
        {
            _messages.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        await _pump;
        _stop.Dispose();
    }
}
