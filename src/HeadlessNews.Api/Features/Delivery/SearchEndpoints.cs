using System.Net;
using HeadlessNews.Api.Infrastructure.Caching;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>
/// <c>/v1/search</c>: one ranked list over visible articles, active notices, and quotes and sources in use, each match found
/// through its GIN-indexed vector, with a highlighted snippet made only for the page being returned.
/// </summary>
public static class SearchEndpoints
{
    private const int MaxResults = 1000;
    private const string CursorPurpose = "search-cursor";
    private const char MarkStart = '\u0002';
    private const char MarkEnd = '\u0003';
    private static readonly string[] AllTypes = ["articles", "notices", "quotes", "sources"];

    public static RouteGroupBuilder MapSearch(this RouteGroupBuilder delivery)
    {
        delivery.MapGet("/search", Search).WithName("Search")
            .WithSummary("Ranked full-text search (websearch syntax: \"phrases\", OR, -exclusion) with highlighted snippets.");
        return delivery;
    }

    private sealed record SearchCursor(int Offset);

    private static async Task<Results<Ok<Page<SearchHit>>, ProblemHttpResult>> Search(
        string? q, string? types, int? limit, string? cursor, HttpContext http, [FromKeyedServices(ReadDatabase.Key)] HeadlessNewsDbContext db, TokenSigner signer, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(q) || q.Length > 500)
        {
            return Problems.Validation("q", "q is required and at most 500 characters.");
        }
        var take = limit ?? Pagination.DefaultLimit;
        if (take is < 1 or > Pagination.MaxLimit)
        {
            return Problems.Validation("limit", $"limit must be between 1 and {Pagination.MaxLimit}.");
        }
        var offset = 0;
        if (cursor is not null)
        {
            if (!signer.TryRead(CursorPurpose, cursor, out SearchCursor? position) || position is null || position.Offset is < 0 or > MaxResults)
            {
                return Problems.Validation("cursor", "The cursor is not one this API issued; start again without it.");
            }
            offset = position.Offset;
        }
        var wanted = types is null ? AllTypes : types.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (wanted.Length == 0 || wanted.Any(t => !AllTypes.Contains(t)))
        {
            return Problems.Validation("types", $"types is a comma-separated list of {string.Join(", ", AllTypes)}.");
        }

        var now = clock.GetUtcNow();
        var hits = await QueryAsync(db, q, wanted, now, offset, Math.Min(take + 1, MaxResults - offset), cancellationToken);
        http.AddCacheTags("search");
        await http.ExpireAtNextArticleBoundaryAsync(db, now, cancellationToken);
        await http.ExpireAtNextNoticeBoundaryAsync(db, now, cancellationToken);
        string? next = null;
        if (hits.Count > take)
        {
            hits.RemoveAt(take);
            if (offset + take < MaxResults)
            {
                next = signer.Sign(CursorPurpose, new SearchCursor(offset + take));
                http.Response.Headers.Link = $"<{http.Request.Path}?q={Uri.EscapeDataString(q)}{(types is null ? "" : $"&types={Uri.EscapeDataString(types)}")}&limit={take}&cursor={next}>; rel=\"next\"";
            }
        }
        return TypedResults.Ok(new Page<SearchHit>(hits, next));
    }

    private static async Task<List<SearchHit>> QueryAsync(HeadlessNewsDbContext db, string q, string[] types, DateTimeOffset now, int offset, int take, CancellationToken cancellationToken)
    {
        // Ranking and highlighting use the query parsed the way the row was indexed (English, or simple for Welsh).
        var sql = $"""
            WITH query AS (SELECT websearch_to_tsquery('english'::regconfig, hn_unaccent(@q)) AS en,
                                  websearch_to_tsquery('simple'::regconfig, hn_unaccent(@q)) AS cy),
            visible AS (SELECT article_id, quote_ids, source_ids FROM published_articles WHERE visible_from <= @now),
            hits AS (
              SELECT 'article' AS type, p.article_id AS id, p.slug, p.headline AS title, concat_ws(' ', p.standfirst, p.body_text) AS text,
                     ts_rank_cd(p.search, CASE WHEN p.language LIKE 'cy%' THEN query.cy ELSE query.en END) AS rank, p.visible_from AS at,
                     CASE WHEN p.language LIKE 'cy%' THEN query.cy ELSE query.en END AS tsq,
                     CASE WHEN p.language LIKE 'cy%' THEN 'simple' ELSE 'english' END::regconfig AS cfg
                FROM published_articles p, query
               WHERE 'articles' = ANY(@types) AND p.visible_from <= @now
                 AND {SearchVectors.MatchSql("p.language", "p.search").Replace("{0}", "@q", StringComparison.Ordinal)}
              UNION ALL
              SELECT 'quote', q.id, NULL, q.speaker_name, q.text,
                     ts_rank_cd(q.search, CASE WHEN q.language LIKE 'cy%' THEN query.cy ELSE query.en END), q.said_at,
                     CASE WHEN q.language LIKE 'cy%' THEN query.cy ELSE query.en END,
                     CASE WHEN q.language LIKE 'cy%' THEN 'simple' ELSE 'english' END::regconfig
                FROM quotes q, query
               WHERE 'quotes' = ANY(@types)
                 AND {SearchVectors.MatchSql("q.language", "q.search").Replace("{0}", "@q", StringComparison.Ordinal)}
                 AND EXISTS (SELECT 1 FROM visible v WHERE v.quote_ids @> ARRAY[q.id])
              UNION ALL
              SELECT 'notice', n.id, NULL, n.title, regexp_replace(n.body, '<[^>]*>', ' ', 'g'), ts_rank_cd(n.search_vector, query.en), n.published_at,
                     query.en, 'english'::regconfig
                FROM notices n, query
               WHERE 'notices' = ANY(@types) AND n.search_vector @@ query.en AND n.status = 'published'
                 AND (n.effective_from IS NULL OR n.effective_from <= @now) AND (n.effective_to IS NULL OR n.effective_to > @now)
              UNION ALL
              SELECT 'source', s.id, NULL, s.title, coalesce(s.description, s.title), ts_rank_cd(s.search, query.en), s.created_at, query.en, 'english'::regconfig
                FROM sources s, query
               WHERE 'sources' = ANY(@types) AND s.search @@ query.en
                 AND EXISTS (SELECT 1 FROM visible v WHERE v.source_ids @> ARRAY[s.id])
            ),
            page AS (SELECT * FROM hits ORDER BY rank DESC, at DESC NULLS LAST, id LIMIT @take OFFSET @offset)
            SELECT type, id, slug, title, rank,
                   ts_headline(cfg, left(text, 20000), tsq,
                               'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=35, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'),
                   at
              FROM page ORDER BY rank DESC, at DESC NULLS LAST, id
            """;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }
        try
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("q", q);
            command.Parameters.AddWithValue("types", types);
            command.Parameters.AddWithValue("now", now);
            command.Parameters.AddWithValue("take", take);
            command.Parameters.AddWithValue("offset", offset);
            var hits = new List<SearchHit>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                hits.Add(new SearchHit(
                    reader.GetString(0), reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
                    Highlight(reader.GetString(5)), Math.Round(reader.GetFloat(4), 6),
                    reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6)));
            }
            return hits;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The snippet is plain text: encode it, then turn PostgreSQL's control-character marks into &lt;mark&gt;.</summary>
    private static string Highlight(string snippet) =>
        WebUtility.HtmlEncode(snippet).Replace(MarkStart.ToString(), "<mark>", StringComparison.Ordinal).Replace(MarkEnd.ToString(), "</mark>", StringComparison.Ordinal);
}
