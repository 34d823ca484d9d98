using System.Diagnostics;
using HeadlessNews.Api.Infrastructure.Domain;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>The one place a domain refusal becomes the contract's problem (400/403/404/409/412/428), and a write's result a response.</summary>
public static class DomainProblems
{
    public static ProblemHttpResult ToProblem(this Refusal refusal) => refusal switch
    {
        Missing missing => Problems.NotFound(missing.Detail),
        VersionRequired => Problems.PreconditionRequired(),
        VersionConflict conflict => Problems.PreconditionFailed(conflict.CurrentVersion),
        InUse inUse => Problems.Conflict(inUse.Detail, new Dictionary<string, object?> { ["articles"] = inUse.Articles }),
        StateConflict or SlugTaken or EditionTaken => Problems.Conflict(refusal.Detail),
        Invalid invalid => Problems.Validation(invalid.Errors.ToDictionary()),
        Forbidden forbidden => Problems.Forbidden(forbidden.Detail),
        _ => throw new UnreachableException($"No problem is defined for {refusal.GetType().Name}."),
    };

    /// <summary>201 with Location and the version as ETag, or the refusal's problem.</summary>
    public static Results<Created<TResponse>, ProblemHttpResult> ToCreated<T, TResponse>(
        this WriteResult<T> result, HttpResponse response, string collection, Func<T, TResponse> respond) where T : IVersioned
    {
        if (result.Refusal is { } refusal)
        {
            return refusal.ToProblem();
        }
        response.SetETag(result.Value!.Version);
        return TypedResults.Created($"{collection}/{result.Value.Id}", respond(result.Value));
    }

    /// <summary>200 with the version as ETag, or the refusal's problem.</summary>
    public static Results<Ok<TResponse>, ProblemHttpResult> ToOk<T, TResponse>(
        this WriteResult<T> result, HttpResponse response, Func<T, TResponse> respond) where T : IVersioned
    {
        if (result.Refusal is { } refusal)
        {
            return refusal.ToProblem();
        }
        response.SetETag(result.Value!.Version);
        return TypedResults.Ok(respond(result.Value));
    }

    public static Results<NoContent, ProblemHttpResult> ToNoContent(this Refusal? refusal) =>
        refusal is null ? TypedResults.NoContent() : refusal.ToProblem();

    /// <summary>204 with the new version as ETag (a soft delete keeps the resource), or the refusal's problem.</summary>
    public static Results<NoContent, ProblemHttpResult> ToNoContent<T>(this WriteResult<T> result, HttpResponse response) where T : IVersioned
    {
        if (result.Refusal is { } refusal)
        {
            return refusal.ToProblem();
        }
        response.SetETag(result.Value!.Version);
        return TypedResults.NoContent();
    }
}
