using System.Buffers;
using System.Text.Json;
using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Infrastructure.Caching;
using Npgsql;

namespace HeadlessNews.Api.Features.Delivery;

public static class ArticleDeliveryEndpoints
{
    public static RouteGroupBuilder MapArticleDelivery(this RouteGroupBuilder delivery)
    {
        delivery.MapGet("/articles", ListArticles).WithName("ListPublishedArticles")
            .WithSummary("Visible articles, newest first, as summaries (include=body adds bodyHtml); filters combine.")
            .Produces<Page<ArticleSummary>>(StatusCodes.Status200OK, "application/json");
        delivery.MapGet("/articles/{slug}", GetArticle).WithName("GetPublishedArticle")
            .WithSummary("One visible article with its quotes expanded, sources and authors; a former slug answers 301.")
            .Produces<ArticleDeliveryResponse>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status301MovedPermanently);
        return delivery;
    }

    private static async Task<Results<PreparedPage, ProblemHttpResult>> ListArticles(
        string? section, string? tag, string? place, string? author, string? q, DateTimeOffset? from, DateTimeOffset? to,
        int? limit, string? cursor, string? include, string? language,
        HttpContext http, ReadDatabase reads, TokenSigner signer, TimeProvider clock, IOptions<DeliveryOptions> delivery, SearchTurns turns, CancellationToken cancellationToken)
    {
        if (Pagination.TryRead(http, signer, limit, cursor, out var take, out var after) is { } problem)
        {
            return problem;
        }
        if (SearchVectors.QueryProblem(q) is { } tooBroad)
        {
            return tooBroad;
        }
        if (include is not null && include != "body")
        {
            return Problems.Validation("include", "include accepts only 'body'.");
        }
        if (Languages.QueryProblem(language) is { } badLanguage)
        {
            return badLanguage;
        }
        using var turn = await turns.TakeAsync(q, cancellationToken);
        if (turn is null)
        {
            return SearchTurns.Busy(http);
        }
        var now = clock.GetUtcNow();
        var conditions = new List<string> { "visible_from <= @now" };
        var parameters = new List<NpgsqlParameter> { new("now", now) };
        void Require(string condition, string name, object value)
        {
            conditions.Add(condition);
            parameters.Add(new NpgsqlParameter(name, value));
        }
        if (q is not null)
        {
            Require(SearchVectors.MatchSql("language").Replace("{0}", "@q", StringComparison.Ordinal), "q", q);
        }
        if (section is not null)
        {
            Require("section_slug = @section", "section", section);
        }
        // The first of tag, place and author drives the list from its own time-ordered index (published_article_terms,
        // the ArchiveListTerms migration); any other is checked on each article by array containment.
        var terms = new (string Name, string Column, string? Value)[] { ("tag", "tag_slugs", tag), ("place", "place_slugs", place), ("author", "author_slugs", author) }
            .Where(term => term.Value is not null).ToList();
        foreach (var (name, column, value) in terms.Skip(1))
        {
            Require($"{column} @> ARRAY[@{name}]", name, value!);
        }
        // Time bounds, the keyset and the order are written on the driving index's own columns, so they bound its scan.
        var (listedFrom, at, id) = ("published_articles", "visible_from", "article_id");
        if (terms.FirstOrDefault() is ({ } drivingName, _, { } drivingValue))
        {
            (listedFrom, at, id) = ("published_article_terms JOIN published_articles ON article_id = term_article_id", "term_visible_from", "term_article_id");
            Require("term = @term", "term", $"{drivingName}:{drivingValue}");
            conditions.Add("term_visible_from <= @now");
        }
        if (language is not null)
        {
            Require(Languages.MatchSql("language"), "language", Languages.Normalise(language));
        }
        if (from is not null)
        {
            Require($"{at} >= @from", "from", from.Value.ToUniversalTime());
        }
        if (to is not null)
        {
            Require($"{at} <= @to", "to", to.Value.ToUniversalTime());
        }
        if (after is not null)
        {
            Require($"({at}, {id}) < (@afterAt, @afterId)", "afterAt", after.At);
            parameters.Add(new NpgsqlParameter("afterId", after.Id));
        }
        // Whether the GIN index or the date-ordered scan is quicker depends on how common the words are.
        var source = reads.DataSource(genericPlans: q is null);
        // The limit is a validated integer written into the SQL: with it as a parameter PostgreSQL never settles on a
        // generic plan for the prepared statement and plans every execution (13,100 vs 21,800 tx/s in pgbench).
        var listed = $"""
            SELECT article_id, visible_from, first_seen, {(include == "body" ? "summary_with_body_json" : "summary_json")} AS json FROM {listedFrom}
             WHERE {string.Join(" AND ", conditions)}
             ORDER BY {at} DESC, {id} DESC LIMIT {take + 1}
            """;
        // With bodies, a page ends once it holds BodyPageBytes (the sizes are read from the rows' headers, nothing is
        // decompressed): the rows after it come without their JSON, and the first of them marks where the next page starts.
        var rows = await source.ReadAsync(include != "body" ? listed : $"""
            SELECT article_id, visible_from, first_seen, CASE WHEN coalesce(sum(octet_length(json)) OVER earlier, 0) < {BodyPageBytes} THEN json END
              FROM ({listed}) page
            WINDOW earlier AS (ORDER BY visible_from DESC, article_id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
             ORDER BY visible_from DESC, article_id DESC
            """, parameters,
            PreparedRow.Read, cancellationToken);
        if (rows.FindIndex(r => r.Json is null) is var full and > 0)
        {
            rows.RemoveRange(full + 1, rows.Count - full - 1);
            take = full;
        }
        var page = Pagination.ToPage(http, signer, rows, take, r => new KeysetCursor(r.VisibleFrom, r.ArticleId));
        http.AddCacheTags("articles");
        if (section is not null && CacheTags.IsTaggable(section))
        {
            http.AddCacheTags(CacheTags.Section(section));
        }
        await http.ExpireAtNextArticleBoundaryAsync(now, cancellationToken);
        var oldBefore = now.AddDays(-delivery.Value.OldAfterDays);
        return new PreparedPage([.. page.Items.Select(r => OldFlag.Apply(r.Json!, r.FirstSeen < oldBefore))], page.Next);
    }

    private static async Task<Results<FileContentHttpResult, RedirectHttpResult, ProblemHttpResult>> GetArticle(
        string slug, HttpContext http, ReadDatabase reads, TimeProvider clock, IOptions<DeliveryOptions> delivery, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // The story's other editions are listed only while visible, so they are read with the page, never prepared.
        var found = (await reads.DataSource(genericPlans: true).ReadAsync("""
            SELECT p.article_id, p.visible_from, p.first_seen, p.document_json, p.language, p.translation_group_id, e.ids, e.languages, e.slugs, e.next, p.section_slug
              FROM published_articles p
              LEFT JOIN LATERAL (
                SELECT array_agg(s.article_id ORDER BY s.language) FILTER (WHERE s.visible_from <= @now) AS ids,
                       array_agg(s.language ORDER BY s.language) FILTER (WHERE s.visible_from <= @now) AS languages,
                       array_agg(s.slug ORDER BY s.language) FILTER (WHERE s.visible_from <= @now) AS slugs,
                       min(s.visible_from) FILTER (WHERE s.visible_from > @now) AS next
                  FROM published_articles s WHERE s.translation_group_id = p.translation_group_id AND s.article_id <> p.article_id) e ON true
             WHERE p.slug = @slug
            """,
            [new NpgsqlParameter("slug", slug), new NpgsqlParameter("now", now)],
            ArticlePage.Read, cancellationToken))
            .SingleOrDefault();
        if (found is { Row: var article } && article.VisibleFrom <= now)
        {
            var oldFrom = article.FirstSeen.AddDays(delivery.Value.OldAfterDays);
            http.AddCacheTags([CacheTags.Article(article.ArticleId), $"translations:{found.Group}", .. found.Editions.Select(e => CacheTags.Article(e.Id)),
                .. found.Section is null ? Array.Empty<string>() : [CacheTags.Section(found.Section)]]);
            if (oldFrom > now)
            {
                http.ExpireAt(oldFrom);
            }
            if (found.NextEdition is { } nextEdition)
            {
                http.ExpireAt(nextEdition);
            }
            http.Response.Headers.ContentLanguage = found.Language;
            var editions = found.Editions.Select(e => new EditionLink(e.Language, e.Slug, delivery.Value.ArticleUrl(e.Slug)));
            return PreparedJson.Document(WithTranslations(OldFlag.Apply(article.Json!, oldFrom <= now), [.. editions]));
        }
        var row = found?.Row;
        if (row is not null)
        {
            http.ExpireAt(row.VisibleFrom);
        }
        // A page depends only on its own article; a 404 (for CDNs purging by Surrogate-Key) on any article change,
        // and never outlives a scheduled publication of this slug.
        http.AddCacheTags("articles");
        await using var db = reads.CreateDbContext(genericPlans: true);
        var current = await db.Set<ArticleSlugHistory>().AsNoTracking().Where(h => h.Slug == slug)
            .Join(db.Set<PublishedArticle>().Where(p => p.VisibleFrom <= now), h => h.ArticleId, p => p.ArticleId, (h, p) => p.Slug)
            .FirstOrDefaultAsync(cancellationToken);
        return current is not null
            ? TypedResults.Redirect($"/v1/articles/{Uri.EscapeDataString(current)}", permanent: true)
            : Problems.NotFound($"No published article has the slug '{slug}'.");
    }

    /// <summary>The prepared document with <c>translations</c> added as its last member.</summary>
    private static byte[] WithTranslations(byte[] document, IReadOnlyList<EditionLink> editions) =>
        [.. document.AsSpan(0, document.Length - 1), .. ",\"translations\":"u8, .. JsonSerializer.SerializeToUtf8Bytes(editions, ApiJson.Options), (byte)'}'];

    /// <summary>An article's row with its language, its translation group, the group's visible editions and when the next one becomes visible.</summary>
    private sealed record ArticlePage(PreparedRow Row, string Language, Guid Group, IReadOnlyList<(Guid Id, string Language, string Slug)> Editions, DateTimeOffset? NextEdition, string? Section)
    {
        public static ArticlePage Read(NpgsqlDataReader reader)
        {
            var (ids, languages, slugs) = reader.IsDBNull(6) ? ([], [], []) : (reader.GetFieldValue<Guid[]>(6), reader.GetFieldValue<string[]>(7), reader.GetFieldValue<string[]>(8));
            return new(PreparedRow.Read(reader), reader.GetString(4), reader.GetGuid(5), [.. ids.Select((id, i) => (id, languages[i], slugs[i]))],
                reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9), reader.IsDBNull(10) ? null : reader.GetString(10));
        }
    }

    /// <summary>A published_articles row as delivery reads it: the keys, and one of its prepared JSON columns as UTF-8.</summary>
    /// <summary>
    /// What a page of articles with their bodies holds at most (then at least one article): with bodies of up to
    /// <see cref="ArticleReferences.MaxBodyBytes"/>, a page of 100 would otherwise cost hundreds of megabytes to answer.
    /// </summary>
    private const int BodyPageBytes = 8 * 1024 * 1024;

    /// <summary>A listed article; <see cref="Json"/> is null past a page's byte budget.</summary>
    private sealed record PreparedRow(Guid ArticleId, DateTimeOffset VisibleFrom, DateTimeOffset FirstSeen, byte[]? Json)
    {
        public static PreparedRow Read(NpgsqlDataReader reader) =>
            new(reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2), reader.IsDBNull(3) ? null : PreparedJson.Utf8(reader, 3));
    }
}

/// <summary>When delivery answers change without any write: the next article becoming visible, a notice's term.</summary>
public static class DeliveryBoundaries
{
    public static Task ExpireAtNextArticleBoundaryAsync(this HttpContext http, DateTimeOffset now, CancellationToken cancellationToken) =>
        http.ExpireAtNextBoundaryAsync("articles", now, (db, token) => db.Set<PublishedArticle>().Where(p => p.VisibleFrom > now)
            .OrderBy(p => p.VisibleFrom).Select(p => (DateTimeOffset?)p.VisibleFrom).FirstOrDefaultAsync(token), cancellationToken);

    /// <summary>
    /// Caps the response's cache lifetime at the next boundary of <paramref name="tag"/>'s content, asking the read
    /// database (<paramref name="query"/>, on a context of its own) only when the boundary is not known.
    /// </summary>
    internal static async Task ExpireAtNextBoundaryAsync(this HttpContext http, string tag, DateTimeOffset now,
        Func<HeadlessNewsDbContext, CancellationToken, Task<DateTimeOffset?>> query, CancellationToken cancellationToken)
    {
        var services = http.RequestServices;
        var next = await services.GetRequiredService<ScheduleBoundaries>().NextAsync(tag, now, async token =>
        {
            await using var db = services.GetRequiredService<ReadDatabase>().CreateDbContext();
            return await query(db, token);
        }, cancellationToken);
        if (next is { } boundary)
        {
            http.ExpireAt(boundary);
        }
    }
}

/// <summary>
/// Responses assembled from JSON prepared at write time, as the UTF-8 bytes PostgreSQL sends: never decoded into .NET
/// strings and encoded back (that was ~60 % of what an uncached list allocated).
/// </summary>
public static class PreparedJson
{
    internal const string ContentType = "application/json; charset=utf-8";

    /// <summary>A text column's raw UTF-8 bytes (Npgsql hands any column out as a stream).</summary>
    public static byte[] Utf8(NpgsqlDataReader reader, int ordinal)
    {
        using var stream = reader.GetStream(ordinal);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    public static FileContentHttpResult Document(byte[] json) => TypedResults.Bytes(json, ContentType);
}

/// <summary>
/// A page of prepared items, <c>{"items":[...],"next":cursor|null}</c>, written piece by piece into the response's
/// pipe: no buffer of the page's size is allocated per request (an include=body page is over the 85 KB large-object
/// threshold).
/// </summary>
public sealed class PreparedPage(IReadOnlyList<byte[]> items, string? next) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.ContentType = PreparedJson.ContentType;
        var writer = httpContext.Response.BodyWriter;
        writer.Write("{\"items\":["u8);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                writer.Write(","u8);
            }
            writer.Write(items[i]);
        }
        writer.Write("],\"next\":"u8);
        writer.Write(JsonSerializer.SerializeToUtf8Bytes(next));
        writer.Write("}"u8);
        await writer.FlushAsync(httpContext.RequestAborted);
    }
}
