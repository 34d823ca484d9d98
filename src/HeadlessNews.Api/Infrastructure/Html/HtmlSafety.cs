using Ganss.Xss;

namespace HeadlessNews.Api.Infrastructure.Html;

/// <summary>
/// Allow-list sanitising with HtmlSanitizer (never regexes). Inline HTML (paragraphs, list items) keeps
/// only links, strong, em and br; rich HTML (notice bodies) adds paragraphs, lists and sub-headings.
/// Links keep only http, https and mailto URLs.
/// </summary>
public static class HtmlSafety
{
    private static readonly HtmlSanitizer Inline = Create(["a", "strong", "em", "br"]);
    private static readonly HtmlSanitizer Rich = Create(["a", "strong", "em", "br", "p", "ul", "ol", "li", "h2", "h3", "h4", "blockquote"]);

    public static string SanitiseInline(string html) => Inline.Sanitize(html).Trim();

    public static string SanitiseRich(string html) => Rich.Sanitize(html).Trim();

    private static HtmlSanitizer Create(string[] tags)
    {
        var sanitizer = new HtmlSanitizer(new HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(tags, StringComparer.OrdinalIgnoreCase),
            AllowedAttributes = new HashSet<string>(["href"], StringComparer.OrdinalIgnoreCase),
            AllowedSchemes = new HashSet<string>(["http", "https", "mailto"], StringComparer.OrdinalIgnoreCase),
            UriAttributes = new HashSet<string>(["href"], StringComparer.OrdinalIgnoreCase),
            AllowedCssProperties = new HashSet<string>(StringComparer.OrdinalIgnoreCase),
        });
        sanitizer.KeepChildNodes = true;
        // Links open safely and tell search engines we do not vouch for user-entered targets.
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { LocalName: "a" } link)
            {
                link.SetAttribute("rel", "nofollow noopener noreferrer");
            }
        };
        return sanitizer;
    }
}
