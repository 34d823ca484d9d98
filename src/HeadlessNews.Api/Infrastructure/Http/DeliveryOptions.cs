using System.ComponentModel.DataAnnotations;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>Settings delivery and feeds read: when an article counts as old, and the public site links point to.</summary>
public sealed class DeliveryOptions : IValidatableObject
{
    public const string Section = "Delivery";

    /// <summary>An article whose first publication is more than this many days ago is <c>old</c>.</summary>
    [Range(1, 36_500)]
    public int OldAfterDays { get; set; } = 365;

    /// <summary>URLs in one archive sitemap page (<c>/sitemaps/articles-{yyyy}-{mm}.xml</c>); a month with more continues in <c>-2</c>, <c>-3</c>…. The sitemap protocol allows 50,000.</summary>
    [Range(1, 50_000)]
    public int SitemapPageSize { get; set; } = 50_000;

    /// <summary>The publication's name: the publisher of its feeds (an Atom feed's author, the news sitemap's publication).</summary>
    [StringLength(200, MinimumLength = 1)]
    public string PublicationName { get; set; } = "HeadlessNews";

    /// <summary>The front end's public base URL (e.g. <c>https://news.example</c>): feeds link to its <c>articles/{slug}</c> and <c>notices/{id}</c> pages, webhook payloads to its <c>/v1/…</c> resources; null ⇒ this API's delivery routes.</summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>Where a reader finds an article: the public site's <c>articles/{slug}</c> page, else its delivery route.</summary>
    public string ArticleUrl(string slug) => PublicBaseUrl is null
        ? $"/v1/articles/{Uri.EscapeDataString(slug)}"
        : $"{PublicBaseUrl.ToString().TrimEnd('/')}/articles/{Uri.EscapeDataString(slug)}";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PublicBaseUrl is not null && (!PublicBaseUrl.IsAbsoluteUri || PublicBaseUrl.Scheme is not ("http" or "https")))
        {
            yield return new ValidationResult("Delivery:PublicBaseUrl must be an absolute http(s) URL.", [nameof(PublicBaseUrl)]);
        }
    }
}
