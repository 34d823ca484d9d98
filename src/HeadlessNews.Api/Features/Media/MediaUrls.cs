using System.Text.RegularExpressions;
namespace HeadlessNews.Api.Features.Media;

/// <summary>Rendition URLs, and signed ones (<c>?exp=&amp;sig=</c>) that open an unpublished asset's renditions until <c>exp</c>.</summary>
public sealed partial class MediaUrls(TokenSigner signer, IOptions<MediaOptions> options, IOptions<DeliveryOptions> delivery)
{
    private const string Purpose = "image-url";

    /// <summary>The width of an image's <c>src</c>: the widest rendition up to this (what feeds and readers without srcset get).</summary>
    public const int SrcMaxWidth = 1280;

    private readonly string _origin = delivery.Value.PublicBaseUrl?.ToString().TrimEnd('/') ?? string.Empty;

    private sealed record Grant(Guid Id, long Exp);

    /// <summary>The rendition's URL: absolute under <c>Delivery:PublicBaseUrl</c> (a site serving this API under <c>/v1</c>) when set, else a path.</summary>
    public string Rendition(Guid id, int version, int width, string format) => $"{_origin}/v1/images/{id}/{version}/{width}.{format}";

    /// <summary>The <c>src</c> width among an asset's <paramref name="widths"/> (ascending).</summary>
    public static int SrcWidth(IReadOnlyList<int> widths) => widths.LastOrDefault(w => w <= SrcMaxWidth, widths[0]);

    /// <summary>The configured widths the asset can fill without upscaling (the smallest one when it is narrower than all).</summary>
    public IReadOnlyList<int> WidthsFor(int originalWidth)
    {
        var widths = options.Value.Widths.Order().ToList();
        var fitting = widths.Where(w => w <= originalWidth).ToList();
        return fitting.Count > 0 ? fitting : [widths[0]];
    }

    public string Sign(string url, Guid id, DateTimeOffset expires)
    {
        var exp = expires.ToUnixTimeSeconds();
        return $"{url}{(url.Contains('?', StringComparison.Ordinal) ? '&' : '?')}exp={exp}&sig={signer.Sign(Purpose, new Grant(id, exp))}";
    }

    /// <summary>
    /// Body HTML as a feed carries it (RSS and JSON Feed give it no base URL): every rendition path in it absolute under
    /// <paramref name="origin"/> (one already absolute under <c>Delivery:PublicBaseUrl</c> stays), and signed until
    /// <paramref name="signedUntil"/> when given (an embargoed story's pictures, for the partner to prepare).
    /// </summary>
    public string InFeed(string html, Uri origin, DateTimeOffset? signedUntil) => RenditionInHtml().Replace(html, match =>
    {
        var url = match.Groups["base"].Success ? match.Value : new Uri(origin, match.Value).ToString();
        return signedUntil is { } until ? Sign(url, Guid.Parse(match.Groups["id"].ValueSpan), until).Replace("&", "&amp;", StringComparison.Ordinal) : url;
    });

    /// <summary>A rendition URL in an attribute: after a quote, or after a comma or space in a srcset.</summary>
    [GeneratedRegex("""(?<=["\s,])(?<base>https?://[^"\s,/]+(?:/[^"\s,]*?)?)?/v1/images/(?<id>[0-9a-fA-F-]{36})/[^"\s,]+""")]
    private static partial Regex RenditionInHtml();

    public bool IsValidSignature(Guid id, long? exp, string? sig, DateTimeOffset now) =>
        exp is { } expires && expires > now.ToUnixTimeSeconds() && signer.TryRead<Grant>(Purpose, sig, out var grant) && grant!.Id == id && grant.Exp == expires;
}
