using HeadlessNews.Api.Features.Articles.Blocks;
using HeadlessNews.Api.Features.Authors;
using HeadlessNews.Api.Features.Delivery;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Features.Quotes;
using HeadlessNews.Api.Features.Sections;
using HeadlessNews.Api.Features.Sources;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Revisions;
using HeadlessNews.Api.Infrastructure.Security;
using HeadlessNews.Api.Infrastructure.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Api.Features.Articles;

/// <summary>
/// The one write path for articles: inside a transaction that locks the article row it checks If-Match,
/// resolves references, applies the change, bumps the version, maintains link tables and slug history,
/// records the revision and outbox events, and commits once. Concurrent writers queue on the row lock,
/// so the second sees the new version and gets 412.
/// </summary>
public static class ArticleStore
{
    public const string ResourceType = "article";

    /// <summary>What a change needs: the article (tracked, with relations) and the moment of the change.</summary>
    internal sealed record ChangeContext(HeadlessNewsDbContext Db, Article Article, DateTimeOffset Now);

    internal sealed record Change(string Action, bool ContentChanged, string LeavingEvent = ContentEventTypes.ArticleUnpublished);

    private sealed record ResolvedContent(
        Section? Section, List<Author> Authors, List<Tag> Tags, List<Place> Places, List<Block> Body,
        List<Guid> SourceIds, HashSet<Guid> QuoteIds, HashSet<Guid> CitedSourceIds);

    public static async Task<Results<Created<ArticleResponse>, ProblemHttpResult>> CreateAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller caller, SaveArticleRequest request, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.Now();
        var (content, invalid) = await ResolveAsync(db, request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }
        var article = new Article
        {
            Id = Guid.CreateVersion7(),
            Slug = string.Empty,
            Headline = request.Headline,
            Language = Languages.Default,
            Status = ArticleStatus.Draft,
            CreatedAt = now,
            Version = 1,
        };
        if (await AssignSlugAsync(db, article, request.Slug, now, cancellationToken) is { } conflict)
        {
            return conflict;
        }
        Apply(article, request, content!, now);
        db.Add(article);
        AddLinks(db, article, content!);
        var response = ArticleResponses.ToResponse(article, now);
        db.RecordRevision(clock, caller, ResourceType, article.Id, article.Version, "created", response);
        if (await CommitAsync(db, transaction, article, cancellationToken) is { } failed)
        {
            return failed;
        }
        return TypedResults.Created($"/v1/manage/articles/{article.Id}", response);
    }

    /// <summary>Replaces the content; <paramref name="mayChangeEmbargo"/> (content:publish) is needed to change embargoUntil, since that changes visibility.</summary>
    public static Task<Results<Ok<ArticleResponse>, ProblemHttpResult>> UpdateAsync(
        HttpRequest http, HeadlessNewsDbContext db, TimeProvider clock, Caller caller, bool mayChangeEmbargo, Guid id, SaveArticleRequest request, CancellationToken cancellationToken) =>
        ChangeAsync(http, db, clock, caller, id, new Change("updated", ContentChanged: true), async change =>
        {
            if (change.Article.Status == ArticleStatus.Archived)
            {
                return Problems.Conflict("The article is archived; restore a revision to edit it again.");
            }
            if (!mayChangeEmbargo && EmbargoAfter(request, change.Article.EmbargoUntil) != change.Article.EmbargoUntil)
            {
                return Problems.Forbidden("Only a content:publish caller may change embargoUntil once the article exists; leave it out (or send the current value) to keep it.");
            }
            return await ReplaceContentAsync(change, request, request.Slug, cancellationToken);
        }, cancellationToken);

    public static Task<Results<Ok<ArticleResponse>, ProblemHttpResult>> PublishAsync(
        HttpRequest http, HeadlessNewsDbContext db, TimeProvider clock, Caller caller, Guid id, DateTimeOffset? publishAt, CancellationToken cancellationToken) =>
        ChangeAsync(http, db, clock, caller, id, new Change("published", ContentChanged: false), change =>
        {
            var article = change.Article;
            var problem = article.Status switch
            {
                ArticleStatus.Archived => Problems.Conflict("An archived article cannot be published; restore a revision first."),
                ArticleStatus.Published when article.PublishAt <= change.Now => Problems.Conflict("The article is already published; unpublish it first to publish it again."),
                _ when string.IsNullOrWhiteSpace(article.Headline) || article.Body.Count == 0 => Problems.Conflict("Publishing needs a headline and at least one body block."),
                _ => null,
            };
            if (problem is null)
            {
                var at = ArticleVisibility.ToWholeSecond(publishAt ?? change.Now);
                article.Status = ArticleStatus.Published;
                article.PublishAt = at;
                if (article.FirstPublishedAt is null || article.FirstPublishedAt > change.Now)
                {
                    article.FirstPublishedAt = at;
                }
            }
            return Task.FromResult(problem);
        }, cancellationToken);

    public static Task<Results<Ok<ArticleResponse>, ProblemHttpResult>> UnpublishAsync(
        HttpRequest http, HeadlessNewsDbContext db, TimeProvider clock, Caller caller, Guid id, CancellationToken cancellationToken) =>
        ChangeAsync(http, db, clock, caller, id, new Change("unpublished", ContentChanged: false), change =>
        {
            if (change.Article.Status != ArticleStatus.Published)
            {
                return Task.FromResult<ProblemHttpResult?>(Problems.Conflict($"Only a published or scheduled article can be unpublished; this one is {ArticleVisibility.StatusAt(change.Article, change.Now).ToString().ToLowerInvariant()}."));
            }
            change.Article.Status = ArticleStatus.Unpublished;
            return Task.FromResult<ProblemHttpResult?>(null);
        }, cancellationToken);

    public static Task<Results<Ok<ArticleResponse>, ProblemHttpResult>> ArchiveAsync(
        HttpRequest http, HeadlessNewsDbContext db, TimeProvider clock, Caller caller, Guid id, CancellationToken cancellationToken) =>
        ChangeAsync(http, db, clock, caller, id, new Change("archived", ContentChanged: false, LeavingEvent: ContentEventTypes.ArticleArchived), change =>
        {
            if (change.Article.Status == ArticleStatus.Archived)
            {
                return Task.FromResult<ProblemHttpResult?>(Problems.Conflict("The article is already archived."));
            }
            change.Article.Status = ArticleStatus.Archived;
            change.Article.PreviewGeneration++;
            return Task.FromResult<ProblemHttpResult?>(null);
        }, cancellationToken);

    public static Task<Results<Ok<ArticleResponse>, ProblemHttpResult>> AddCorrectionAsync(
        HttpRequest http, HeadlessNewsDbContext db, TimeProvider clock, Caller caller, Guid id, string text, CancellationToken cancellationToken) =>
        ChangeAsync(http, db, clock, caller, id, new Change("corrected", ContentChanged: true), change =>
        {
            if (change.Article.Status == ArticleStatus.Archived)
            {
                return Task.FromResult<ProblemHttpResult?>(Problems.Conflict("The article is archived; restore a revision first."));
            }
            change.Article.Corrections = [.. change.Article.Corrections, new Correction(change.Now, text.Trim())];
            return Task.FromResult<ProblemHttpResult?>(null);
        }, cancellationToken);

    /// <summary>Puts a revision's content back (keeping the current slug); an archived article becomes a draft again.</summary>
    public static Task<Results<Ok<ArticleResponse>, ProblemHttpResult>> RestoreAsync(
        HttpRequest http, HeadlessNewsDbContext db, TimeProvider clock, Caller caller, Guid id, int number, CancellationToken cancellationToken) =>
        ChangeAsync(http, db, clock, caller, id, new Change($"restored from {number}", ContentChanged: true), async change =>
        {
            var snapshot = await ArticleResponses.ReadRevisionAsync(db, id, number, cancellationToken);
            if (snapshot is null)
            {
                return Problems.NotFound($"The article has no revision {number}.");
            }
            var request = new SaveArticleRequest(
                snapshot.Headline, null, snapshot.Standfirst, snapshot.Body, snapshot.Section?.Slug,
                [.. snapshot.Tags.Select(t => t.Name)], [.. snapshot.Places.Select(p => p.Name)], [.. snapshot.Authors.Select(a => a.Slug)],
                snapshot.SourceIds, snapshot.HeroImage, snapshot.Language, snapshot.CanonicalUrl) { EmbargoUntil = snapshot.EmbargoUntil };
            if (change.Article.Status == ArticleStatus.Archived)
            {
                change.Article.Status = ArticleStatus.Draft;
            }
            return await ReplaceContentAsync(change, request, slug: null, cancellationToken);
        }, cancellationToken);

    internal static async Task<Results<Ok<ArticleResponse>, ProblemHttpResult>> ChangeAsync(
        HttpRequest http, HeadlessNewsDbContext db, TimeProvider clock, Caller caller, Guid id, Change change,
        Func<ChangeContext, Task<ProblemHttpResult?>> apply, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT 1 FROM articles WHERE id = {id} FOR UPDATE", cancellationToken);
        var article = await db.Set<Article>()
            .Include(a => a.Section)
            .Include(a => a.Authors).ThenInclude(l => l.Author)
            .Include(a => a.Tags).ThenInclude(l => l.Tag)
            .Include(a => a.Places).ThenInclude(l => l.Place)
            .AsSplitQuery()
            .FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (article is null)
        {
            return Problems.NotFound($"No article has id {id}.");
        }
        if (Versioning.CheckIfMatch(http, article.Version) is { } precondition)
        {
            return precondition;
        }
        var now = clock.Now();
        var wasVisible = ArticleVisibility.IsVisible(article, now);
        var dueBefore = ArticleVisibility.VisibleFrom(article);
        if (await apply(new ChangeContext(db, article, now)) is { } problem)
        {
            return problem;
        }
        article.Version++;
        article.UpdatedAt = now;
        await RecordEventsAsync(db, clock, article, wasVisible, dueBefore, change, cancellationToken);
        var response = ArticleResponses.ToResponse(article, now);
        db.RecordRevision(clock, caller, ResourceType, article.Id, article.Version, change.Action, response);
        if (await CommitAsync(db, transaction, article, cancellationToken) is { } failed)
        {
            return failed;
        }
        http.HttpContext.Response.SetETag(article.Version);
        return TypedResults.Ok(response);
    }

    private static async Task<ProblemHttpResult?> ReplaceContentAsync(ChangeContext change, SaveArticleRequest request, string? slug, CancellationToken cancellationToken)
    {
        var (db, article, now) = change;
        var (content, invalid) = await ResolveAsync(db, request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }
        if (slug is not null && slug != article.Slug && await AssignSlugAsync(db, article, slug, now, cancellationToken) is { } conflict)
        {
            return conflict;
        }
        foreach (var link in article.Authors.Cast<object>().Concat(article.Tags).Concat(article.Places))
        {
            db.Entry(link).State = EntityState.Detached;
        }
        await db.Set<ArticleAuthor>().Where(l => l.ArticleId == article.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Set<ArticleTag>().Where(l => l.ArticleId == article.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Set<ArticlePlace>().Where(l => l.ArticleId == article.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Set<ArticleQuote>().Where(l => l.ArticleId == article.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Set<ArticleSource>().Where(l => l.ArticleId == article.Id).ExecuteDeleteAsync(cancellationToken);
        Apply(article, request, content!, now);
        AddLinks(db, article, content!);
        return null;
    }

    private static void Apply(Article article, SaveArticleRequest request, ResolvedContent content, DateTimeOffset now)
    {
        article.Headline = request.Headline.Trim();
        article.Standfirst = request.Standfirst;
        article.Body = content.Body;
        article.SectionId = content.Section?.Id;
        article.Section = content.Section;
        article.SourceIds = content.SourceIds;
        article.HeroImage = request.HeroImage;
        article.Language = request.Language ?? Languages.Default;
        article.EmbargoUntil = EmbargoAfter(request, article.EmbargoUntil);
        article.CanonicalUrl = request.CanonicalUrl;
        article.UpdatedAt = now;
    }

    /// <summary>The embargo after a save: the one sent (to the second, null included), else <paramref name="current"/>.</summary>
    private static DateTimeOffset? EmbargoAfter(SaveArticleRequest request, DateTimeOffset? current) =>
        !request.EmbargoUntilGiven ? current : request.EmbargoUntil is { } embargo ? ArticleVisibility.ToWholeSecond(embargo) : null;

    private static void AddLinks(HeadlessNewsDbContext db, Article article, ResolvedContent content)
    {
        article.Authors = [.. content.Authors.Select((a, i) => new ArticleAuthor { ArticleId = article.Id, AuthorId = a.Id, Author = a, Position = i })];
        article.Tags = [.. content.Tags.Select((t, i) => new ArticleTag { ArticleId = article.Id, TagId = t.Id, Tag = t, Position = i })];
        article.Places = [.. content.Places.Select((p, i) => new ArticlePlace { ArticleId = article.Id, PlaceId = p.Id, Place = p, Position = i })];
        db.AddRange(content.QuoteIds.Select(q => new ArticleQuote { ArticleId = article.Id, QuoteId = q }));
        db.AddRange(content.CitedSourceIds.Select(s => new ArticleSource { ArticleId = article.Id, SourceId = s }));
    }

    /// <summary>
    /// Outbox rules: becoming visible is <c>article.published</c> (at the moment it will become visible when that is ahead),
    /// changing while visible is <c>article.updated</c>, stopping being visible is <c>article.unpublished</c>/<c>article.archived</c>.
    /// Moving or cancelling a scheduled publication deletes its pending future events first.
    /// </summary>
    private static async Task RecordEventsAsync(HeadlessNewsDbContext db, TimeProvider clock, Article article, bool wasVisible, DateTimeOffset? dueBefore, Change change, CancellationToken cancellationToken)
    {
        var now = clock.Now();
        var isVisible = ArticleVisibility.IsVisible(article, now);
        var dueAfter = ArticleVisibility.VisibleFrom(article);
        if (dueBefore != dueAfter)
        {
            await db.Set<ContentEvent>()
                .Where(e => e.ResourceType == ResourceType && e.ResourceId == article.Id && e.DispatchedAt == null && e.DueAt > now)
                .ExecuteDeleteAsync(cancellationToken);
        }
        if (!wasVisible && isVisible)
        {
            db.Record(clock, ContentEventTypes.ArticlePublished, ResourceType, article.Id, article.Slug, article.Version);
        }
        else if (wasVisible && isVisible && change.ContentChanged)
        {
            db.Record(clock, ContentEventTypes.ArticleUpdated, ResourceType, article.Id, article.Slug, article.Version);
        }
        else if (wasVisible && !isVisible)
        {
            db.Record(clock, change.LeavingEvent, ResourceType, article.Id, article.Slug, article.Version);
        }
        else if (change.LeavingEvent == ContentEventTypes.ArticleArchived && article.FirstPublishedAt <= now)
        {
            db.Record(clock, ContentEventTypes.ArticleArchived, ResourceType, article.Id, article.Slug, article.Version);
        }
        if (!isVisible && dueAfter > now && dueBefore != dueAfter)
        {
            db.Record(clock, ContentEventTypes.ArticlePublished, ResourceType, article.Id, article.Slug, article.Version, dueAfter);
        }
    }

    /// <summary>Checks every reference (section, authors, quotes, sources) and errors by JSON path; then finds or creates tags and places.</summary>
    private static async Task<(ResolvedContent? Content, ProblemHttpResult? Problem)> ResolveAsync(HeadlessNewsDbContext db, SaveArticleRequest request, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var body = (request.Body ?? []).Select(BlockValidator.Normalise).ToList();

        Section? section = null;
        if (request.Section is { } sectionSlug)
        {
            section = await db.Set<Section>().FirstOrDefaultAsync(s => s.Slug == sectionSlug, cancellationToken);
            if (section is null)
            {
                errors["section"] = [$"No section has the slug '{sectionSlug}'."];
            }
        }

        var authorSlugs = (request.Authors ?? []).Distinct().ToList();
        var authors = await db.Set<Author>().Where(a => authorSlugs.Contains(a.Slug)).ToListAsync(cancellationToken);
        for (var i = 0; i < (request.Authors ?? []).Count; i++)
        {
            if (!authors.Any(a => a.Slug == request.Authors![i]))
            {
                errors[$"authors[{i}]"] = [$"No author has the slug '{request.Authors![i]}'."];
            }
        }

        var quoteIds = body.Where(b => b.QuoteId is not null).Select(b => b.QuoteId!.Value).ToHashSet();
        var knownQuotes = await db.Set<Quote>().Where(q => quoteIds.Contains(q.Id)).Select(q => q.Id).ToListAsync(cancellationToken);
        var sourceIds = (request.SourceIds ?? []).Distinct().ToList();
        var citedSourceIds = sourceIds.Concat(body.SelectMany(b => b.SourceIds ?? [])).ToHashSet();
        var knownSources = await db.Set<Source>().Where(s => citedSourceIds.Contains(s.Id)).Select(s => s.Id).ToListAsync(cancellationToken);
        for (var i = 0; i < body.Count; i++)
        {
            if (body[i].QuoteId is { } quoteId && !knownQuotes.Contains(quoteId))
            {
                errors[$"body[{i}].quoteId"] = [$"No quote has id {quoteId}."];
            }
            var missing = (body[i].SourceIds ?? []).Where(s => !knownSources.Contains(s)).ToList();
            if (missing.Count > 0)
            {
                errors[$"body[{i}].sourceIds"] = [$"No source has id {string.Join(", ", missing)}."];
            }
        }
        for (var i = 0; i < (request.SourceIds ?? []).Count; i++)
        {
            if (!knownSources.Contains(request.SourceIds![i]))
            {
                errors[$"sourceIds[{i}]"] = [$"No source has id {request.SourceIds![i]}."];
            }
        }
        await DeliveredImages.CheckReferencesAsync(db, ImageReferences(request.HeroImage, body), errors, cancellationToken);
        if (errors.Count > 0)
        {
            return (null, Problems.Validation(errors));
        }

        var tags = await FindOrCreateTermsAsync(db, "tags", request.Tags, cancellationToken);
        var places = await FindOrCreateTermsAsync(db, "places", request.Places, cancellationToken);
        return (new ResolvedContent(
            section,
            [.. authorSlugs.Select(slug => authors.First(a => a.Slug == slug))],
            [.. tags.Select(t => db.Set<Tag>().Local.First(x => x.Slug == t.Slug))],
            [.. places.Select(p => db.Set<Place>().Local.First(x => x.Slug == p.Slug))],
            body, sourceIds, quoteIds, citedSourceIds), null);
    }

    private static List<(string Path, Guid AssetId)> ImageReferences(HeroImage? hero, List<Block> body) =>
        [.. body.Select((b, i) => (Path: $"body[{i}].assetId", b.AssetId)).Prepend((Path: "heroImage.assetId", hero?.AssetId))
            .Where(use => use.AssetId is not null).Select(use => (use.Path, use.AssetId!.Value))];

    /// <summary>Tags and places are created on first use; concurrent first uses agree thanks to ON CONFLICT.</summary>
    private static async Task<List<(string Slug, string Name)>> FindOrCreateTermsAsync(HeadlessNewsDbContext db, string table, IReadOnlyList<string>? given, CancellationToken cancellationToken)
    {
        var terms = (given ?? []).Select(g => (Slug: Slugs.From(g), Name: g.Trim())).DistinctBy(t => t.Slug).ToList();
        if (terms.Count == 0)
        {
            return terms;
        }
        var slugs = terms.Select(t => t.Slug).ToList();
        foreach (var (slug, name) in terms)
        {
            var id = Guid.CreateVersion7();
            if (table == "tags")
            {
                await db.Database.ExecuteSqlInterpolatedAsync($"INSERT INTO tags (id, slug, name) VALUES ({id}, {slug}, {name}) ON CONFLICT (slug) DO NOTHING", cancellationToken);
            }
            else
            {
                await db.Database.ExecuteSqlInterpolatedAsync($"INSERT INTO places (id, slug, name) VALUES ({id}, {slug}, {name}) ON CONFLICT (slug) DO NOTHING", cancellationToken);
            }
        }
        if (table == "tags")
        {
            await db.Set<Tag>().Where(t => slugs.Contains(t.Slug)).LoadAsync(cancellationToken);
        }
        else
        {
            await db.Set<Place>().Where(p => slugs.Contains(p.Slug)).LoadAsync(cancellationToken);
        }
        return terms;
    }

    /// <summary>Gives the article <paramref name="requested"/> (409 when another article has or had it) or a free slug from its headline; keeps the former slug.</summary>
    private static async Task<ProblemHttpResult?> AssignSlugAsync(HeadlessNewsDbContext db, Article article, string? requested, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Serialises slug allocation so two saves cannot pick the same free slug.
        await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(hashtext('article-slugs'))", cancellationToken);
        var history = db.Set<ArticleSlugHistory>();
        string slug;
        if (requested is not null)
        {
            var taken = await db.Set<Article>().AnyAsync(a => a.Slug == requested && a.Id != article.Id, cancellationToken)
                || await history.AnyAsync(h => h.Slug == requested && h.ArticleId != article.Id, cancellationToken);
            if (taken)
            {
                return Problems.Conflict($"The slug '{requested}' belongs to another article.");
            }
            slug = requested;
        }
        else
        {
            var stem = Slugs.From(article.Headline) is { Length: > 0 } fromHeadline ? fromHeadline : "article";
            var used = await db.Set<Article>().Where(a => a.Slug.StartsWith(stem)).Select(a => a.Slug)
                .Concat(history.Where(h => h.Slug.StartsWith(stem)).Select(h => h.Slug))
                .ToListAsync(cancellationToken);
            slug = stem;
            for (var n = 2; used.Contains(slug); n++)
            {
                slug = $"{stem[..Math.Min(stem.Length, Slugs.MaxLength - 8)]}-{n}";
            }
        }
        if (article.Slug.Length > 0)
        {
            db.Add(new ArticleSlugHistory { Slug = article.Slug, ArticleId = article.Id, RetiredAt = now });
            await history.Where(h => h.Slug == slug && h.ArticleId == article.Id).ExecuteDeleteAsync(cancellationToken);
        }
        article.Slug = slug;
        return null;
    }

    private static async Task<ProblemHttpResult?> CommitAsync(HeadlessNewsDbContext db, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction, Article article, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await ArticleReadModel.RefreshAsync(db, [article.Id], cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            var current = await db.Set<Article>().AsNoTracking().Where(a => a.Id == article.Id).Select(a => (int?)a.Version).FirstOrDefaultAsync(CancellationToken.None);
            return current is { } version ? Problems.PreconditionFailed(version) : Problems.NotFound("The article was deleted meanwhile.");
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return Problems.Conflict($"The slug '{article.Slug}' belongs to another article.");
        }
        catch (DbUpdateException e) when (e.IsForeignKeyViolation())
        {
            return Problems.Validation("body", "A quote, source, author or section this article references was deleted meanwhile; reload and try again.");
        }
    }
}
