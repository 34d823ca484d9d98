using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Features.Articles.Blocks;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Features.Quotes;
using HeadlessNews.Api.Features.Sources;
using System.Text.Json.Serialization;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>An author on a delivered article.</summary>
public sealed record BylineResponse(string Slug, string Name, string? Role);

/// <summary>A body block as delivered: quote blocks carry the quote itself.</summary>
public sealed record DeliveredBlock : Block
{
    public DeliveredBlock(Block block, QuoteResponse? quote, DeliveredImage? image) : base(block)
    {
        Quote = quote;
        if (image is not null)
        {
            (Url, Alt, Caption, Credit, FocalPoint) = (image.Url, image.Alt, image.Caption, image.Credit, image.FocalPoint);
            (Width, Height, Src, Srcset) = (image.Width, image.Height, image.Src, image.Srcset);
        }
    }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyOrder(1)]
    public QuoteResponse? Quote { get; init; }

    /// <summary>image: the asset's size (null for a URL-only image).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyOrder(1)]
    public int? Width { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyOrder(1)]
    public int? Height { get; init; }

    /// <summary>image: the URL to put in img src.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyOrder(1)]
    public string? Src { get; init; }

    /// <summary>image: renditions by width (empty for a URL-only image).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyOrder(1)]
    public IReadOnlyList<SrcsetEntry>? Srcset { get; init; }
}

/// <summary>The full article in the delivery shape (also what a preview link shows): one request renders a page.</summary>
public sealed record ArticleDeliveryResponse(
    Guid Id,
    string Slug,
    string Headline,
    string? Standfirst,
    IReadOnlyList<DeliveredBlock> Body,
    string BodyHtml,
    NamedRef? Section,
    IReadOnlyList<NamedRef> Tags,
    IReadOnlyList<NamedRef> Places,
    IReadOnlyList<BylineResponse> Authors,
    IReadOnlyList<SourceResponse> Sources,
    DeliveredImage? HeroImage,
    string Language,
    DateTimeOffset? PublishAt,
    DateTimeOffset? FirstPublishedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? EmbargoUntil,
    IReadOnlyList<Correction> Corrections,
    string? CanonicalUrl,
    int Version,
    [property: JsonPropertyOrder(1)] bool Old)
{
    public ArticleFormat Format { get; init; }

    /// <summary>Live blogs only: coverage, pinned entries, key events and the newest entries.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LiveBlogDelivery? LiveBlog { get; init; }

    /// <summary>schema.org JSON-LD for the page: NewsArticle, or LiveBlogPosting with liveBlogUpdate.</summary>
    public StructuredData? StructuredData { get; init; }

    /// <summary>The story's other editions that are visible now (added when served; a preview has none).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<EditionLink>? Translations { get; init; }
}

/// <summary>Another language's edition of the same story.</summary>
/// <param name="Url">Its delivery route, or its page on the public site when Delivery:PublicBaseUrl is set.</param>
public sealed record EditionLink(string Language, string Slug, string Url);

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
    DeliveredImage? HeroImage,
    DateTimeOffset? PublishAt,
    DateTimeOffset UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    string? BodyHtml,
    bool Old);

/// <summary>A visible article that uses a quote or cites a source.</summary>
public sealed record ArticleLink(Guid Id, string Slug, string Headline, DateTimeOffset PublishAt);

/// <param name="Articles">The newest visible articles using the quote, newest first: at most 20.</param>
public sealed record DeliveredQuote(Guid Id, string Text, Speaker Speaker, DateTimeOffset? SaidAt, string? Context, Guid? SourceId, string Language,
    int Version, IReadOnlyList<ArticleLink> Articles);

/// <param name="Articles">The newest visible articles citing the source, newest first: at most 20.</param>
public sealed record DeliveredSource(Guid Id, SourceKind Kind, string Title, string? Publisher, string? Url, DateOnly? PublishedOn, string? Description,
    int Version, IReadOnlyList<ArticleLink> Articles);

public sealed record DeliveredSection(string Slug, string Name, string? Description);

public sealed record DeliveredAuthor(string Slug, string Name, string? Role, string? Bio);

/// <summary>One search result: what it is, where it lives, how well it matched, and a highlighted snippet (&lt;mark&gt;).</summary>
public sealed record SearchHit(string Type, Guid Id, string? Slug, string Title, string Snippet, double Rank, DateTimeOffset? At);
