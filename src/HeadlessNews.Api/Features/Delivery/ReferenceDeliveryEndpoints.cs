using HeadlessNews.Api.Features.Authors;
using HeadlessNews.Api.Features.Quotes;
using HeadlessNews.Api.Features.Sections;
using HeadlessNews.Api.Features.Sources;
using HeadlessNews.Api.Infrastructure.Caching;
using Microsoft.AspNetCore.Mvc;
using NpgsqlTypes;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>
/// Quotes, sources, sections and authors are shown only while a visible article uses them (so one prepared for an
/// embargoed story cannot leak); quotes and sources with those articles. Each answer is evicted with the articles and
/// expires when the next one becomes visible.
/// </summary>
public static class ReferenceDeliveryEndpoints
{
    public static RouteGroupBuilder MapReferenceDelivery(this RouteGroupBuilder delivery)
    {
        delivery.MapGet("/quotes", ListQuotes).WithName("ListPublishedQuotes").WithSummary("Quotes used by visible articles, newest first.");
        delivery.MapGet("/quotes/{id:guid}", GetQuote).WithName("GetPublishedQuote").WithSummary("One quote with the visible articles that use it.");
        delivery.MapGet("/sources", ListSources).WithName("ListPublishedSources").WithSummary("Sources cited by visible articles, newest first.");
        delivery.MapGet("/sources/{id:guid}", GetSource).WithName("GetPublishedSource").WithSummary("One source with the visible articles that cite it.");
        delivery.MapGet("/sections", ListSections).WithName("ListPublishedSections").WithSummary("Sections of visible articles, newest first.");
        delivery.MapGet("/authors", ListAuthors).WithName("ListPublishedAuthors").WithSummary("Authors of visible articles, newest first.");
        delivery.MapGet("/authors/{slug}", GetAuthor).WithName("GetPublishedAuthor").WithSummary("One author of visible articles.");
        return delivery;
    }

    private static Task<Results<Ok<Page<DeliveredQuote>>, ProblemHttpResult>> ListQuotes(
        string? speaker, string? organisation, string? q, int? limit, string? cursor,
        HttpContext http, [FromKeyedServices(ReadDatabase.Key)] HeadlessNewsDbContext db, ReadDatabase reads, TokenSigner signer, TimeProvider clock, SearchTurns turns,
        CancellationToken cancellationToken) =>
        ListUsedAsync<Quote, DeliveredQuote>("quote", (all, words) => all.MatchingEitherLanguage("quotes", words, "search"), q, limit, cursor, http, db, reads, signer, clock, turns, quotes =>
        {
            var query = quotes;
            if (speaker is not null)
            {
                query = query.Where(quote => EF.Functions.ILike(quote.SpeakerName, LikePatterns.Containing(speaker), LikePatterns.Escape));
            }
            if (organisation is not null)
            {
                query = query.Where(quote => quote.SpeakerOrganisation != null && EF.Functions.ILike(quote.SpeakerOrganisation, LikePatterns.Containing(organisation), LikePatterns.Escape));
            }
            return query;
        }, ToDelivered, cancellationToken);

    private static Task<Results<Ok<DeliveredQuote>, ProblemHttpResult>> GetQuote(
        Guid id, HttpContext http, [FromKeyedServices(ReadDatabase.Key)] HeadlessNewsDbContext db, ReadDatabase reads, TimeProvider clock, CancellationToken cancellationToken) =>
        GetUsedAsync<Quote, DeliveredQuote>(id, "quote", http, db, reads, clock, ToDelivered, cancellationToken);

    private static Task<Results<Ok<Page<DeliveredSource>>, ProblemHttpResult>> ListSources(
        string? kind, string? publisher, string? q, int? limit, string? cursor,
        HttpContext http, [FromKeyedServices(ReadDatabase.Key)] HeadlessNewsDbContext db, ReadDatabase reads, TokenSigner signer, TimeProvider clock, SearchTurns turns,
        CancellationToken cancellationToken) =>
        ListUsedAsync<Source, DeliveredSource>("source", (all, words) => all.Matching("sources", null, words), q, limit, cursor, http, db, reads, signer, clock, turns, sources =>
        {
            var query = sources;
            if (kind is not null)
            {
                if (!SnakeCaseNames.TryParse<SourceKind>(kind, out var wanted))
                {
                    return null;
                }
                query = query.Where(source => source.Kind == wanted);
            }
            if (publisher is not null)
            {
                query = query.Where(source => source.Publisher != null && EF.Functions.ILike(source.Publisher, LikePatterns.Containing(publisher), LikePatterns.Escape));
            }
            return query;
        }, ToDelivered, cancellationToken);

    /// <summary>
    /// A page of the quotes or sources (<paramref name="kind"/>) that visible articles use and <paramref name="narrow"/> keeps of those matching <paramref name="q"/> by <paramref name="match"/>
    /// (it answers null for a filter nothing can match), newest first, each with the newest visible articles using it.
    /// </summary>
    private static async Task<Results<Ok<Page<TDelivered>>, ProblemHttpResult>> ListUsedAsync<TEntity, TDelivered>(
        string kind, Func<DbSet<TEntity>, string, IQueryable<TEntity>> match, string? q, int? limit, string? cursor, HttpContext http, HeadlessNewsDbContext db,
        ReadDatabase reads, TokenSigner signer, TimeProvider clock, SearchTurns turns, Func<IQueryable<TEntity>, IQueryable<TEntity>?> narrow,
        Func<TEntity, Dictionary<Guid, List<ArticleLink>>, TDelivered> toDelivered, CancellationToken cancellationToken) where TEntity : class, ICreatedVersioned
    {
        if (Pagination.TryRead(http, signer, limit, cursor, out var take, out var after) is { } problem)
        {
            return problem;
        }
        if (SearchVectors.QueryProblem(q) is { } tooBroad)
        {
            return tooBroad;
        }
        using var turn = await turns.TakeAsync(q, cancellationToken);
        if (turn is null)
        {
            return SearchTurns.Busy(http);
        }
        var now = clock.GetUtcNow();
        var all = db.Set<TEntity>();
        if (narrow((q is null ? all : match(all, q)).AsNoTracking().UsedAt(db, kind, now)) is not { } query)
        {
            return TypedResults.Ok(new Page<TDelivered>([], null));
        }
        var rows = await query.NewestFirst(e => e.CreatedAt, e => e.Id, after, take).ToListAsync(cancellationToken);
        var page = Pagination.ToPage(http, signer, rows, take, e => new KeysetCursor(e.CreatedAt, e.Id));
        var links = await NewestLinksAsync(reads, kind, [.. page.Items.Select(e => e.Id)], now, cancellationToken);
        http.AddCacheTags($"{kind}s");
        await http.ExpireAtNextArticleBoundaryAsync(now, cancellationToken);
        return TypedResults.Ok(new Page<TDelivered>([.. page.Items.Select(e => toDelivered(e, links))], page.Next));
    }

    private static Task<Results<Ok<DeliveredSource>, ProblemHttpResult>> GetSource(
        Guid id, HttpContext http, [FromKeyedServices(ReadDatabase.Key)] HeadlessNewsDbContext db, ReadDatabase reads, TimeProvider clock, CancellationToken cancellationToken) =>
        GetUsedAsync<Source, DeliveredSource>(id, "source", http, db, reads, clock, ToDelivered, cancellationToken);

    /// <summary>One quote or source (<paramref name="kind"/>), found only while a visible article uses it.</summary>
    private static async Task<Results<Ok<TDelivered>, ProblemHttpResult>> GetUsedAsync<TEntity, TDelivered>(
        Guid id, string kind, HttpContext http, HeadlessNewsDbContext db, ReadDatabase reads, TimeProvider clock,
        Func<TEntity, Dictionary<Guid, List<ArticleLink>>, TDelivered> toDelivered, CancellationToken cancellationToken) where TEntity : class, IVersioned
    {
        var now = clock.GetUtcNow();
        http.AddCacheTags($"{kind}s", $"{kind}:{id}");
        await http.ExpireAtNextArticleBoundaryAsync(now, cancellationToken);
        var links = await NewestLinksAsync(reads, kind, [id], now, cancellationToken);
        var found = links.Count == 0 ? null : await db.Set<TEntity>().AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, cancellationToken);
        return found is null ? Problems.NotFound($"No published {kind} has id {id}.") : TypedResults.Ok(toDelivered(found, links));
    }

    /// <param name="language">Names and descriptions in this language where given, else the default ones.</param>
    private static Task<Results<Ok<Page<DeliveredSection>>, ProblemHttpResult>> ListSections(
        string? language, int? limit, string? cursor, HttpContext http, [FromKeyedServices(ReadDatabase.Key)] HeadlessNewsDbContext db, TokenSigner signer, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var visible = db.Set<Section>().AsNoTracking().Where(s => db.Set<PublishedArticle>().Any(p => p.VisibleFrom <= now && p.SectionSlug == s.Slug));
        return ListTermsAsync("sections", visible, language, limit, cursor, http, signer, now,
            (s, language) => new DeliveredSection(s.Slug, s.Translations.NameIn(language, s.Name), s.Translations.DescriptionIn(language, s.Description)), cancellationToken);
    }

    /// <param name="language">Names and bios in this language where given, else the default ones.</param>
    private static Task<Results<Ok<Page<DeliveredAuthor>>, ProblemHttpResult>> ListAuthors(
        string? language, int? limit, string? cursor, HttpContext http, [FromKeyedServices(ReadDatabase.Key)] HeadlessNewsDbContext db, TokenSigner signer, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return ListTermsAsync("authors", VisibleAuthors(db, now), language, limit, cursor, http, signer, now, ToDelivered, cancellationToken);
    }

    /// <summary>
    /// A page of the sections or authors (<paramref name="kind"/>) that visible articles use, newest first like every
    /// other list (a menu that wants them all follows <c>next</c>, or asks for <c>limit=100</c>).
    /// </summary>
    private static async Task<Results<Ok<Page<TDelivered>>, ProblemHttpResult>> ListTermsAsync<TEntity, TDelivered>(
        string kind, IQueryable<TEntity> visible, string? language, int? limit, string? cursor, HttpContext http, TokenSigner signer, DateTimeOffset now,
        Func<TEntity, string?, TDelivered> toDelivered, CancellationToken cancellationToken) where TEntity : class, ICreatedVersioned
    {
        if (Languages.QueryProblem(language) is { } badLanguage)
        {
            return badLanguage;
        }
        if (Pagination.TryRead(http, signer, limit, cursor, out var take, out var after) is { } problem)
        {
            return problem;
        }
        http.AddCacheTags(kind, "articles");
        await http.ExpireAtNextArticleBoundaryAsync(now, cancellationToken);
        var rows = await visible.NewestFirst(e => e.CreatedAt, e => e.Id, after, take).ToListAsync(cancellationToken);
        var page = Pagination.ToPage(http, signer, rows, take, e => new KeysetCursor(e.CreatedAt, e.Id));
        return TypedResults.Ok(new Page<TDelivered>([.. page.Items.Select(e => toDelivered(e, language))], page.Next));
    }

    private static async Task<Results<Ok<DeliveredAuthor>, ProblemHttpResult>> GetAuthor(
        string slug, string? language, HttpContext http, [FromKeyedServices(ReadDatabase.Key)] HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Languages.QueryProblem(language) is { } badLanguage)
        {
            return badLanguage;
        }
        var now = clock.GetUtcNow();
        // Only a well-formed slug becomes a tag: anything else could put spaces or non-ASCII into the Surrogate-Key header.
        http.AddCacheTags("authors", "articles");
        await http.ExpireAtNextArticleBoundaryAsync(now, cancellationToken);
        DeliveredAuthor? author = null;
        if (Slugs.IsValid(slug))
        {
            http.AddCacheTags($"author:{slug}");
            author = await VisibleAuthors(db, now).Where(a => a.Slug == slug).FirstOrDefaultAsync(cancellationToken) is { } found ? ToDelivered(found, language) : null;
        }
        return author is null ? Problems.NotFound($"No author of a published article has the slug '{slug}'.") : TypedResults.Ok(author);
    }

    private static IQueryable<Author> VisibleAuthors(HeadlessNewsDbContext db, DateTimeOffset now)
    {
        var visible = PublishedArticleTerm.VisibleAt(db, now);
        var termPrefix = PublishedArticleTerm.Prefix("author");
        return db.Set<Author>().AsNoTracking().Where(a => visible.Any(t => t.Term == termPrefix + a.Slug));
    }

    /// <summary>How many of the visible articles using a quote (or citing a source) it is delivered with, newest first.</summary>
    internal const int LinkedArticles = 20;

    /// <summary>
    /// The newest <see cref="LinkedArticles"/> visible articles using each quote (or citing each source) of
    /// <paramref name="ids"/>, in one query for the whole page; an id nothing visible uses is left out.
    /// </summary>
    private static async Task<Dictionary<Guid, List<ArticleLink>>> NewestLinksAsync(
        ReadDatabase reads, string kind, Guid[] ids, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await reads.DataSource(genericPlans: true).ReadAsync("""
            SELECT wanted.id, p.article_id, p.slug, p.headline, p.visible_from
              FROM unnest($1::uuid[]) AS wanted (id)
             CROSS JOIN LATERAL (SELECT t.term_visible_from, t.term_article_id FROM published_article_terms t
                                  WHERE t.term = $2 || wanted.id AND t.term_visible_from <= $3
                                  ORDER BY t.term_visible_from DESC, t.term_article_id DESC LIMIT $4) newest
              JOIN published_articles p ON p.article_id = newest.term_article_id
             ORDER BY wanted.id, newest.term_visible_from DESC, newest.term_article_id DESC
            """,
            [new() { Value = ids }, new() { Value = PublishedArticleTerm.Prefix(kind) }, new() { Value = now }, new() { Value = LinkedArticles }],
            reader => (Id: reader.GetGuid(0), Link: new ArticleLink(reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4))),
            cancellationToken);
        return rows.GroupBy(row => row.Id).ToDictionary(group => group.Key, group => group.Select(row => row.Link).ToList());
    }

    private static DeliveredAuthor ToDelivered(Author a, string? language) =>
        new(a.Slug, a.Translations.NameIn(language, a.Name), a.Role, a.Translations.DescriptionIn(language, a.Bio));

    private static DeliveredQuote ToDelivered(Quote q, Dictionary<Guid, List<ArticleLink>> links) =>
        new(q.Id, q.Text, new Speaker(q.SpeakerName, q.SpeakerRole, q.SpeakerOrganisation), q.SaidAt, q.Context, q.SourceId, q.Language, q.Version, links.GetValueOrDefault(q.Id) ?? []);

    private static DeliveredSource ToDelivered(Source s, Dictionary<Guid, List<ArticleLink>> links) =>
        new(s.Id, s.Kind, s.Title, s.Publisher, s.Url, s.PublishedOn, s.Description, s.Version, links.GetValueOrDefault(s.Id) ?? []);
}
