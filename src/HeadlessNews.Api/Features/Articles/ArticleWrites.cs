using System.Runtime.CompilerServices;
using System.Text.Json;
using HeadlessNews.Api.Features.Articles.Blocks;
using HeadlessNews.Api.Infrastructure.Domain;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Api.Infrastructure.Revisions;
using Microsoft.EntityFrameworkCore.Storage;

namespace HeadlessNews.Api.Features.Articles;

/// <summary>
/// The one write path for articles, for every writer (the API, the sample content, importers): plain input, the
/// version the writer read and who acts, in; the article as editors see it, or a <see cref="Refusal"/>, out. Inside a
/// transaction that locks the article row it checks the version, resolves references (<see cref="ArticleReferences"/>),
/// applies the change, bumps the version, maintains link tables and slug history, records the revision and outbox
/// events (<see cref="ArticleEvents"/>), and commits once. Concurrent writers queue on the row lock, so the second sees
/// the new version and is refused. A writer that already holds a transaction on the context (an import writing a post
/// with its bookkeeping) gets the write inside it, and commits it itself: the read model refreshes at that commit.
/// </summary>
public static class ArticleWrites
{
    public const string ResourceType = "article";

    /// <summary>
    /// What a change works on: the article (tracked, with relations) and the moment of the change. A change that finds the
    /// article already as asked sets <see cref="Unchanged"/> and leaves it untouched.
    /// </summary>
    private sealed record ChangeContext(HeadlessNewsDbContext Db, Article Article, DateTimeOffset Now)
    {
        public bool Unchanged { get; set; }
    }

    public static Task<WriteResult<ArticleResponse>> CreateAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, SaveArticleRequest content, CancellationToken cancellationToken) =>
        CreateAsync(db, clock, actor, content, alongside: null, translationGroupId: null, cancellationToken);

    /// <summary>
    /// Creates the article; <paramref name="alongside"/> adds rows of the writer's own to the context, to be saved with the
    /// article's (an import's record of where it came from: one save instead of two). Only the slug's unique violation then
    /// reads as "slug taken"; any other fails the save as itself.
    /// </summary>
    /// <param name="translationGroupId">The story it is an edition of (an import's Polylang translations), refused when that story has one in its language; null: a story of its own.</param>
    public static async Task<WriteResult<ArticleResponse>> CreateAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, SaveArticleRequest content, Action<ArticleResponse>? alongside, Guid? translationGroupId,
        CancellationToken cancellationToken)
    {
        await using var transaction = await BeginAsync(db, cancellationToken);
        return await InsertAsync(db, transaction, clock, actor, content, translationGroupId, "created", cancellationToken, alongside: alongside);
    }

    /// <summary>
    /// Creates the article already published (at <paramref name="publishAt"/>, as <see cref="PublishAsync"/> would): one
    /// transaction and one revision instead of two, for writers that bring finished content (an import). Refused like a
    /// publish when there is nothing to publish. <paramref name="alongside"/>: the writer's rows saved with the article's, as on create.
    /// </summary>
    public static async Task<WriteResult<ArticleResponse>> CreatePublishedAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, SaveArticleRequest content, DateTimeOffset? publishAt, Action<ArticleResponse>? alongside,
        Guid? translationGroupId, CancellationToken cancellationToken)
    {
        await using var transaction = await BeginAsync(db, cancellationToken);
        return await InsertAsync(db, transaction, clock, actor, content, translationGroupId, "created and published", cancellationToken, new Publication(publishAt), alongside);
    }

    /// <summary>What <see cref="InsertAsync"/> publishes the new article at (null: now).</summary>
    private sealed record Publication(DateTimeOffset? At);

    /// <summary>
    /// A new draft edition of <paramref name="id"/>'s story in <paramref name="language"/>, in the same translation group,
    /// starting from the original's content (to be translated) with its own slug, workflow, revisions and corrections.
    /// It keeps the original's embargo, so a translation of an embargoed story cannot be published before it by accident.
    /// </summary>
    public static async Task<WriteResult<ArticleResponse>> CreateTranslationAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, Guid id, CreateTranslationRequest request, CancellationToken cancellationToken)
    {
        await using var transaction = await BeginAsync(db, cancellationToken);
        var original = await db.Set<Article>().Where(a => a.Id == id).WithRelations().FirstOrDefaultAsync(cancellationToken);
        if (original is null)
        {
            return new Missing($"No article has id {id}.");
        }
        var language = Languages.Normalise(request.Language);
        var source = ArticleResponses.ToResponse(original, clock.Now());
        var content = new SaveArticleRequest(
            request.Headline ?? source.Headline, request.Slug, source.Standfirst, source.Body, source.Section?.Slug,
            [.. source.Tags.Select(t => t.Slug)], [.. source.Places.Select(p => p.Name)], [.. source.Authors.Select(a => a.Slug)],
            source.SourceIds, source.HeroImage, language, source.CanonicalUrl) { EmbargoUntil = source.EmbargoUntil };
        return await InsertAsync(db, transaction, clock, actor, content, original.TranslationGroupId, $"created as the {language} edition", cancellationToken);
    }

    /// <summary>Moves the article into <paramref name="otherId"/>'s translation group (If-Match on the article moved).</summary>
    public static Task<WriteResult<ArticleResponse>> LinkTranslationAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, Guid id, ExpectedVersion expected, Guid otherId, CancellationToken cancellationToken) =>
        ChangeAsync(db, clock, actor, id, expected, new ArticleChange($"linked as a translation of {otherId}", ContentChanged: false), async change =>
        {
            var group = await db.Set<Article>().Where(a => a.Id == otherId).Select(a => (Guid?)a.TranslationGroupId).FirstOrDefaultAsync(cancellationToken);
            if (group is null || otherId == id)
            {
                return Invalid.Field("articleId", $"No other article has id {otherId}.");
            }
            if (await LanguageTakenAsync(db, group.Value, change.Article.Language, except: id, cancellationToken) is { } taken)
            {
                return taken;
            }
            change.Article.TranslationGroupId = group.Value;
            return null;
        }, cancellationToken);

    /// <summary>Takes the article out of its translation group (into one of its own); the other editions stay linked.</summary>
    public static Task<WriteResult<ArticleResponse>> UnlinkTranslationAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, Guid id, ExpectedVersion expected, CancellationToken cancellationToken) =>
        ChangeAsync(db, clock, actor, id, expected, new ArticleChange("unlinked from its translations", ContentChanged: false), change =>
        {
            change.Article.TranslationGroupId = Guid.CreateVersion7();
            return Task.FromResult<Refusal?>(null);
        }, cancellationToken);

    /// <summary>A group has one edition per language; editions join a group one at a time (the lock) so two cannot both take one.</summary>
    private static async Task<Refusal?> LanguageTakenAsync(HeadlessNewsDbContext db, Guid group, string language, Guid? except, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtext({group.ToString()}))", cancellationToken);
        // One edition per language, whatever its region: cy and cy-GB are both what ?language=cy shows.
        var primary = language.Split('-')[0];
        var regional = primary + "-";
        var holder = await db.Set<Article>().Where(a => a.TranslationGroupId == group && (a.Language == primary || a.Language.StartsWith(regional)) && a.Id != except)
            .Select(a => new { a.Id, a.Slug, a.Language }).FirstOrDefaultAsync(cancellationToken);
        return holder is null ? null : new EditionTaken(holder.Language == language
            ? $"The story already has an edition in {language}: {holder.Slug} ({holder.Id})."
            : $"The story already has an edition in {holder.Language}, which {language} would share: {holder.Slug} ({holder.Id}).");
    }

    private static async Task<WriteResult<ArticleResponse>> InsertAsync(
        HeadlessNewsDbContext db, IDbContextTransaction? transaction, TimeProvider clock, Caller actor, SaveArticleRequest content, Guid? translationGroupId,
        string action, CancellationToken cancellationToken, Publication? publication = null, Action<ArticleResponse>? alongside = null)
    {
        // An edition joins its story only in a language the story has no edition in.
        if (translationGroupId is { } group
            && await LanguageTakenAsync(db, group, Languages.Normalise(content.Language ?? Languages.Default), except: null, cancellationToken) is { } edition)
        {
            return edition;
        }
        var now = clock.Now();
        var resolved = await ArticleReferences.ResolveAsync(db, content, cancellationToken);
        if (resolved.Refusal is { } invalid)
        {
            return invalid;
        }
        var id = Guid.CreateVersion7();
        var article = new Article
        {
            Id = id,
            Slug = string.Empty,
            Headline = content.Headline,
            Language = Languages.Default,
            TranslationGroupId = translationGroupId ?? id,
            Status = ArticleStatus.Draft,
            CreatedAt = now,
            Version = 1,
        };
        if (await AssignSlugAsync(db, article, content.Slug, now, cancellationToken) is { } taken)
        {
            return taken;
        }
        Apply(article, content, resolved.Value!, now);
        if (publication is not null)
        {
            if (Publish(article, now, publication.At) is { } refused)
            {
                return refused;
            }
            await ArticleEvents.RecordAsync(db, clock, article, wasVisible: false, dueBefore: null, new ArticleChange(action, ContentChanged: false), cancellationToken);
        }
        db.Add(article);
        ArticleReferences.Link(db, article, resolved.Value!);
        var response = ArticleResponses.ToResponse(article, now);
        db.RecordRevision(clock, actor, ResourceType, article.Id, article.Version, action, response);
        alongside?.Invoke(response);
        if (await CommitAsync(db, transaction, article, cancellationToken, onlySlugIsUnique: alongside is null) is { } failed)
        {
            return failed;
        }
        return response;
    }

    /// <summary>Replaces the content; <paramref name="mayChangeEmbargo"/> (content:publish) is needed to change embargoUntil, since that changes visibility.</summary>
    public static Task<WriteResult<ArticleResponse>> UpdateAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, Guid id, ExpectedVersion expected, SaveArticleRequest content, bool mayChangeEmbargo,
        CancellationToken cancellationToken) =>
        ChangeAsync(db, clock, actor, id, expected, new ArticleChange("updated", ContentChanged: true), async change =>
        {
            if (change.Article.Status == ArticleStatus.Archived)
            {
                return new StateConflict("The article is archived; restore a revision to edit it again.");
            }
            if (!mayChangeEmbargo && EmbargoAfter(content, change.Article.EmbargoUntil) != change.Article.EmbargoUntil)
            {
                return new Forbidden("Only a content:publish caller may change embargoUntil once the article exists; leave it out (or send the current value) to keep it.");
            }
            var language = Languages.Normalise(content.Language ?? Languages.Default);
            if (language != change.Article.Language
                && await LanguageTakenAsync(db, change.Article.TranslationGroupId, language, except: id, cancellationToken) is { } taken)
            {
                return taken;
            }
            return await ReplaceContentAsync(change, content, content.Slug, keepWhenSame: true, cancellationToken);
        }, cancellationToken);

    /// <summary>
    /// Publishes now, at a future <paramref name="publishAt"/> (scheduled) or a past one (back-dated). Scheduling an article
    /// again for the moment it is already scheduled for changes nothing.
    /// </summary>
    public static Task<WriteResult<ArticleResponse>> PublishAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, Guid id, ExpectedVersion expected, DateTimeOffset? publishAt, CancellationToken cancellationToken) =>
        ChangeAsync(db, clock, actor, id, expected, new ArticleChange("published", ContentChanged: false), change =>
        {
            var article = change.Article;
            if (article.Status == ArticleStatus.Published && article.PublishAt > change.Now && publishAt is { } at && ArticleVisibility.ToWholeSecond(at) == article.PublishAt)
            {
                change.Unchanged = true;
                return Task.FromResult<Refusal?>(null);
            }
            return Task.FromResult(Publish(article, change.Now, publishAt));
        }, cancellationToken);

    private static Refusal? Publish(Article article, DateTimeOffset now, DateTimeOffset? publishAt)
    {
        Refusal? refusal = article.Status switch
        {
            ArticleStatus.Archived => new StateConflict("An archived article cannot be published; restore a revision first."),
            ArticleStatus.Published when article.PublishAt <= now => new StateConflict("The article is already published; unpublish it first to publish it again."),
            _ => MissingForPublication(article.Headline, article.Body),
        };
        if (refusal is null)
        {
            var at = ArticleVisibility.ToWholeSecond(publishAt ?? now);
            article.Status = ArticleStatus.Published;
            article.PublishAt = at;
            if (article.FirstPublishedAt is null || article.FirstPublishedAt > now)
            {
                article.FirstPublishedAt = at;
            }
        }
        return refusal;
    }

    /// <summary>
    /// What publishing needs: a headline and a body block. Checked when an article is published, and on every edit of one
    /// that is published or scheduled, so that no edit leaves a live article (or one about to go live) empty.
    /// </summary>
    private static StateConflict? MissingForPublication(string headline, IReadOnlyList<Block> body) =>
        VisibleText.IsBlank(headline) || body.Count == 0 ? new StateConflict("Publishing needs a headline and at least one body block.") : null;

    public static Task<WriteResult<ArticleResponse>> UnpublishAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, Guid id, ExpectedVersion expected, CancellationToken cancellationToken) =>
        ChangeAsync(db, clock, actor, id, expected, new ArticleChange("unpublished", ContentChanged: false), change =>
        {
            if (change.Article.Status != ArticleStatus.Published)
            {
                return Task.FromResult<Refusal?>(new StateConflict($"Only a published or scheduled article can be unpublished; this one is {ArticleVisibility.StatusAt(change.Article, change.Now).ToString().ToLowerInvariant()}."));
            }
            change.Article.Status = ArticleStatus.Unpublished;
            ForgetUnseenPublication(change.Article, change.Now);
            return Task.FromResult<Refusal?>(null);
        }, cancellationToken);

    public static Task<WriteResult<ArticleResponse>> ArchiveAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, Guid id, ExpectedVersion expected, CancellationToken cancellationToken) =>
        ChangeAsync(db, clock, actor, id, expected, new ArticleChange("archived", ContentChanged: false, LeavingEvent: ContentEventTypes.ArticleArchived), change =>
        {
            if (change.Article.Status == ArticleStatus.Archived)
            {
                return Task.FromResult<Refusal?>(new StateConflict("The article is already archived."));
            }
            change.Article.Status = ArticleStatus.Archived;
            change.Article.PreviewGeneration++;
            ForgetUnseenPublication(change.Article, change.Now);
            return Task.FromResult<Refusal?>(null);
        }, cancellationToken);

    /// <summary>
    /// A scheduled publication taken back before its time was never seen: the article has not been published (a later
    /// publication dates it, and a correction has nothing to correct until then).
    /// </summary>
    private static void ForgetUnseenPublication(Article article, DateTimeOffset now)
    {
        if (article.FirstPublishedAt > now)
        {
            article.FirstPublishedAt = null;
        }
    }

    public static Task<WriteResult<ArticleResponse>> AddCorrectionAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, Guid id, ExpectedVersion expected, string text, CancellationToken cancellationToken) =>
        ChangeAsync(db, clock, actor, id, expected, new ArticleChange("corrected", ContentChanged: true), change =>
        {
            if (change.Article.Status == ArticleStatus.Archived)
            {
                return Task.FromResult<Refusal?>(new StateConflict("The article is archived; restore a revision first."));
            }
            // A correction is a public note on what readers were shown: before the first publication there is nothing to correct.
            if (change.Article.FirstPublishedAt is not { } firstPublished || firstPublished > change.Now)
            {
                return Task.FromResult<Refusal?>(new StateConflict("The article has never been published; edit the draft instead of correcting it."));
            }
            change.Article.Corrections = [.. change.Article.Corrections, new Correction(change.Now, text.Trim())];
            return Task.FromResult<Refusal?>(null);
        }, cancellationToken);

    /// <summary>Puts a revision's content back (keeping the current slug); an archived article becomes a draft again.</summary>
    public static Task<WriteResult<ArticleResponse>> RestoreAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, Guid id, ExpectedVersion expected, int number, CancellationToken cancellationToken) =>
        ChangeAsync(db, clock, actor, id, expected, new ArticleChange($"restored from {number}", ContentChanged: true), async change =>
        {
            var snapshot = await ArticleResponses.ReadRevisionAsync(db, id, number, cancellationToken);
            if (snapshot is null)
            {
                return new Missing($"The article has no revision {number}.");
            }
            var content = new SaveArticleRequest(
                snapshot.Headline, null, snapshot.Standfirst, snapshot.Body, snapshot.Section?.Slug,
                [.. snapshot.Tags.Select(t => t.Slug)], [.. snapshot.Places.Select(p => p.Name)], [.. snapshot.Authors.Select(a => a.Slug)],
                snapshot.SourceIds, snapshot.HeroImage, snapshot.Language, snapshot.CanonicalUrl)
            {
                EmbargoUntil = snapshot.EmbargoUntil,
                Format = snapshot.Format,
                CoverageStartTime = snapshot.CoverageStartTime,
                CoverageEndTime = snapshot.CoverageEndTime,
            };
            if (change.Article.Status == ArticleStatus.Archived)
            {
                change.Article.Status = ArticleStatus.Draft;
            }
            return await ReplaceContentAsync(change, content, slug: null, keepWhenSame: false, cancellationToken);
        }, cancellationToken);

    private static async Task<WriteResult<ArticleResponse>> ChangeAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, Guid id, ExpectedVersion expected, ArticleChange change,
        Func<ChangeContext, Task<Refusal?>> apply, CancellationToken cancellationToken)
    {
        await using var transaction = await BeginAsync(db, cancellationToken);
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
            return new Missing($"No article has id {id}.");
        }
        if (expected.Check(article.Version) is { } stale)
        {
            return stale;
        }
        var now = clock.Now();
        var wasVisible = ArticleVisibility.IsVisible(article, now);
        var dueBefore = ArticleVisibility.VisibleFrom(article);
        var context = new ChangeContext(db, article, now);
        if (await apply(context) is { } refusal)
        {
            return refusal;
        }
        if (context.Unchanged)
        {
            // No new version, revision, event or cache eviction: an autosave of an unchanged live article is not news.
            return ArticleResponses.ToResponse(article, now);
        }
        article.Version++;
        article.UpdatedAt = now;
        await ArticleEvents.RecordAsync(db, clock, article, wasVisible, dueBefore, change, cancellationToken);
        var response = ArticleResponses.ToResponse(article, now);
        db.RecordRevision(clock, actor, ResourceType, article.Id, article.Version, change.Action, response);
        if (await CommitAsync(db, transaction, article, cancellationToken) is { } failed)
        {
            return failed;
        }
        return response;
    }

    /// <param name="keepWhenSame">Whether content that would leave the editors' view of the article as it is marks the change <see cref="ChangeContext.Unchanged"/>.</param>
    private static async Task<Refusal?> ReplaceContentAsync(
        ChangeContext change, SaveArticleRequest content, string? slug, bool keepWhenSame, CancellationToken cancellationToken)
    {
        var (db, article, now) = change;
        var resolved = await ArticleReferences.ResolveAsync(db, content, cancellationToken);
        if (resolved.Refusal is { } invalid)
        {
            return invalid;
        }
        if (article.Status == ArticleStatus.Published && MissingForPublication(content.Headline, resolved.Value!.Body) is { } missing)
        {
            return new StateConflict($"{missing.Detail} The article is published or scheduled: unpublish it first to save it without them.");
        }
        if (keepWhenSame && (slug is null || slug == article.Slug) && IsAsItIs(article, content, resolved.Value!, now))
        {
            change.Unchanged = true;
            return null;
        }
        if (slug is not null && slug != article.Slug && await AssignSlugAsync(db, article, slug, now, cancellationToken) is { } taken)
        {
            return taken;
        }
        await ArticleReferences.UnlinkAsync(db, article, cancellationToken);
        Apply(article, content, resolved.Value!, now);
        ArticleReferences.Link(db, article, resolved.Value!);
        return null;
    }

    /// <summary>
    /// Whether saving <paramref name="content"/> would leave the article as editors see it (every field of its response but
    /// <c>updatedAt</c>): tried on a copy, so the tracked article stays untouched.
    /// </summary>
    private static bool IsAsItIs(Article article, SaveArticleRequest content, ResolvedContent resolved, DateTimeOffset now)
    {
        var saved = article.Copy();
        Apply(saved, content, resolved, now);
        ArticleReferences.Relate(saved, resolved);
        var before = ArticleResponses.ToResponse(article, now) with { UpdatedAt = default };
        var after = ArticleResponses.ToResponse(saved, now) with { UpdatedAt = default };
        return JsonSerializer.SerializeToUtf8Bytes(before, ApiJson.Options).AsSpan().SequenceEqual(JsonSerializer.SerializeToUtf8Bytes(after, ApiJson.Options));
    }

    private static void Apply(Article article, SaveArticleRequest content, ResolvedContent resolved, DateTimeOffset now)
    {
        article.Headline = content.Headline.Trim();
        article.Standfirst = content.Standfirst;
        article.Body = resolved.Body;
        article.SectionId = resolved.Section?.Id;
        article.Section = resolved.Section;
        article.SourceIds = resolved.SourceIds;
        article.HeroImage = content.HeroImage;
        article.Language = Languages.Normalise(content.Language ?? Languages.Default);
        article.EmbargoUntil = EmbargoAfter(content, article.EmbargoUntil);
        article.CanonicalUrl = content.CanonicalUrl;
        article.Format = content.Format ?? article.Format;
        article.CoverageStartTime = content.CoverageStartTime?.ToUniversalTime();
        article.CoverageEndTime = content.CoverageEndTime?.ToUniversalTime();
        article.UpdatedAt = now;
    }

    /// <summary>The embargo after a save: the one sent (to the second, null included), else <paramref name="current"/>.</summary>
    private static DateTimeOffset? EmbargoAfter(SaveArticleRequest content, DateTimeOffset? current) =>
        !content.EmbargoUntilGiven ? current : content.EmbargoUntil is { } embargo ? ArticleVisibility.ToWholeSecond(embargo) : null;

    /// <summary>
    /// Whether an article other than the one given has or had the slug: one round trip for both. Compiled, since an import
    /// asks it for every post (EF Core's per-call query work measured 7 % of a 10,000-post import's writer CPU).
    /// </summary>
    private static readonly Func<HeadlessNewsDbContext, string, Guid, CancellationToken, Task<bool>> SlugTakenByAnother = EF.CompileAsyncQuery(
        (HeadlessNewsDbContext db, string slug, Guid articleId, CancellationToken _) => db.Set<Article>().Where(a => a.Slug == slug && a.Id != articleId).Select(a => a.Id)
            .Concat(db.Set<ArticleSlugHistory>().Where(h => h.Slug == slug && h.ArticleId != articleId).Select(h => h.ArticleId))
            .Any());

    /// <summary>Gives the article <paramref name="requested"/> (refused when another article has or had it) or a free slug from its headline; keeps the former slug.</summary>
    private static async Task<Refusal?> AssignSlugAsync(HeadlessNewsDbContext db, Article article, string? requested, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Serialises slug allocation so two saves cannot pick the same free slug.
        if (db.Database.CurrentTransaction is not { } current || !SlugLockSkipped.TryGetValue(current, out _))
        {
            await db.Database.ExecuteSqlRawAsync(SlugLock, cancellationToken);
        }
        var history = db.Set<ArticleSlugHistory>();
        string slug;
        if (requested is not null)
        {
            if (await SlugTakenByAnother(db, requested, article.Id, cancellationToken))
            {
                return SlugTaken(requested);
            }
            slug = requested;
        }
        else
        {
            var stem = Slugs.From(article.Headline) is { Length: > 0 } fromHeadline ? fromHeadline : "article";
            slug = await FirstFreeSlugAsync(db, stem, cancellationToken);
        }
        if (article.Slug.Length > 0)
        {
            db.Add(new ArticleSlugHistory { Slug = article.Slug, ArticleId = article.Id, RetiredAt = now });
            await history.Where(h => h.Slug == slug && h.ArticleId == article.Id).ExecuteDeleteAsync(cancellationToken);
        }
        article.Slug = slug;
        return null;
    }

    /// <summary>
    /// <paramref name="stem"/>, else the first of <c>stem-2</c>, <c>stem-3</c>… no article has or had. Candidates are looked up
    /// exactly, in growing runs, through the unique indexes: a <c>LIKE 'stem%'</c> read the whole slug index (the database's
    /// collation gives LIKE no prefix search), 20 ms a create at 100,000 articles. Without the slug lock (a caller that
    /// asks before saving), another writer may take it meanwhile: the save then says the slug is taken.
    /// </summary>
    public static async Task<string> FirstFreeSlugAsync(HeadlessNewsDbContext db, string stem, CancellationToken cancellationToken)
    {
        var numbered = NumberedStem(stem);
        for (int first = 1, count = 64; ; first += count, count *= 4)
        {
            var candidates = Enumerable.Range(first, count).Select(n => n == 1 ? stem : $"{numbered}-{n}").ToList();
            var used = (await db.Set<Article>().Where(a => candidates.Contains(a.Slug)).Select(a => a.Slug)
                .Concat(db.Set<ArticleSlugHistory>().Where(h => candidates.Contains(h.Slug)).Select(h => h.Slug))
                .ToListAsync(cancellationToken)).ToHashSet();
            if (candidates.FirstOrDefault(c => !used.Contains(c)) is { } free)
            {
                return free;
            }
        }
    }

    /// <summary>What the numbered slugs made from <paramref name="stem"/> start with (<c>stem-2</c>…): cut to leave room for the number.</summary>
    public static string NumberedStem(string stem) => stem[..Math.Min(stem.Length, Slugs.MaxLength - 8)];

    private const string SlugIndex = "ix_articles_slug";

    private const string SlugLock = "SELECT pg_advisory_xact_lock(hashtext('article-slugs'))";

    /// <summary>Transactions whose writes take no slug lock (see <see cref="SkipSlugLock"/>).</summary>
    private static readonly ConditionalWeakTable<IDbContextTransaction, object> SlugLockSkipped = [];

    /// <summary>
    /// Lets the context's transaction save articles without the slug lock, for a writer that runs several such transactions
    /// at once and keeps them from picking one slug itself (an import's chunks): held to each commit, the lock would make
    /// them wait for each other. The unique index still refuses a slug that another writer saved meanwhile.
    /// </summary>
    public static void SkipSlugLock(HeadlessNewsDbContext db)
    {
        var transaction = db.Database.CurrentTransaction ?? throw new InvalidOperationException("Only a transaction's writes can skip the slug lock.");
        SlugLockSkipped.AddOrUpdate(transaction, SlugLockSkipped);
    }

    private static SlugTaken SlugTaken(string slug) => new($"The slug '{slug}' belongs to another article.");

    /// <summary>
    /// The write's own transaction, or none inside the caller's (which EF Core's savepoint per save keeps usable after a
    /// refused save, unless the caller turned those off for savepoints of its own, as an import does per post).
    /// </summary>
    private static async Task<IDbContextTransaction?> BeginAsync(HeadlessNewsDbContext db, CancellationToken cancellationToken) =>
        db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;

    /// <param name="onlySlugIsUnique">
    /// Whether the save holds no unique key but the slug's that a concurrent writer could take first, so any unique violation
    /// means the slug was taken; when not, only that of the slug's index does.
    /// </param>
    private static async Task<Refusal?> CommitAsync(
        HeadlessNewsDbContext db, IDbContextTransaction? transaction, Article article, CancellationToken cancellationToken, bool onlySlugIsUnique = true)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            if (transaction is not null)
            {
                await transaction.RollbackAsync(CancellationToken.None);
            }
            var current = await db.Set<Article>().AsNoTracking().Where(a => a.Id == article.Id).Select(a => (int?)a.Version).FirstOrDefaultAsync(CancellationToken.None);
            return current is { } version ? new VersionConflict(version) : new Missing("The article was deleted meanwhile.");
        }
        catch (DbUpdateException e) when (onlySlugIsUnique ? e.IsUniqueViolation() : e.IsUniqueViolation(SlugIndex))
        {
            return SlugTaken(article.Slug);
        }
        catch (DbUpdateException e) when (e.IsForeignKeyViolation())
        {
            return Invalid.Field("body", "A quote, source, author or section this article references was deleted meanwhile; reload and try again.");
        }
    }
}
