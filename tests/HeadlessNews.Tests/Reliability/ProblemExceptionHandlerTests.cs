using System.Net.Sockets;
using HeadlessNews.Api.Infrastructure.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace HeadlessNews.Tests.Reliability;

public sealed class ProblemExceptionHandlerTests
{
    private static async Task<(int Status, (string Category, LogLevel Level, string Message, string Text) Entry)> HandleAsync(Exception exception)
    {
        var logs = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(logs));
        await using var services = new ServiceCollection().AddProblemDetails().AddLogging().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = new MemoryStream();

        Assert.True(await new ProblemExceptionHandler(loggers.CreateLogger<ProblemExceptionHandler>()).TryHandleAsync(context, exception, CancellationToken.None));
        return (context.Response.StatusCode, Assert.Single(logs.Entries));
    }

    [Fact]
    public async Task An_unreachable_database_is_a_503_logged_as_one_line_without_a_stack_trace()
    {
        var (status, entry) = await HandleAsync(new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused)));

        Assert.Equal(503, status);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains("database unavailable: NpgsqlException: Failed to connect to 127.0.0.1:5432 <- SocketException:", entry.Message, StringComparison.Ordinal);
        Assert.EndsWith("| ", entry.Text, StringComparison.Ordinal); // the captured text ends with the exception: none attached
    }

    [Fact]
    public async Task An_unexpected_failure_is_a_500_logged_as_an_error_with_its_exception()
    {
        var (status, entry) = await HandleAsync(new InvalidOperationException("a bug"));

        Assert.Equal(500, status);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Contains("InvalidOperationException: a bug", entry.Text, StringComparison.Ordinal);
    }
}
