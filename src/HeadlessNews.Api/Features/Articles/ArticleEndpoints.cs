using HeadlessNews.Api.Infrastructure.Revisions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace HeadlessNews.Api.Features.Articles;

public static class ArticleEndpoints
{
    internal const string Collection = "/v1/manage/articles";
    private const int DefaultPreviewMinutes = 60;
    private const int MaxPreviewMinutes = 7 * 24 * 60;

    /// <summary>Editorial routes under /v1/manage/articles.</summary>
    public static RouteGroupBuilder MapArticles(this RouteGroupBuilder manage)
    {
        var articles = manage.MapGroup("/articles").WithTags("Articles");
        articles.MapPost("", CreateArticle).WithName("CreateArticle").WithSummary("Create a draft article (only headline is required).")
            .RequireAuthorization(Scopes.Policies.ContentWrite).WithIdempotency()
            .ProducesProblem(StatusCodes.Status409Conflict);
        articles.MapGet("", ListArticles).WithName("ListArticles").WithSummary("List articles for editors, most recently updated first (createdBy=me: those the caller created).")
            .RequireAuthorization(Scopes.Policies.ContentRead);
        articles.MapGet("/{id:guid}", GetArticle).WithName("GetArticle").WithSummary("Read an article as editors see it.")
            .RequireAuthorization(Scopes.Policies.ContentRead)
            .ProducesProblem(StatusCodes.Status404NotFound);
        articles.MapPut("/{id:guid}", UpdateArticle).WithName("UpdateArticle")
            .WithSummary("Replace an article's editable content (If-Match); a published article changes live. Changing embargoUntil needs content:publish; leaving it out keeps it.")
            .RequireAuthorization(Scopes.Policies.ContentWrite).ProducesWriteProblems();
        articles.MapDelete("/{id:guid}", ArchiveArticle).WithName("ArchiveArticle").WithSummary("Archive an article (soft delete; If-Match).")
            .RequireAuthorization(Scopes.Policies.ContentPublish).ProducesWriteProblems();
        articles.MapPost("/{id:guid}/publish", PublishArticle).WithName("PublishArticle").WithSummary("Publish now, schedule (future publishAt) or back-date (past publishAt); If-Match.")
            .RequireAuthorization(Scopes.Policies.ContentPublish).ProducesWriteProblems();
        articles.MapPost("/{id:guid}/unpublish", UnpublishArticle).WithName("UnpublishArticle").WithSummary("Take a published or scheduled article down (If-Match).")
            .RequireAuthorization(Scopes.Policies.ContentPublish).ProducesWriteProblems();
        articles.MapPost("/{id:guid}/corrections", AddCorrection).WithName("AddArticleCorrection").WithSummary("Append a dated correction to an article that has been published (If-Match); a never-published one is a 409.")
            .RequireAuthorization(Scopes.Policies.ContentWrite).ProducesWriteProblems();
        articles.MapGet("/{id:guid}/revisions", ListRevisions).WithName("ListArticleRevisions").WithSummary("List an article's revisions, newest first.")
            .RequireAuthorization(Scopes.Policies.ContentRead)
            .ProducesProblem(StatusCodes.Status404NotFound);
        articles.MapGet("/{id:guid}/revisions/{number:int}", GetRevision).WithName("GetArticleRevision").WithSummary("Read one revision's full snapshot.")
            .RequireAuthorization(Scopes.Policies.ContentRead)
            .ProducesProblem(StatusCodes.Status404NotFound);
        articles.MapPost("/{id:guid}/revisions/{number:int}/restore", RestoreRevision).WithName("RestoreArticleRevision")
            .WithSummary("Put a revision's content back as a new revision (If-Match); an archived article becomes a draft.")
            .RequireAuthorization(Scopes.Policies.ContentPublish).ProducesWriteProblems();
        articles.MapPost("/{id:guid}/preview-links", CreatePreviewLink).WithName("CreateArticlePreviewLink")
            .WithSummary("Make a signed, expiring link that shows the current draft without a key.")
            .RequireAuthorization(Scopes.Policies.ContentWrite)
            .ProducesProblem(StatusCodes.Status404NotFound);
        articles.MapDelete("/{id:guid}/preview-links", RevokePreviewLinks).WithName("RevokeArticlePreviewLinks")
            .WithSummary("Revoke every outstanding preview link of the article (no If-Match); links made afterwards work.")
            .RequireAuthorization(Scopes.Policies.ContentWrite)
            .ProducesProblem(StatusCodes.Status404NotFound);
        articles.MapPost("/{id:guid}/translations", CreateTranslation).WithName("CreateArticleTranslation")
            .WithSummary("Start an edition of the story in another language: a draft in the same translation group (no If-Match).")
            .RequireAuthorization(Scopes.Policies.ContentWrite).WithIdempotency()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        articles.MapGet("/{id:guid}/translations", ListTranslations).WithName("ListArticleTranslations")
            .WithSummary("Every edition of the article's story, the article included, whatever their status.")
            .RequireAuthorization(Scopes.Policies.ContentRead)
            .ProducesProblem(StatusCodes.Status404NotFound);
        articles.MapPost("/{id:guid}/translations/link", LinkTranslation).WithName("LinkArticleTranslation")
            .WithSummary("Make the article an edition of another article's story (If-Match on this article); one edition per language.")
            .RequireAuthorization(Scopes.Policies.ContentWrite).ProducesWriteProblems();
        articles.MapPost("/{id:guid}/translations/unlink", UnlinkTranslation).WithName("UnlinkArticleTranslation")
            .WithSummary("Take the article out of its story's editions (If-Match); the others stay linked.")
            .RequireAuthorization(Scopes.Policies.ContentWrite).ProducesWriteProblems();
        return manage;
    }

    private static async Task<Results<Created<ArticleResponse>, ProblemHttpResult>> CreateTranslation(
        Guid id, CreateTranslationRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await ArticleWrites.CreateTranslationAsync(db, clock, Caller.From(http), id, request, cancellationToken)).ToCreated(http.Response, Collection, a => a);

    private static async Task<Results<Ok<Page<TranslationResponse>>, ProblemHttpResult>> ListTranslations(
        Guid id, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.Now();
        var editions = await db.Set<Article>().AsNoTracking()
            .Where(a => db.Set<Article>().Where(o => o.Id == id).Select(o => o.TranslationGroupId).Contains(a.TranslationGroupId))
            .OrderBy(a => a.Language)
            .Select(a => new TranslationResponse(a.Id, a.Language, a.Slug, a.Headline,
                a.Status == ArticleStatus.Published && a.PublishAt > now ? ArticleStatus.Scheduled : a.Status, a.Version))
            .ToListAsync(cancellationToken);
        return editions.Count == 0 ? Problems.NotFound($"No article has id {id}.") : TypedResults.Ok(new Page<TranslationResponse>(editions, null));
    }

    private static async Task<Results<Ok<ArticleResponse>, ProblemHttpResult>> LinkTranslation(
        Guid id, LinkTranslationRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await ArticleWrites.LinkTranslationAsync(db, clock, Caller.From(http), id, http.Request.ExpectedVersion(), request.ArticleId, cancellationToken)).ToOk(http.Response, a => a);

    private static async Task<Results<Ok<ArticleResponse>, ProblemHttpResult>> UnlinkTranslation(
        Guid id, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await ArticleWrites.UnlinkTranslationAsync(db, clock, Caller.From(http), id, http.Request.ExpectedVersion(), cancellationToken)).ToOk(http.Response, a => a);

    private static async Task<Results<Created<ArticleResponse>, ProblemHttpResult>> CreateArticle(
        SaveArticleRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await ArticleWrites.CreateAsync(db, clock, Caller.From(http), request, cancellationToken)).ToCreated(http.Response, Collection, a => a);

    private static async Task<Results<Ok<Page<ArticleSummaryResponse>>, ProblemHttpResult>> ListArticles(
        string? status, string? section, string? q, DateTimeOffset? updatedSince, string? createdBy, int? limit, string? cursor,
        HttpContext http, HeadlessNewsDbContext db, TokenSigner signer, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Pagination.TryRead(http, signer, limit, cursor, out var take, out var after) is { } problem)
        {
            return problem;
        }
        ArticleStatus? wanted = null;
        if (status is not null)
        {
            if (!Enum.TryParse<ArticleStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || status.Any(char.IsDigit))
            {
                return Problems.Validation("status", "status is one of draft, scheduled, published, unpublished, archived.");
            }
            wanted = parsed;
        }
        var now = clock.Now();
        var query = db.Set<Article>().AsNoTracking();
        query = wanted switch
        {
            ArticleStatus.Scheduled => query.Where(a => a.Status == ArticleStatus.Published && a.PublishAt > now),
            ArticleStatus.Published => query.Where(a => a.Status == ArticleStatus.Published && a.PublishAt <= now),
            { } other => query.Where(a => a.Status == other),
            null => query,
        };
        if (section is not null)
        {
            query = query.Where(a => a.Section!.Slug == section);
        }
        if (!string.IsNullOrWhiteSpace(q))
        {
            var pattern = LikePatterns.Containing(q.Trim());
            query = query.Where(a => EF.Functions.ILike(a.Headline, pattern, LikePatterns.Escape));
        }
        if (updatedSince is { } since)
        {
            var sinceUtc = since.ToUniversalTime();
            query = query.Where(a => a.UpdatedAt >= sinceUtc);
        }
        if (createdBy is not null)
        {
            if (createdBy != "me")
            {
                return Problems.Validation("createdBy", "createdBy is me (the articles the caller created).");
            }
            query = CreatedBy(db, query, Caller.From(http));
        }
        var rows = await query.NewestFirst(a => a.UpdatedAt, a => a.Id, after, take)
            .Select(a => new ArticleSummaryResponse(a.Id, a.Slug, a.Headline,
                a.Status == ArticleStatus.Published && a.PublishAt > now ? ArticleStatus.Scheduled : a.Status,
                a.Section == null ? null : new NamedRef(a.Section.Slug, a.Section.Name), a.PublishAt, a.UpdatedAt, a.Version))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(Pagination.ToPage(http, signer, rows, take, a => new KeysetCursor(a.UpdatedAt, a.Id)));
    }

    /// <summary>Articles whose first revision the caller made: the same person (issuer and subject), or the same key.</summary>
    private static IQueryable<Article> CreatedBy(HeadlessNewsDbContext db, IQueryable<Article> query, Caller caller)
    {
        var first = db.Set<Revision>().Where(r => r.ResourceType == ArticleWrites.ResourceType && r.Number == 1);
        first = caller.Person is { } person
            ? first.Where(r => r.Subject == person.Subject && r.Issuer == person.Issuer)
            : first.Where(r => r.ApiKeyId == caller.KeyId);
        return query.Where(a => first.Any(r => r.ResourceId == a.Id));
    }

    private static async Task<Results<Ok<ArticleResponse>, ProblemHttpResult>> GetArticle(
        Guid id, HttpResponse response, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var article = await db.Set<Article>().Where(a => a.Id == id).WithRelations().FirstOrDefaultAsync(cancellationToken);
        if (article is null)
        {
            return Problems.NotFound($"No article has id {id}.");
        }
        response.SetETag(article.Version);
        return TypedResults.Ok(ArticleResponses.ToResponse(article, clock.Now()));
    }

    private static async Task<Results<Ok<ArticleResponse>, ProblemHttpResult>> UpdateArticle(
        Guid id, SaveArticleRequest request, HttpContext http, HeadlessNewsDbContext db, IAuthorizationService authorization, TimeProvider clock, CancellationToken cancellationToken)
    {
        var mayChangeEmbargo = (await authorization.AuthorizeAsync(http.User, Scopes.Policies.ContentPublish)).Succeeded;
        return (await ArticleWrites.UpdateAsync(db, clock, Caller.From(http), id, http.Request.ExpectedVersion(), request, mayChangeEmbargo, cancellationToken))
            .ToOk(http.Response, a => a);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ArchiveArticle(
        Guid id, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await ArticleWrites.ArchiveAsync(db, clock, Caller.From(http), id, http.Request.ExpectedVersion(), cancellationToken)).ToNoContent(http.Response);

    private static async Task<Results<Ok<ArticleResponse>, ProblemHttpResult>> PublishArticle(
        Guid id, [FromBody] PublishArticleRequest? request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await ArticleWrites.PublishAsync(db, clock, Caller.From(http), id, http.Request.ExpectedVersion(), request?.PublishAt, cancellationToken)).ToOk(http.Response, a => a);

    private static async Task<Results<Ok<ArticleResponse>, ProblemHttpResult>> UnpublishArticle(
        Guid id, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await ArticleWrites.UnpublishAsync(db, clock, Caller.From(http), id, http.Request.ExpectedVersion(), cancellationToken)).ToOk(http.Response, a => a);

    private static async Task<Results<Ok<ArticleResponse>, ProblemHttpResult>> AddCorrection(
        Guid id, AddCorrectionRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await ArticleWrites.AddCorrectionAsync(db, clock, Caller.From(http), id, http.Request.ExpectedVersion(), request.Text, cancellationToken)).ToOk(http.Response, a => a);

    private static async Task<Results<Ok<Page<RevisionSummary>>, ProblemHttpResult>> ListRevisions(Guid id, HeadlessNewsDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Set<Article>().AnyAsync(a => a.Id == id, cancellationToken))
        {
            return Problems.NotFound($"No article has id {id}.");
        }
        return TypedResults.Ok(new Page<RevisionSummary>(await db.Set<Revision>().AsNoTracking()
            .Where(r => r.ResourceType == ArticleWrites.ResourceType && r.ResourceId == id)
            .OrderByDescending(r => r.Number)
            .Select(r => new RevisionSummary(r.Number, r.Action, r.ActorName, r.OnBehalfOf, r.At, RevisionActor.Of(r.ActorName, r.Subject, r.Issuer, r.Email)))
            .ToListAsync(cancellationToken), null));
    }

    private static async Task<Results<Ok<RevisionResponse>, ProblemHttpResult>> GetRevision(Guid id, int number, HeadlessNewsDbContext db, CancellationToken cancellationToken)
    {
        var revision = await db.Set<Revision>().AsNoTracking()
            .Where(r => r.ResourceType == ArticleWrites.ResourceType && r.ResourceId == id && r.Number == number)
            .FirstOrDefaultAsync(cancellationToken);
        if (revision is null)
        {
            return Problems.NotFound($"Article {id} has no revision {number}.");
        }
        return TypedResults.Ok(new RevisionResponse(revision.Number, revision.Action, revision.ActorName, revision.OnBehalfOf, revision.At,
            RevisionActor.Of(revision.ActorName, revision.Subject, revision.Issuer, revision.Email),
            revision.Snapshot.ReadSnapshot<ArticleResponse>()));
    }

    private static async Task<Results<Ok<ArticleResponse>, ProblemHttpResult>> RestoreRevision(
        Guid id, int number, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await ArticleWrites.RestoreAsync(db, clock, Caller.From(http), id, http.Request.ExpectedVersion(), number, cancellationToken)).ToOk(http.Response, a => a);

    private static async Task<Results<Ok<PreviewLinkResponse>, ProblemHttpResult>> CreatePreviewLink(
        Guid id, [FromBody] CreatePreviewLinkRequest? request, HttpRequest http, HeadlessNewsDbContext db, TokenSigner signer, TimeProvider clock, CancellationToken cancellationToken)
    {
        var minutes = request?.ExpiresInMinutes ?? DefaultPreviewMinutes;
        if (minutes is < 1 or > MaxPreviewMinutes)
        {
            return Problems.Validation("expiresInMinutes", $"expiresInMinutes is between 1 and {MaxPreviewMinutes} (7 days).");
        }
        var generation = await db.Set<Article>().Where(a => a.Id == id && a.Status != ArticleStatus.Archived)
            .Select(a => (int?)a.PreviewGeneration).FirstOrDefaultAsync(cancellationToken);
        if (generation is null)
        {
            return Problems.NotFound($"No article has id {id} (or it is archived).");
        }
        var expiresAt = ArticleVisibility.ToWholeSecond(clock.Now().AddMinutes(minutes));
        var token = ArticlePreviewLinks.Sign(signer, new PreviewToken(id, expiresAt, generation.Value));
        return TypedResults.Ok(new PreviewLinkResponse($"{http.Scheme}://{http.Host}{http.PathBase}/v1/preview/{token}", expiresAt));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokePreviewLinks(Guid id, HeadlessNewsDbContext db, CancellationToken cancellationToken) =>
        await db.Set<Article>().Where(a => a.Id == id)
            .ExecuteUpdateAsync(a => a.SetProperty(article => article.PreviewGeneration, article => article.PreviewGeneration + 1), cancellationToken) == 0
            ? Problems.NotFound($"No article has id {id}.")
            : TypedResults.NoContent();
}
