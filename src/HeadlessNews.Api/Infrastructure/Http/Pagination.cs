using System.Linq.Expressions;
using HeadlessNews.Api.Infrastructure.Caching;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.EntityFrameworkCore.Query;

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

    /// <summary>A cursor is signed for the route that issued it: another list's position would skip or repeat items there.</summary>
    private static string CursorPurpose(HttpContext http) => "keyset-cursor " + (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;

    /// <summary>Reads <c>limit</c> and <c>cursor</c>; a problem when either is malformed, or the cursor is another route's.</summary>
    public static ProblemHttpResult? TryRead(HttpContext http, TokenSigner signer, int? limit, string? cursor, out int take, out KeysetCursor? after)
    {
        take = limit ?? DefaultLimit;
        after = null;
        if (take is < 1 or > MaxLimit)
        {
            return Problems.Validation("limit", $"limit must be between 1 and {MaxLimit}.");
        }
        if (cursor is not null && !signer.TryRead(CursorPurpose(http), cursor, out after))
        {
            return Problems.Validation("cursor", "The cursor is not one this API issued; start again without it.");
        }
        return null;
    }

    /// <summary>
    /// The rows of <paramref name="query"/> that come after <paramref name="after"/> in the order newest first by
    /// (<paramref name="at"/>, <paramref name="id"/>): <paramref name="take"/> + 1 of them, so <see cref="ToPage"/> can
    /// tell whether another page follows.
    /// </summary>
    public static IQueryable<T> NewestFirst<T>(this IQueryable<T> query, Expression<Func<T, DateTimeOffset>> at, Expression<Func<T, Guid>> id, KeysetCursor? after, int take)
    {
        if (after is not null)
        {
            // A row comparison, (at, id) < (@at, @id), which PostgreSQL starts an index scan at; the same condition spelt
            // with OR (at < @at OR at = @at AND id < @id) it can only filter on, reading and dropping every row before the cursor.
            Expression<Func<DateTimeOffset, Guid, bool>> before = (rowAt, rowId) => EF.Functions.LessThan(ValueTuple.Create(rowAt, rowId), ValueTuple.Create(after.At, after.Id));
            var row = at.Parameters[0];
            var rowId = ReplacingExpressionVisitor.Replace(id.Parameters[0], row, id.Body);
            var condition = ReplacingExpressionVisitor.Replace(before.Parameters[0], at.Body, ReplacingExpressionVisitor.Replace(before.Parameters[1], rowId, before.Body));
            query = query.Where(Expression.Lambda<Func<T, bool>>(condition, row));
        }
        return query.OrderByDescending(at).ThenByDescending(id).Take(take + 1);
    }

    /// <summary>Builds the page from <paramref name="take"/> + 1 fetched rows, adding the next cursor and a Link header.</summary>
    public static Page<T> ToPage<T>(HttpContext context, TokenSigner signer, List<T> rows, int take, Func<T, KeysetCursor> position)
    {
        if (rows.Count <= take)
        {
            return new Page<T>(rows, null);
        }
        rows.RemoveAt(take);
        var request = context.Request;
        var after = position(rows[^1]);
        var next = _lastNext;
        if (next is null || next.Signer != signer || next.KeyId != signer.SigningKeyId || next.After != after || next.PathBase != request.PathBase.Value
            || next.Path != request.Path.Value || next.Query != request.QueryString.Value)
        {
            next = _lastNext = NextPage.For(request, signer, after);
        }
        context.Response.Headers.Link = next.Link;
        return new Page<T>(rows, next.Cursor);
    }

    // A list's first page is asked for far more than any other, and its next cursor stays the same until the list
    // changes: the last one built is reused (signing it and rebuilding the query were ~3 % of an uncached list's CPU)
    // until the list changes or a rotated signing key takes over.
    private static volatile NextPage? _lastNext;

    private sealed record NextPage(TokenSigner Signer, int KeyId, string? PathBase, string? Path, string? Query, KeysetCursor After, string Cursor, string Link)
    {
        public static NextPage For(HttpRequest request, TokenSigner signer, KeysetCursor after)
        {
            var cursor = signer.Sign(CursorPurpose(request.HttpContext), after);
            // A cached page is shared, so its link carries only what the route reads, never another reader's extra parameters.
            var cached = request.HttpContext.GetEndpoint()?.Metadata.GetMetadata<DeliveryCachePolicy>();
            var query = QueryString.Create(request.Query
                .Where(q => q.Key != "cursor" && (cached is null || cached.Defines(q.Key)))
                .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
                .Append(new KeyValuePair<string, string?>("cursor", cursor)));
            var link = $"<{UriHelper.BuildRelative(request.PathBase, request.Path, query)}>; rel=\"next\"";
            return new NextPage(signer, signer.SigningKeyId, request.PathBase.Value, request.Path.Value, request.QueryString.Value, after, cursor, link);
        }
    }
}
