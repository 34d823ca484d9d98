using System.Buffers;
using System.Collections.Concurrent;
using Ganss.Xss;

namespace HeadlessNews.Api.Infrastructure.Html;

/// <summary>
/// Allow-list sanitising with HtmlSanitizer (never regexes). Inline HTML (paragraphs, list items) keeps
/// only links, strong, em and br; rich HTML (notice bodies) adds paragraphs, lists and sub-headings.
/// Links keep only http, https and mailto URLs.
/// Inline HTML is sanitised on every write and again on every render (defence in depth), and each time is a full parse:
/// text with no markup is returned as the sanitiser would serialise it without parsing, and the sanitiser's own recent
/// outputs are returned as they are (sanitising them again gives them back).
/// </summary>
public static class HtmlSafety
{
    private static readonly HtmlSanitizer Inline = Create(["a", "strong", "em", "br"]);
    private static readonly HtmlSanitizer Rich = Create(["a", "strong", "em", "br", "p", "ul", "ol", "li", "h2", "h3", "h4", "blockquote"]);

    private static readonly HashSet<string> ContentNotText = new(
        ["script", "style", "template", "noscript", "iframe", "object", "textarea", "title", "svg", "math"], StringComparer.OrdinalIgnoreCase);

    /// <summary>What the parser would change in text (markup, references, characters it escapes or normalises).</summary>
    private static readonly SearchValues<char> NotPlainText = SearchValues.Create("<>&\u00a0\0\r");

    /// <summary>How many recent inline outputs a generation remembers: a chunk of imported articles' paragraphs, a few MB at most.</summary>
    private const int RecentLimit = 4096;

    /// <summary>
    /// Recent inline outputs in two generations: a full one becomes the older and the one before goes, so the last
    /// <see cref="RecentLimit"/> are always there (an import drafts a chunk or two ahead of the write that sanitises them again).
    /// </summary>
    private static ConcurrentDictionary<string, byte> _recentInline = new(StringComparer.Ordinal);

    private static ConcurrentDictionary<string, byte> _olderInline = new(StringComparer.Ordinal);

    public static string SanitiseInline(string html)
    {
        if (!html.AsSpan().ContainsAny(NotPlainText))
        {
            return html.Trim();
        }
        if (_recentInline.ContainsKey(html) || _olderInline.ContainsKey(html))
        {
            return html;
        }
        var safe = Inline.Sanitize(html).Trim();
        var recent = _recentInline;
        if (recent.Count >= RecentLimit)
        {
            // Two callers may both turn it over: a generation lost costs sanitising again, nothing else.
            _olderInline = recent;
            _recentInline = recent = new(StringComparer.Ordinal);
        }
        recent.TryAdd(safe, 0);
        return safe;
    }

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
