using System.Net;
using HeadlessNews.Api.Infrastructure.Caching;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Security;
using HeadlessNews.Api.Infrastructure.Text;
using Microsoft.AspNetCore.Http.HttpResults;
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

    /// <summary>
    /// Snippets are cut from this many leading characters of a hit's text: ts_headline parses all it is given, for every
    /// hit on the page. A match further in is still found and ranked, and its snippet is the opening of the text.
    /// </summary>
    private const int SnippetSourceLength = 4000;
    private static readonly string[] AllTypes = ["articles", "notices", "quotes", "sources"];

    public static RouteGroupBuilder MapSearch(this RouteGroupBuilder delivery)
    {
        delivery.MapGet("/search", Search).WithName("Search")
            .WithSummary("Ranked full-text search (websearch syntax: \"phrases\", OR, -exclusion) with highlighted snippets.");
        return delivery;
    }

    private sealed record SearchCursor(int Offset);

    private static async Task<Results<Ok<Page<SearchHit>>, ProblemHttpResult>> Search(
        string? q, string? types, string? language, int? limit, string? cursor, HttpContext http, ReadDatabase reads, TokenSigner signer, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(q))
        {
            return Problems.Validation("q", "q is required.");
        }
        if (SearchVectors.QueryProblem(q) is { } tooBroad)
        {
            return tooBroad;
        }
        if (Languages.QueryProblem(language) is { } badLanguage)
        {
            return badLanguage;
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
        var hits = await QueryAsync(reads.DataSource(genericPlans: true), q, wanted, language is null ? null : Languages.Normalise(language), now, offset, Math.Min(take + 1, MaxResults - offset), cancellationToken);
        http.AddCacheTags("search");
        await http.ExpireAtNextArticleBoundaryAsync(now, cancellationToken);
        await http.ExpireAtNextNoticeBoundaryAsync(now, cancellationToken);
        string? next = null;
        if (hits.Count > take)
        {
            hits.RemoveAt(take);
            if (offset + take < MaxResults)
            {
                next = signer.Sign(CursorPurpose, new SearchCursor(offset + take));
                http.Response.Headers.Link = $"<{http.Request.Path}?q={Uri.EscapeDataString(q)}{(types is null ? "" : $"&types={Uri.EscapeDataString(types)}")}{(language is null ? "" : $"&language={Uri.EscapeDataString(language)}")}&limit={take}&cursor={next}>; rel=\"next\"";
            }
        }
        return TypedResults.Ok(new Page<SearchHit>(hits, next));
    }

    private static async Task<List<SearchHit>> QueryAsync(NpgsqlDataSource source, string q, string[] types, string? language, DateTimeOffset now, int offset, int take, CancellationToken cancellationToken)
    {
        // Ranking and highlighting use the query parsed the way the row was indexed (English, or simple for Welsh), and
        // each language is its own branch so every match comes straight from the GIN index, never re-checked against
        // a whole-body vector read back from TOAST. Articles rank by their lead (see PublishedArticle.SearchLead), and
        // the text a snippet is cut from is read only for the page returned. The match repeats websearch_to_tsquery
        // rather than using query.en/cy so each branch is a plain GIN index condition. It runs on generic plans: for a
        // word in every article the per-execution plan chose a sequential scan (244 ms) over the index (62 ms).
        var sql = $"""
            WITH query AS (SELECT websearch_to_tsquery('english'::regconfig, hn_unaccent(@q)) AS en,
                                  {SearchVectors.WelshQuery("@q")} AS cy),
            visible AS (SELECT article_id, quote_ids, source_ids FROM published_articles WHERE visible_from <= @now),
            hits AS (
              SELECT 'article' AS type, p.article_id AS id, p.slug, p.headline AS title,
                     ts_rank_cd(p.search_lead, query.en) AS rank, p.visible_from AS at, query.en AS tsq, 'english'::regconfig AS cfg
                FROM published_articles p, query
               WHERE 'articles' = ANY(@types) AND p.visible_from <= @now AND p.language NOT LIKE 'cy%' AND {LanguageFilter("p.language")}
                 AND p.search @@ websearch_to_tsquery('english'::regconfig, hn_unaccent(@q))
              UNION ALL
              SELECT 'article', p.article_id, p.slug, p.headline, ts_rank_cd(p.search_lead, query.cy), p.visible_from, query.cy, 'simple'::regconfig
                FROM published_articles p, query
               WHERE 'articles' = ANY(@types) AND p.visible_from <= @now AND p.language LIKE 'cy%' AND {LanguageFilter("p.language")}
                 AND p.search @@ {SearchVectors.WelshQuery("@q")}
              UNION ALL
              SELECT 'quote', q.id, NULL, q.speaker_name,
                     ts_rank_cd(q.search, CASE WHEN q.language LIKE 'cy%' THEN query.cy ELSE query.en END), q.said_at,
                     CASE WHEN q.language LIKE 'cy%' THEN query.cy ELSE query.en END,
                     CASE WHEN q.language LIKE 'cy%' THEN 'simple' ELSE 'english' END::regconfig
                FROM quotes q, query
               WHERE 'quotes' = ANY(@types) AND {LanguageFilter("q.language")}
                 AND {SearchVectors.MatchSql("q.language", "q.search").Replace("{0}", "@q", StringComparison.Ordinal)}
                 AND EXISTS (SELECT 1 FROM visible v WHERE v.quote_ids @> ARRAY[q.id])
              UNION ALL
              SELECT 'notice', n.id, NULL, n.title, ts_rank_cd(n.search_vector, query.en), n.published_at, query.en, 'english'::regconfig
                FROM notices n, query
               WHERE 'notices' = ANY(@types) AND n.search_vector @@ query.en AND n.status = 'published'
                 AND (n.effective_from IS NULL OR n.effective_from <= @now) AND (n.effective_to IS NULL OR n.effective_to > @now)
              UNION ALL
              SELECT 'source', s.id, NULL, s.title, ts_rank_cd(s.search, query.en), s.created_at, query.en, 'english'::regconfig
                FROM sources s, query
               WHERE 'sources' = ANY(@types) AND s.search @@ query.en
                 AND EXISTS (SELECT 1 FROM visible v WHERE v.source_ids @> ARRAY[s.id])
            ),
            page AS (SELECT * FROM hits ORDER BY rank DESC, at DESC NULLS LAST, id LIMIT @take OFFSET @offset),
            texts AS (
              SELECT page.*, CASE page.type
                       WHEN 'article' THEN (SELECT concat_ws(' ', p.standfirst, left(p.body_text, {SnippetSourceLength})) FROM published_articles p WHERE p.article_id = page.id)
                       WHEN 'quote' THEN (SELECT q.text FROM quotes q WHERE q.id = page.id)
                       WHEN 'notice' THEN (SELECT regexp_replace(n.body, '<[^>]*>', ' ', 'g') FROM notices n WHERE n.id = page.id)
                       ELSE (SELECT coalesce(s.description, s.title) FROM sources s WHERE s.id = page.id)
                     END AS text
                FROM page)
            SELECT type, id, slug, title, rank,
                   ts_headline(cfg, left(text, {SnippetSourceLength}), tsq,
                               'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=35, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'),
                   at
              FROM texts ORDER BY rank DESC, at DESC NULLS LAST, id
            """;
        return await source.ReadAsync(sql,
            [new("q", q), new("types", types), new("language", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)language ?? DBNull.Value }, new("now", now), new("take", take), new("offset", offset)],
            reader => new SearchHit(
                reader.GetString(0), reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
                Highlight(reader.GetString(5)), Math.Round(reader.GetFloat(4), 6),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6)),
            cancellationToken);
    }

    /// <summary>With <c>?language=</c>, articles and quotes in that language only (notices and sources have none).</summary>
    private static string LanguageFilter(string column) => $"(@language IS NULL OR {Languages.MatchSql(column)})";

    /// <summary>The snippet is plain text: encode it, then turn PostgreSQL's control-character marks into &lt;mark&gt;.</summary>
    private static string Highlight(string snippet) =>
        WebUtility.HtmlEncode(snippet).Replace(MarkStart.ToString(), "<mark>", StringComparison.Ordinal).Replace(MarkEnd.ToString(), "</mark>", StringComparison.Ordinal);
}
