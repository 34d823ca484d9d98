namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>
/// Writes a problem when the framework's writer declines because the request's <c>Accept</c> names no JSON type (say
/// <c>application/xml</c>): the API has no other error format, and with no writer willing a 401 challenge or a mapped
/// exception became a bodiless 500, and a status-code page a text/plain body. Registered after the framework's writer,
/// it answers only what that one refuses, and hands the writing back to it so every problem has the same members.
/// </summary>
internal sealed class ProblemWriterForAnyAccept(IServiceProvider services) : IProblemDetailsWriter
{
    private IProblemDetailsWriter? frameworkWriter;

    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        // Resolved on first use: the writers are one enumerable that includes this one.
        frameworkWriter ??= services.GetServices<IProblemDetailsWriter>().First(writer => writer is not ProblemWriterForAnyAccept);
        return frameworkWriter.WriteAsync(context);
    }
}
