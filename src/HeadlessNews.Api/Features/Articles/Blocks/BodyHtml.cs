using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using HeadlessNews.Api.Features.Quotes;
using HeadlessNews.Api.Features.Sources;
using HeadlessNews.Api.Infrastructure.Html;

namespace HeadlessNews.Api.Features.Articles.Blocks;

/// <summary>
/// Renders body blocks to HTML that is safe to inject: text is HTML-encoded, inline HTML is sanitised again
/// (defence in depth: stored blocks were sanitised on write), URLs must be http(s). Blocks whose quote or
/// sources are missing render without them.
/// </summary>
public static class BodyHtml
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);
    private const string LinkRel = "nofollow noopener noreferrer";

    public static string Render(
        IEnumerable<Block> body,
        IReadOnlyDictionary<Guid, QuoteResponse> quotes,
        IReadOnlyDictionary<Guid, SourceResponse> sources)
    {
        var html = new StringBuilder();
        foreach (var block in body)
        {
            RenderBlock(html, block, quotes, sources);
        }
        return html.ToString();
    }

    /// <summary>
    /// The text of HTML that <see cref="Render"/> made, for search and plain-text uses: what lies between its tags,
    /// entities decoded, with a space where one tag meets another so that words in adjacent blocks do not run together.
    /// Read without an HTML parser (building a DOM for every article written was a tenth of what an import allocated):
    /// the markup is the renderer's own, with no comments or scripts, and a <c>&gt;</c> in text or in an attribute value
    /// is encoded by the renderer and the sanitiser, so every <c>&gt;</c> ends a tag.
    /// </summary>
    public static string PlainText(string renderedHtml)
    {
        var text = new StringBuilder(renderedHtml.Length);
        var rest = renderedHtml.AsSpan();
        while (rest.IndexOf('<') is var open and >= 0)
        {
            text.Append(rest[..open]);
            rest = rest[open..];
            var close = rest.IndexOf('>');
            rest = close < 0 ? [] : rest[(close + 1)..];
            if (rest.StartsWith('<'))
            {
                text.Append(' ');
            }
        }
        text.Append(rest);
        return WebUtility.HtmlDecode(text.ToString()).Trim();
    }

    private static void RenderBlock(StringBuilder html, Block block, IReadOnlyDictionary<Guid, QuoteResponse> quotes, IReadOnlyDictionary<Guid, SourceResponse> sources)
    {
        switch (block.Type)
        {
            case BlockTypes.Paragraph:
                html.Append("<p>").Append(HtmlSafety.SanitiseInline(block.Html ?? string.Empty)).Append("</p>\n");
                break;
            case BlockTypes.Heading when block.Level is >= 2 and <= 4:
                var level = block.Level.Value.ToString(CultureInfo.InvariantCulture);
                html.Append("<h").Append(level).Append('>').Append(Encode(block.Text)).Append("</h").Append(level).Append(">\n");
                break;
            case BlockTypes.List:
                var tag = block.Style == BlockTypes.Numbered ? "ol" : "ul";
                html.Append('<').Append(tag).Append('>');
                foreach (var item in block.Items ?? [])
                {
                    html.Append("<li>").Append(HtmlSafety.SanitiseInline(item)).Append("</li>");
                }
                html.Append("</").Append(tag).Append(">\n");
                break;
            case BlockTypes.Quote when block.QuoteId is { } quoteId && quotes.TryGetValue(quoteId, out var quote):
                RenderQuote(html, quote);
                break;
            case BlockTypes.Image when WebUrls.IsHttp(block.Url) || block.Url?.StartsWith("/v1/images/", StringComparison.Ordinal) == true:
                html.Append("<figure><img src=\"").Append(Encode(block.Url)).Append("\" alt=\"").Append(Encode(block.Alt)).Append("\">");
                if (!string.IsNullOrWhiteSpace(block.Caption) || !string.IsNullOrWhiteSpace(block.Credit))
                {
                    html.Append("<figcaption>").Append(Encode(block.Caption));
                    if (!string.IsNullOrWhiteSpace(block.Credit))
                    {
                        html.Append(" <small>").Append(Encode(block.Credit)).Append("</small>");
                    }
                    html.Append("</figcaption>");
                }
                html.Append("</figure>\n");
                break;
            case BlockTypes.Embed when WebUrls.IsHttp(block.Url):
                html.Append("<figure class=\"embed\"><a href=\"").Append(Encode(block.Url)).Append("\" rel=\"").Append(LinkRel).Append("\">")
                    .Append(Encode(block.Url)).Append("</a></figure>\n");
                break;
            case BlockTypes.SourceList:
                RenderSources(html, block, sources);
                break;
        }
    }

    private static void RenderQuote(StringBuilder html, QuoteResponse quote)
    {
        html.Append("<blockquote><p>").Append(Encode(quote.Text)).Append("</p><footer>").Append(Encode(quote.Speaker.Name));
        foreach (var detail in new[] { quote.Speaker.Role, quote.Speaker.Organisation }.Where(d => !string.IsNullOrWhiteSpace(d)))
        {
            html.Append(", ").Append(Encode(detail));
        }
        html.Append("</footer></blockquote>\n");
    }

    private static void RenderSources(StringBuilder html, Block block, IReadOnlyDictionary<Guid, SourceResponse> sources)
    {
        var cited = (block.SourceIds ?? []).Where(sources.ContainsKey).Select(id => sources[id]).ToList();
        if (cited.Count == 0)
        {
            return;
        }
        html.Append("<section class=\"sources\">");
        if (!string.IsNullOrWhiteSpace(block.Title))
        {
            html.Append("<h2>").Append(Encode(block.Title)).Append("</h2>");
        }
        html.Append("<ul>");
        foreach (var source in cited)
        {
            html.Append("<li>");
            if (WebUrls.IsHttp(source.Url))
            {
                html.Append("<a href=\"").Append(Encode(source.Url)).Append("\" rel=\"").Append(LinkRel).Append("\">").Append(Encode(source.Title)).Append("</a>");
            }
            else
            {
                html.Append(Encode(source.Title));
            }
            if (!string.IsNullOrWhiteSpace(source.Publisher))
            {
                html.Append(", ").Append(Encode(source.Publisher));
            }
            html.Append("</li>");
        }
        html.Append("</ul></section>\n");
    }

    private static string Encode(string? text) => Encoder.Encode(text ?? string.Empty);
}
