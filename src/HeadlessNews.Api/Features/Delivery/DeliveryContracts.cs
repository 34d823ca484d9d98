using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Features.Quotes;
using HeadlessNews.Api.Features.Sources;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>An article in a delivery list; <c>bodyHtml</c> only with <c>include=body</c>.</summary>
public sealed record ArticleSummary(
    Guid Id,
    string Slug,
    string Headline,
    string? Standfirst,
    NamedRef? Section,
    IReadOnlyList<BylineResponse> Authors,
    IReadOnlyList<NamedRef> Tags,
    IReadOnlyList<NamedRef> Places,
    HeadlessNews.Api.Features.Media.DeliveredImage? HeroImage,
    DateTimeOffset? PublishAt,
    DateTimeOffset UpdatedAt,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? BodyHtml,
    bool Old);

/// <summary>A visible article that uses a quote or cites a source.</summary>
public sealed record ArticleLink(Guid Id, string Slug, string Headline, DateTimeOffset PublishAt);

public sealed record DeliveredQuote(Guid Id, string Text, Speaker Speaker, DateTimeOffset? SaidAt, string? Context, Guid? SourceId, string Language,
    int Version, IReadOnlyList<ArticleLink> Articles);

public sealed record DeliveredSource(Guid Id, SourceKind Kind, string Title, string? Publisher, string? Url, DateOnly? PublishedOn, string? Description,
    int Version, IReadOnlyList<ArticleLink> Articles);

public sealed record DeliveredSection(string Slug, string Name, string? Description);

public sealed record DeliveredAuthor(string Slug, string Name, string? Role, string? Bio);

/// <summary>One search result: what it is, where it lives, how well it matched, and a highlighted snippet (&lt;mark&gt;).</summary>
public sealed record SearchHit(string Type, Guid Id, string? Slug, string Title, string Snippet, double Rank, DateTimeOffset? At);
