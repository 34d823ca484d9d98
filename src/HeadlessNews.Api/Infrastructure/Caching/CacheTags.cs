namespace HeadlessNews.Api.Infrastructure.Caching;

/// <summary>
/// What a delivery handler declares about its answer: the cache tags it depends on (sent as
/// <c>Surrogate-Key</c> for CDNs and used for server-side eviction) and the instant it stops being true.
/// </summary>
public static class CacheTags
{
    /// <summary>Carried by every cached delivery response: evicting it flushes the whole delivery cache.</summary>
    public const string All = "delivery";

    public const string HeaderName = "Surrogate-Key";

    private const string ArticlePrefix = "article:";

    /// <summary>What every answer showing the article carries, and what its changes evict.</summary>
    public static string Article(Guid id) => ArticlePrefix + id;

    /// <summary>The article an <see cref="Article"/> tag names; false for any other tag.</summary>
    public static bool IsArticle(string tag, out Guid id)
    {
        id = Guid.Empty;
        return tag.StartsWith(ArticlePrefix, StringComparison.Ordinal) && Guid.TryParse(tag.AsSpan(ArticlePrefix.Length), out id);
    }

    /// <summary>What an article, or a list of one section's articles, carries for a CDN that purges a section at once.</summary>
    public static string Section(string slug) => "section:" + slug;

    /// <summary>Whether a value the request named (a filter) can be a tag: a slug's characters, nothing a header cannot hold.</summary>
    public static bool IsTaggable(string value) =>
        value.Length is > 0 and <= 200 && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    /// <summary>Adds space-free tags such as <c>article:{id}</c>, <c>section:news</c>, <c>articles</c> to this response.</summary>
    public static void AddCacheTags(this HttpContext context, params string[] tags)
    {
        var headers = context.Response.Headers;
        var existing = headers[HeaderName].ToString();
        var added = string.Join(' ', tags.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()));
        headers[HeaderName] = existing.Length == 0 ? added : existing + " " + added;
    }

    /// <summary>
    /// Declares that this answer changes at <paramref name="instant"/> (the next publishAt, embargoUntil or
    /// effectiveTo): neither the server cache entry nor <c>Cache-Control: max-age</c> outlives it. The earliest call wins.
    /// </summary>
    public static void ExpireAt(this HttpContext context, DateTimeOffset instant)
    {
        var feature = context.Features.Get<DeliveryExpiryFeature>();
        if (feature is null)
        {
            context.Features.Set(new DeliveryExpiryFeature(instant));
        }
        else if (instant < feature.Instant)
        {
            feature.Instant = instant;
        }
    }

    public static DateTimeOffset? ExpiresAt(this HttpContext context) => context.Features.Get<DeliveryExpiryFeature>()?.Instant;

    public static string[] ReadTags(HttpResponse response) =>
        response.Headers[HeaderName].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private sealed class DeliveryExpiryFeature(DateTimeOffset instant)
    {
        public DateTimeOffset Instant { get; set; } = instant;
    }
}
