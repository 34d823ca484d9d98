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

    private static readonly HashSet<string> ContentNotText = new(
        ["script", "style", "template", "noscript", "iframe", "object", "textarea", "title", "svg", "math"], StringComparer.OrdinalIgnoreCase);

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
        // KeepChildNodes would turn a removed script's or style's source into visible text; drop such content with the tag.
        sanitizer.RemovingTag += (_, e) =>
        {
            if (ContentNotText.Contains(e.Tag.LocalName))
            {
                e.Tag.InnerHtml = string.Empty;
            }
        };
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
