using System.Globalization;
using HeadlessNews.Api.Infrastructure.Domain;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>Optimistic concurrency over HTTP: the integer version is a strong ETag, and writes need If-Match.</summary>
public static class Versioning
{
    public static string ETag(int version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    public static void SetETag(this HttpResponse response, int version) => response.Headers.ETag = ETag(version);

    /// <summary>
    /// The version If-Match names. A tag a proxy weakened while compressing (<c>W/"3"</c>, nginx and CDNs do) still
    /// names version 3; <c>*</c> or a list names none, since a write must name the one version it was based on.
    /// </summary>
    public static ExpectedVersion ExpectedVersion(this HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0)
        {
            return Domain.ExpectedVersion.None;
        }
        if (header.StartsWith("W/", StringComparison.Ordinal))
        {
            header = header[2..];
        }
        return header.Length > 2 && header[0] == '"' && header[^1] == '"'
            && int.TryParse(header.AsSpan(1, header.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var expected)
            ? Domain.ExpectedVersion.Of(expected)
            : Domain.ExpectedVersion.Unreadable;
    }

    /// <summary>Checks If-Match against the current version: null when the write may proceed, else the 428/412 problem.</summary>
    public static ProblemHttpResult? CheckIfMatch(HttpRequest request, int currentVersion) =>
        request.ExpectedVersion().Check(currentVersion)?.ToProblem();

    /// <summary>Documents the problems a conditional write can answer: 404, 409, 412 and 428.</summary>
    public static RouteHandlerBuilder ProducesWriteProblems(this RouteHandlerBuilder builder) => builder
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed)
        .ProducesProblem(StatusCodes.Status428PreconditionRequired);
}
