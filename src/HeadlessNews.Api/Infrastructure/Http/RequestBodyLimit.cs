namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>A larger body limit than <see cref="HttpLimitsOptions.MaxRequestBodyBytes"/> for the requests a feature names (e.g. uploads).</summary>
public sealed record RequestBodyLimit(Func<HttpRequest, bool> Applies, long MaxBytes);

public static class MultipartBodies
{
    /// <summary>
    /// Whether reading a form failed because the body ends early or breaks the format (the client's: a 400), rather than
    /// because the server stopped it at the body size limit: Kestrel's 413 for a chunked body is an IOException too, and
    /// is left to the exception handler.
    /// </summary>
    public static bool IsMalformed(Exception exception) =>
        exception is InvalidDataException or IOException and not BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge };
}
