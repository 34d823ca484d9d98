using System.Globalization;
using System.Text.Json;
using HeadlessNews.Api.Features.Articles.Blocks;
using HeadlessNews.Api.Features.Authors;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Features.Quotes;
using HeadlessNews.Api.Features.Sections;
using HeadlessNews.Api.Features.Sources;
using HeadlessNews.Api.Infrastructure.Domain;

namespace HeadlessNews.Api.Features.Articles;

/// <summary>An article's content with every reference resolved: what <see cref="ArticleWrites"/> applies and links.</summary>
internal sealed record ResolvedContent(
    Section? Section, List<Author> Authors, List<Tag> Tags, List<Place> Places, List<Block> Body,
    List<Guid> SourceIds, HashSet<Guid> QuoteIds, HashSet<Guid> CitedSourceIds);

/// <summary>
/// The one place an article's references are resolved: section, authors, quotes and sources must exist (errors by JSON
/// path), tags and places are found or created. One query per kind of reference, whatever the article's size.
/// </summary>
internal static class ArticleReferences
{
    /// <summary>
    /// The most a body may weigh as delivered JSON once its HTML is made safe. The request limit bounds what is sent, not
    /// this: a paragraph of ampersands grows tenfold (<c>&amp;amp;</c>, then <c>\u0026amp;</c>), so a 1 MB body would be
    /// 20 MB in every reader's response. Ten long reads of plain text fit.
    /// </summary>
    public const int MaxBodyBytes = 2 * 1024 * 1024;

    public static async Task<WriteResult<ResolvedContent>> ResolveAsync(HeadlessNewsDbContext db, SaveArticleRequest content, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var body = (content.Body ?? []).Select(BlockValidator.Normalise).ToList();
        if (body.Count > 0 && JsonSerializer.SerializeToUtf8Bytes(body, ApiJson.Options).Length is var size and > MaxBodyBytes)
        {
            errors["body"] = [string.Create(CultureInfo.InvariantCulture, $"The body is {size:N0} bytes of JSON once its HTML is made safe (& written &amp;, and so on); at most {MaxBodyBytes:N0}.")];
        }

        Section? section = null;
        if (content.Section is { } sectionSlug)
        {
            section = Tracked<Section>(db).FirstOrDefault(s => s.Slug == sectionSlug)
                ?? await db.Set<Section>().FirstOrDefaultAsync(s => s.Slug == sectionSlug, cancellationToken);
            if (section is null)
            {
                errors["section"] = [$"No section has the slug '{sectionSlug}'."];
            }
        }

        // Each kind of reference costs a query only when the article has some.
        var authorSlugs = (content.Authors ?? []).Distinct().ToList();
        var authors = Tracked<Author>(db).Where(a => authorSlugs.Contains(a.Slug)).ToList();
        var untracked = authorSlugs.Except(authors.Select(a => a.Slug)).ToList();
        if (untracked.Count > 0)
        {
            authors.AddRange(await db.Set<Author>().Where(a => untracked.Contains(a.Slug)).ToListAsync(cancellationToken));
        }
        for (var i = 0; i < (content.Authors ?? []).Count; i++)
        {
            if (!authors.Any(a => a.Slug == content.Authors![i]))
            {
                errors[$"authors[{i}]"] = [$"No author has the slug '{content.Authors![i]}'."];
            }
        }

        var quoteIds = body.Where(b => b.QuoteId is not null).Select(b => b.QuoteId!.Value).ToHashSet();
        List<Guid> knownQuotes = quoteIds.Count == 0 ? [] : await db.Set<Quote>().Where(q => quoteIds.Contains(q.Id)).Select(q => q.Id).ToListAsync(cancellationToken);
        var sourceIds = (content.SourceIds ?? []).Distinct().ToList();
        var citedSourceIds = sourceIds.Concat(body.SelectMany(b => b.SourceIds ?? [])).ToHashSet();
        List<Guid> knownSources = citedSourceIds.Count == 0 ? [] : await db.Set<Source>().Where(s => citedSourceIds.Contains(s.Id)).Select(s => s.Id).ToListAsync(cancellationToken);
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
        for (var i = 0; i < (content.SourceIds ?? []).Count; i++)
        {
            if (!knownSources.Contains(content.SourceIds![i]))
            {
                errors[$"sourceIds[{i}]"] = [$"No source has id {content.SourceIds![i]}."];
            }
        }
        await DeliveredImages.CheckReferencesAsync(db, ImageReferences(content.HeroImage, body), errors, cancellationToken);
        if (errors.Count > 0)
        {
            return new Invalid(errors);
        }

        var tags = await FindOrCreateTermsAsync(db, "tags", content.Tags, cancellationToken);
        var places = await FindOrCreateTermsAsync(db, "places", content.Places, cancellationToken);
        return new ResolvedContent(
            section,
            [.. authorSlugs.Select(slug => authors.First(a => a.Slug == slug))],
            [.. tags.Select(t => Tracked<Tag>(db).First(x => x.Slug == t.Slug))],
            [.. places.Select(p => Tracked<Place>(db).First(x => x.Slug == p.Slug))],
            body, sourceIds, quoteIds, citedSourceIds);
    }

    /// <summary>The article's link rows for <paramref name="content"/>: bylines, tags and places in order, quotes and cited sources.</summary>
    public static void Link(HeadlessNewsDbContext db, Article article, ResolvedContent content)
    {
        Relate(article, content);
        db.AddRange(content.QuoteIds.Select(q => new ArticleQuote { ArticleId = article.Id, QuoteId = q }));
        db.AddRange(content.CitedSourceIds.Select(s => new ArticleSource { ArticleId = article.Id, SourceId = s }));
    }

    /// <summary>Sets the article's authors, tags and places (in order) to the resolved ones; saved when the article is.</summary>
    public static void Relate(Article article, ResolvedContent content)
    {
        article.Authors = [.. content.Authors.Select((a, i) => new ArticleAuthor { ArticleId = article.Id, AuthorId = a.Id, Author = a, Position = i })];
        article.Tags = [.. content.Tags.Select((t, i) => new ArticleTag { ArticleId = article.Id, TagId = t.Id, Tag = t, Position = i })];
        article.Places = [.. content.Places.Select((p, i) => new ArticlePlace { ArticleId = article.Id, PlaceId = p.Id, Place = p, Position = i })];
    }

    /// <summary>Removes the article's link rows (before <see cref="Link"/> writes the new ones).</summary>
    public static async Task UnlinkAsync(HeadlessNewsDbContext db, Article article, CancellationToken cancellationToken)
    {
        foreach (var link in article.Authors.Cast<object>().Concat(article.Tags).Concat(article.Places))
        {
            db.Entry(link).State = EntityState.Detached;
        }
        await db.Set<ArticleAuthor>().Where(l => l.ArticleId == article.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Set<ArticleTag>().Where(l => l.ArticleId == article.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Set<ArticlePlace>().Where(l => l.ArticleId == article.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Set<ArticleQuote>().Where(l => l.ArticleId == article.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Set<ArticleSource>().Where(l => l.ArticleId == article.Id).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>
    /// The <typeparamref name="T"/> rows the context already tracks from the database (loaded with the article, or kept by a writer
    /// that saves many articles on one context): found without a query. No change detection over the whole context: an
    /// article write reads these, it does not change them.
    /// </summary>
    private static List<T> Tracked<T>(DbContext db) where T : class
    {
        var detect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            return [.. db.ChangeTracker.Entries<T>().Where(e => e.State is EntityState.Unchanged or EntityState.Modified).Select(e => e.Entity)];
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = detect;
        }
    }

    private static IEnumerable<(string Path, Guid? AssetId)> ImageReferences(HeroImage? hero, List<Block> body) =>
        body.Select((b, i) => (Path: $"body[{i}].assetId", b.AssetId)).Prepend((Path: "heroImage.assetId", hero?.AssetId));

    /// <summary>
    /// Makes the tags that do not exist yet with the slug given (an import keeping its source's slugs, which need not be
    /// the name's); an article then names them by slug. Existing tags are left as they are.
    /// </summary>
    public static Task EnsureTagsAsync(HeadlessNewsDbContext db, IReadOnlyList<(string Slug, string Name)> tags, CancellationToken cancellationToken) =>
        InsertTermsAsync(db, "tags", tags, cancellationToken);

    /// <summary>Tags and places are created on first use; concurrent first uses agree thanks to ON CONFLICT.</summary>
    private static async Task<List<(string Slug, string Name)>> FindOrCreateTermsAsync(HeadlessNewsDbContext db, string table, IReadOnlyList<string>? given, CancellationToken cancellationToken)
    {
        var terms = (given ?? []).Select(g => (Slug: Slugs.From(g), Name: g.Trim())).DistinctBy(t => t.Slug).ToList();
        if (terms.Count == 0)
        {
            return terms;
        }
        // Usually they all exist: one query, and inserts only for those that do not.
        var missing = await LoadTermsAsync(db, table, terms, cancellationToken);
        if (missing.Count > 0)
        {
            await InsertTermsAsync(db, table, missing, cancellationToken);
            await LoadTermsAsync(db, table, missing, cancellationToken);
        }
        return terms;
    }

    /// <summary>Tracks the terms that exist; returns those that do not.</summary>
    private static async Task<List<(string Slug, string Name)>> LoadTermsAsync(
        HeadlessNewsDbContext db, string table, List<(string Slug, string Name)> terms, CancellationToken cancellationToken)
    {
        var tracked = table == "tags" ? Tracked<Tag>(db).Select(t => t.Slug) : Tracked<Place>(db).Select(p => p.Slug);
        var slugs = terms.Select(t => t.Slug).Except(tracked).ToList();
        if (slugs.Count == 0)
        {
            return [];
        }
        var found = table == "tags"
            ? (await db.Set<Tag>().Where(t => slugs.Contains(t.Slug)).ToListAsync(cancellationToken)).Select(t => t.Slug).ToList()
            : (await db.Set<Place>().Where(p => slugs.Contains(p.Slug)).ToListAsync(cancellationToken)).Select(p => p.Slug).ToList();
        return [.. terms.Where(t => slugs.Contains(t.Slug) && !found.Contains(t.Slug))];
    }

    private static async Task InsertTermsAsync(HeadlessNewsDbContext db, string table, IReadOnlyList<(string Slug, string Name)> terms, CancellationToken cancellationToken)
    {
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
    }
}
