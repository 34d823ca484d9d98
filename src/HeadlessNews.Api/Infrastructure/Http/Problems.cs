
namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>The one place that turns domain failures into RFC 9457 problem responses.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not Found");

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

    public static ProblemHttpResult Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict", extensions: extensions);

    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad Request");

    public static ProblemHttpResult PreconditionRequired() =>
        TypedResults.Problem(
            "This request changes a resource, so it must carry If-Match with the version you last read (the ETag, e.g. \"3\").",
            statusCode: StatusCodes.Status428PreconditionRequired, title: "Precondition Required");

    public static ProblemHttpResult PreconditionFailed(int currentVersion) =>
        TypedResults.Problem(
            $"If-Match must be the one version you last read, and this resource is now at version {currentVersion}: reload it, reapply your change and send If-Match: \"{currentVersion}\".",
            statusCode: StatusCodes.Status412PreconditionFailed, title: "Precondition Failed",
            extensions: new Dictionary<string, object?> { ["currentVersion"] = currentVersion });

    /// <summary>A 503 for work refused while a node is full, with <c>Retry-After</c>.</summary>
    public static ProblemHttpResult ServiceUnavailable(HttpContext http, string detail, int retryAfterSeconds)
    {
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service Unavailable");
    }

    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors) =>
        TypedResults.Problem(
            ValidationDetail, statusCode: StatusCodes.Status400BadRequest, title: ValidationTitle,
            extensions: new Dictionary<string, object?> { ["errors"] = errors });

    public static ProblemHttpResult Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>The problem a JSON body with a refused character gets (<see cref="AcceptedText"/>), for text read otherwise (a form field).</summary>
    public static ProblemHttpResult InvalidText(string field, int codePoint)
    {
        var message = InvalidTextException.Describe(codePoint);
        return TypedResults.Problem(
            $"{field}: {message}", statusCode: StatusCodes.Status400BadRequest, title: "Invalid text",
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });
    }

    public const string ValidationTitle = "Validation failed";
    public const string ValidationDetail = "One or more fields are invalid; see errors.";
    /// <summary>RFC 9110's name for 413, which the framework's own 413 problems carry.</summary>
    public const string TooLargeTitle = "Content Too Large";
    public const string TooLargeDetail = "The request body is larger than this API accepts.";
    public const string UnsupportedMediaTypeDetail = "Send the body as application/json.";

    /// <summary>Status codes ASP.NET Core has no problem type for.</summary>
    private static readonly Dictionary<int, string> Types = new()
    {
        [StatusCodes.Status413PayloadTooLarge] = "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        [StatusCodes.Status414UriTooLong] = "https://tools.ietf.org/html/rfc9110#section-15.5.15",
        [StatusCodes.Status428PreconditionRequired] = "https://tools.ietf.org/html/rfc6585#section-3",
        [StatusCodes.Status429TooManyRequests] = "https://tools.ietf.org/html/rfc6585#section-4",
        [StatusCodes.Status431RequestHeaderFieldsTooLarge] = "https://tools.ietf.org/html/rfc6585#section-5",
    };

    /// <summary>
    /// Completes every problem the API writes, its own and the framework's (status-code pages, binding failures): the
    /// request path as <c>instance</c>, a <c>type</c> for every status, and a <c>detail</c> where the framework gives none.
    /// </summary>
    public static void Complete(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var request = context.HttpContext.Request;
        problem.Instance ??= request.Path;
        if (problem.Status == StatusCodes.Status413PayloadTooLarge && !context.HttpContext.Response.HasStarted)
        {
            // The rest of the body is never read, so the server ends the connection after this answer: say so (RFC 9112 9.6).
            context.HttpContext.Response.Headers.Connection = "close";
        }
        problem.Type ??= problem.Status is { } status && Types.TryGetValue(status, out var type) ? type : "about:blank";
        problem.Detail ??= problem.Status switch
        {
            StatusCodes.Status404NotFound => "Nothing is found at this URL.",
            StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not allowed here; the Allow header lists what is.",
            StatusCodes.Status413PayloadTooLarge => TooLargeDetail,
            StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaTypeDetail,
            _ => null,
        };
    }

    public static async Task WriteAsync(HttpContext context, int status, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        context.Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[key] = value;
        }
        await context.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
