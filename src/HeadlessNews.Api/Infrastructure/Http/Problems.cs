using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>The one place that turns domain failures into RFC 9457 problem responses.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict", extensions: extensions);

    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");

    public static ProblemHttpResult PreconditionRequired() =>
        TypedResults.Problem(
            "This request changes a resource, so it must carry If-Match with the version you last read (the ETag, e.g. \"3\").",
            statusCode: StatusCodes.Status428PreconditionRequired, title: "Precondition required");

    public static ProblemHttpResult PreconditionFailed(int currentVersion) =>
        TypedResults.Problem(
            $"The resource has changed since you read it; it is now at version {currentVersion}. Reload it, reapply your change and send If-Match: \"{currentVersion}\".",
            statusCode: StatusCodes.Status412PreconditionFailed, title: "Precondition failed",
            extensions: new Dictionary<string, object?> { ["currentVersion"] = currentVersion });

    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors) =>
        TypedResults.Problem(
            "One or more fields are invalid; see errors.", statusCode: StatusCodes.Status400BadRequest, title: "Validation failed",
            extensions: new Dictionary<string, object?> { ["errors"] = errors });

    public static ProblemHttpResult Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

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
