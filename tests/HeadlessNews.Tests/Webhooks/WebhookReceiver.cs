using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HeadlessNews.Tests.Webhooks;

public sealed record ReceivedWebhook(string Id, string Timestamp, string Signature, string Body, DateTimeOffset At);

/// <summary>A real HTTP server on loopback that records every webhook it receives and answers as the test says.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>Decides the status code for each request (default 200); may delay to simulate a slow receiver.</summary>
    public Func<ReceivedWebhook, CancellationToken, Task<int>> Respond { get; set; } = (_, _) => Task.FromResult(StatusCodes.Status200OK);

    /// <summary>The answer's content type and bytes (default: a line of plain text naming the message).</summary>
    public (string? ContentType, byte[] Bytes)? Answer { get; set; }

    public string Url => _app.Urls.First() + "/hooks/newsroom";

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var receiver = new WebhookReceiver(builder.Build());
        receiver._app.MapPost("/hooks/newsroom", receiver.HandleAsync);
        await receiver._app.StartAsync();
        return receiver;
    }

    /// <summary>Requests carrying <paramref name="webhookId"/>.</summary>
    public IReadOnlyList<ReceivedWebhook> For(Guid webhookId) => [.. _received.Where(r => r.Id == webhookId.ToString())];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var received = new ReceivedWebhook(
            context.Request.Headers["webhook-id"].ToString(),
            context.Request.Headers["webhook-timestamp"].ToString(),
            context.Request.Headers["webhook-signature"].ToString(),
            await reader.ReadToEndAsync(context.RequestAborted),
            DateTimeOffset.UtcNow);
        _received.Enqueue(received);
        try
        {
            context.Response.StatusCode = await Respond(received, context.RequestAborted);
            if (context.Response.StatusCode == StatusCodes.Status204NoContent)
            {
                return;
            }
            var (contentType, bytes) = Answer ?? ("text/plain; charset=utf-8", Encoding.UTF8.GetBytes($"Received by the Conwy test receiver: {received.Id}"));
            context.Response.ContentType = contentType;
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The dispatcher gave up waiting (a timeout test); nothing left to answer.
        }
    }
}
