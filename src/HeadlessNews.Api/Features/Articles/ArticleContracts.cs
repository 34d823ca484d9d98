using HeadlessNews.Api.Features.Articles.Blocks;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Infrastructure.Revisions;

namespace HeadlessNews.Api.Features.Articles;

/// <summary>The editable content of an article (create and PUT). Server-owned fields are ignored if sent.</summary>
/// <param name="Headline">Required, at most 300 characters.</param>
/// <param name="Slug">Lowercase letters, digits and hyphens; generated from the headline when absent. On PUT, absent keeps the current slug.</param>
/// <param name="Body">Ordered blocks, at most 1,000.</param>
/// <param name="Section">A section slug.</param>
/// <param name="Tags">Tag names or slugs; new ones are created.</param>
/// <param name="Places">Place names or slugs; new ones are created.</param>
/// <param name="Authors">Author slugs, in byline order.</param>
/// <param name="SourceIds">Cited source ids.</param>
/// <param name="Language">BCP-47; default en-GB.</param>
public sealed record SaveArticleRequest(
    string Headline,
    string? Slug,
    string? Standfirst,
    IReadOnlyList<Block>? Body,
    string? Section,
    IReadOnlyList<string>? Tags,
    IReadOnlyList<string>? Places,
    IReadOnlyList<string>? Authors,
    IReadOnlyList<Guid>? SourceIds,
    HeroImage? HeroImage,
    string? Language,
    string? CanonicalUrl)
{
    /// <summary>
    /// Not visible before this moment even when published. Any writer may set it on create; afterwards only a
    /// content:publish caller may change it (null lifts it), and leaving it out of a PUT keeps it.
    /// </summary>
    public DateTimeOffset? EmbargoUntil
    {
        get;
        init
        {
            field = value;
            EmbargoUntilGiven = true;
        }
    }

    /// <summary>Whether the body named embargoUntil at all: an explicit null lifts the embargo, an absent one keeps it.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool EmbargoUntilGiven { get; private init; }

    /// <summary>standard (default) or liveblog (an article with entries, see /entries).</summary>
    public ArticleFormat? Format { get; init; }

    /// <summary>Live blogs: when coverage starts.</summary>
    public DateTimeOffset? CoverageStartTime { get; init; }

    /// <summary>Live blogs: when coverage ends; readers' live streams end then (liveblog.ended).</summary>
    public DateTimeOffset? CoverageEndTime { get; init; }
}

/// <param name="PublishAt">Future: scheduled. Past: back-dated (imports). Absent: now.</param>
public sealed record PublishArticleRequest(DateTimeOffset? PublishAt);

public sealed record AddCorrectionRequest(string Text);

/// <param name="ExpiresInMinutes">1 to 10,080 (7 days); default 60.</param>
public sealed record CreatePreviewLinkRequest(int? ExpiresInMinutes);

public sealed record PreviewLinkResponse(string Url, DateTimeOffset ExpiresAt);

/// <summary>A slug and display name: how sections, tags, places and authors appear on an article.</summary>
public sealed record NamedRef(string Slug, string Name);

/// <summary>An article as editors see it (management).</summary>
public sealed record ArticleResponse(
    Guid Id,
    string Slug,
    string Headline,
    string? Standfirst,
    IReadOnlyList<Block> Body,
    NamedRef? Section,
    IReadOnlyList<NamedRef> Tags,
    IReadOnlyList<NamedRef> Places,
    IReadOnlyList<NamedRef> Authors,
    IReadOnlyList<Guid> SourceIds,
    HeroImage? HeroImage,
    string Language,
    ArticleStatus Status,
    DateTimeOffset? PublishAt,
    DateTimeOffset? FirstPublishedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? EmbargoUntil,
    IReadOnlyList<Correction> Corrections,
    string? CanonicalUrl,
    int Version) : Infrastructure.Database.IVersioned
{
    public ArticleFormat Format { get; init; }

    public DateTimeOffset? CoverageStartTime { get; init; }

    public DateTimeOffset? CoverageEndTime { get; init; }
}

/// <summary>One row of the editors' list.</summary>
public sealed record ArticleSummaryResponse(
    Guid Id, string Slug, string Headline, ArticleStatus Status, NamedRef? Section, DateTimeOffset? PublishAt, DateTimeOffset UpdatedAt, int Version);

/// <param name="KeyName">Who made the change: the API key's name or the person's name (also in <paramref name="Actor"/>).</param>
public sealed record RevisionSummary(int Number, string Action, string KeyName, string? OnBehalfOf, DateTimeOffset At, RevisionActor Actor);

public sealed record RevisionResponse(int Number, string Action, string KeyName, string? OnBehalfOf, DateTimeOffset At, RevisionActor Actor, ArticleResponse Snapshot);

/// <summary>An article named in a 409 (e.g. deleting a quote that published stories use).</summary>
public sealed record ArticleReference(Guid Id, string Slug, string Headline)
{
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult InUse(string what, IReadOnlyList<ArticleReference> articles) =>
        Infrastructure.Http.Problems.Conflict(
            $"This {what} is used by {articles.Count} article(s): {string.Join(", ", articles.Select(a => $"'{a.Headline}' ({a.Slug})"))}. Change those articles first.",
            new Dictionary<string, object?> { ["articles"] = articles });
}

/// <summary>A new edition of the story in another language: a draft in the same translation group.</summary>
/// <param name="Language">BCP-47 tag of the new edition (e.g. cy); a story has one edition per language.</param>
/// <param name="Headline">Default: the original's headline, to be translated.</param>
/// <param name="Slug">Default: one made from the headline. Slugs are unique across all languages.</param>
public sealed record CreateTranslationRequest(string Language, string? Headline, string? Slug);

/// <param name="ArticleId">An article of the translation group to join.</param>
public sealed record LinkTranslationRequest(Guid ArticleId);

/// <summary>One edition of a story, as editors see the group.</summary>
public sealed record TranslationResponse(Guid Id, string Language, string Slug, string Headline, ArticleStatus Status, int Version);
