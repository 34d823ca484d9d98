using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>Maps exceptions to problems: client mistakes to 4xx, an unreachable database to 503, anything else to a bare 500 without details.</summary>
public sealed partial class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 2;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.Response.HasStarted)
        {
            return false;
        }
        var (status, title, detail, errors) = Classify(exception);
        if (exception.IsBrokenConnection())
        {
            // The pools' other idle connections to that server are as dead as this one (see ConnectionPools): a write must
            // not meet each of them in turn either. Npgsql clears a pool itself when the server says it is going (57P01,
            // 57P02); a connection cut at the socket (a stopped or failed-over host) leaves the others for this.
            httpContext.RequestServices.GetService<ConnectionPools>()?.ClearAfterBrokenConnection();
        }
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            // During an outage every request lands here: one short line each, not thousands of stack traces queued
            // behind the console logger (whose full queue blocks the request threads).
            logger.LogWarning("Request failed with 503, database unavailable: {Reason}",
                string.Join(" <- ", Flatten(exception).Select(e => $"{e.GetType().Name}: {e.Message}")));
        }
        else if (status >= 500)
        {
            logger.LogError(exception, "Request failed with {Status}", status);
        }
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        await Problems.WriteAsync(httpContext, status, title, detail,
            errors is null ? null : new Dictionary<string, object?> { ["errors"] = errors });
        return true;
    }

    internal static (int Status, string Title, string Detail, Dictionary<string, string[]>? Errors) Classify(Exception exception) => exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (413, Problems.TooLargeTitle, Problems.TooLargeDetail, null),
        BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } =>
            (415, "Unsupported Media Type", Problems.UnsupportedMediaTypeDetail, null),
        BadHttpRequestException { InnerException: InvalidTextException invalid } =>
            (400, "Invalid text", $"{invalid.Path ?? "$"}: {invalid.Message}", new() { [FieldOf(invalid)] = [invalid.Message] }),
        BadHttpRequestException { InnerException: DateOutOfRangeException date } => Invalid(FieldOf(date), date.Message),
        BadHttpRequestException { InnerException: TimestampWithoutOffsetException missing } => Invalid(FieldOf(missing), TimestampOffsets.MissingIn(FieldOf(missing))),
        BadHttpRequestException { InnerException: JsonException json } => Malformed(json),
        BadHttpRequestException bad when MissingBody().IsMatch(bad.Message) =>
            (400, "Malformed JSON", "This operation needs a JSON object as its body.", null),
        BadHttpRequestException bad when UnboundParameter().Match(bad.Message) is { Success: true } unbound =>
            Invalid(unbound.Groups["name"].Value, $"'{unbound.Groups["value"].Value}' is not a valid value for {unbound.Groups["name"].Value}."),
        BadHttpRequestException bad =>
            (bad.StatusCode, "Bad Request", bad.Message, null),
        JsonException json => Malformed(json),
        NotSupportedException notSupported when notSupported.Message.Contains("JSON", StringComparison.OrdinalIgnoreCase) =>
            (400, "Malformed JSON", "The request body has a shape this operation does not accept (for example a body block without a type).", null),
        _ when IsInvalidText(exception) =>
            (400, "Invalid text", "Text may not contain NUL characters or invalid UTF-8.", null),
        _ when exception.IsDatabaseUnavailable() =>
            (503, "Service Unavailable", "The database is unavailable; retry shortly.", null),
        _ => (500, "Internal server error", "An unexpected error occurred; the trace id identifies it in our logs.", null),
    };

    /// <summary>
    /// A body that is not JSON keeps the parser's own words (they name a position, never a type); a value of the wrong
    /// type is a validation error keyed by its JSON path (<c>body[0].level</c>), without the .NET type it missed.
    /// </summary>
    private static (int, string, string, Dictionary<string, string[]>?) Malformed(JsonException json)
    {
        var field = FieldOf(json);
        if (DuplicateProperty().Match(json.Message) is { Success: true } duplicate)
        {
            return (400, "Malformed JSON", $"The request body is not valid JSON: '{duplicate.Groups["name"].Value}' appears more than once in one object (at {field}).", null);
        }
        if (NotConverted().Match(json.Message) is not { Success: true } conversion)
        {
            return (400, "Malformed JSON", $"The request body is not valid JSON: {json.Message}", null);
        }
        return Invalid(field, field == "$" ? "The body must be a JSON object."
            : Choices(conversion.Groups["type"].Value, field) is { } choices ? $"{field} must be one of: {string.Join(", ", choices)}."
            : $"{field} has the wrong type or shape.");
    }

    private static (int, string, string, Dictionary<string, string[]>?) Invalid(string field, string message) =>
        (StatusCodes.Status400BadRequest, Problems.ValidationTitle, Problems.ValidationDetail, new() { [field] = [message] });

    /// <summary>
    /// The names an enum field accepts, when the failed value was one: the parser names either the enum itself or the
    /// request type that holds it, and never its allowed values.
    /// </summary>
    private static IEnumerable<string>? Choices(string typeName, string field)
    {
        var type = typeof(ProblemExceptionHandler).Assembly.GetType(typeName);
        if (type is { IsEnum: false })
        {
            var name = field.Split('.', '[')[^1];
            var property = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
            type = property is null ? null : Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        }
        return type is { IsEnum: true } ? SnakeCaseNames.All(type) : null;
    }

    /// <summary>Where in the body the reader was, as validation errors key it: <c>$.body[0].level</c> becomes <c>body[0].level</c>.</summary>
    private static string FieldOf(JsonException json) =>
        json.Path is null or "$" ? "$" : json.Path.StartsWith("$.", StringComparison.Ordinal) ? json.Path[2..] : json.Path;

    [GeneratedRegex(@"^The JSON value could not be converted to (System\.Nullable`1\[)?(?<type>.+?)\]?\. Path:")]
    private static partial Regex NotConverted();

    /// <summary>The parser's words name the .NET type being read, which a problem never does; the property is what matters.</summary>
    [GeneratedRegex("^Duplicate property '(?<name>[^']*)'")]
    private static partial Regex DuplicateProperty();

    [GeneratedRegex("^(Implicit body inferred|Required parameter .* was not provided from body)")]
    private static partial Regex MissingBody();

    [GeneratedRegex("""^Failed to bind parameter "[^"]* (?<name>[^" ]+)" from "(?<value>.*)"\.$""", RegexOptions.Singleline)]
    private static partial Regex UnboundParameter();

    /// <summary>PostgreSQL rejects NUL in text and jsonb; that is the client's input, not our failure.</summary>
    private static bool IsInvalidText(Exception exception) =>
        Flatten(exception).OfType<PostgresException>().Any(e => e.SqlState is "22P05" or "22021");

    private static IEnumerable<Exception> Flatten(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }
}
