namespace HeadlessNews.Api.Features.Feeds;

/// <summary>One item in a syndication feed, whatever the format. <see cref="ContentHtml"/> is null in public feeds.</summary>
public sealed record FeedEntry(
    Guid Id,
    string Title,
    string? Summary,
    string? ContentHtml,
    Uri Link,
    DateTimeOffset Published,
    DateTimeOffset Updated,
    DateTimeOffset FirstCreated,
    int Version,
    string Language,
    IReadOnlyList<string> Authors,
    IReadOnlyList<FeedTerm> Tags,
    FeedTerm? Section,
    IReadOnlyList<FeedTerm> Places,
    DateTimeOffset? EmbargoedUntil,
    FeedImage? Image)
{
    /// <summary>Every visible edition of the story (this one included) when it has more than one: sitemaps' hreflang links.</summary>
    public IReadOnlyList<FeedAlternate> Alternates { get; init; } = [];
}

/// <param name="Language">BCP-47, or <c>x-default</c> for the edition shown when no language fits.</param>
public sealed record FeedAlternate(string Language, Uri Link);

public sealed record FeedTerm(string Slug, string Name);

/// <summary>
/// A hero image: for an uploaded asset a JPEG rendition (<see cref="ContentType"/>, size) with its other renditions; an image
/// hosted elsewhere has only its URL.
/// </summary>
public sealed record FeedImage(Uri Url, string? Alt, string? Caption, string? ContentType, int? Width, int? Height, IReadOnlyList<FeedRendition> Renditions);

public sealed record FeedRendition(Uri Href, int Width, int Height);

/// <summary>The feed itself: where it lives and what it is called.</summary>
public sealed record FeedChannel(string Title, string Description, string Publisher, Uri HomePage, Uri FeedUrl, string Language, DateTimeOffset Updated);
