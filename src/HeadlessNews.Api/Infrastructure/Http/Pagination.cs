using HeadlessNews.Api.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Extensions;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>A page of a list: <c>{"items": [...], "next": cursor | null}</c>.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>Position after the last item of a page ordered newest first by (time, id).</summary>
public sealed record KeysetCursor(DateTimeOffset At, Guid Id);

/// <summary>Limits and signed keyset cursors shared by every list.</summary>
public static class Pagination
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;
    private const string CursorPurpose = "keyset-cursor";

    /// <summary>Reads <c>limit</c> and <c>cursor</c>; a problem when either is malformed.</summary>
    public static ProblemHttpResult? TryRead(TokenSigner signer, int? limit, string? cursor, out int take, out KeysetCursor? after)
    {
        take = limit ?? DefaultLimit;
        after = null;
        if (take is < 1 or > MaxLimit)
        {
            return Problems.Validation("limit", $"limit must be between 1 and {MaxLimit}.");
        }
        if (cursor is not null && !signer.TryRead(CursorPurpose, cursor, out after))
        {
            return Problems.Validation("cursor", "The cursor is not one this API issued; start again without it.");
        }
        return null;
    }

    /// <summary>Builds the page from <paramref name="take"/> + 1 fetched rows, adding the next cursor and a Link header.</summary>
    public static Page<T> ToPage<T>(HttpContext context, TokenSigner signer, List<T> rows, int take, Func<T, KeysetCursor> position)
    {
        string? next = null;
        if (rows.Count > take)
        {
            rows.RemoveAt(take);
            next = signer.Sign(CursorPurpose, position(rows[^1]));
            var query = QueryString.Create(context.Request.Query
                .Where(q => q.Key != "cursor")
                .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
                .Append(new KeyValuePair<string, string?>("cursor", next)));
            context.Response.Headers.Link = $"<{UriHelper.BuildRelative(context.Request.PathBase, context.Request.Path, query)}>; rel=\"next\"";
        }
        return new Page<T>(rows, next);
    }
}
