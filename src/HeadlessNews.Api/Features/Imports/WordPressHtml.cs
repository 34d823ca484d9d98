using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using HeadlessNews.Api.Features.Articles.Blocks;
using HeadlessNews.Api.Infrastructure.Html;

namespace HeadlessNews.Api.Features.Imports;

/// <summary>A picture WordPress knows as an attachment (for galleries and featured images).</summary>
public sealed record WpAttachment(string Url, string? Alt, string? Caption);

/// <summary>A quotation with a named speaker, to become a quote (blocks reference quotes by id).</summary>
public sealed record QuoteDraft(string Text, string Speaker);

/// <summary>A converted block; a <c>quote</c> block carries the quote it needs created.</summary>
public sealed record ConvertedBlock(Block Block, QuoteDraft? Quote = null);

/// <summary>A post's body as blocks, with what could not be converted.</summary>
/// <param name="UnknownShortcodes">Shortcodes kept as text, by name.</param>
/// <param name="Notes">Other things a reader of the report should know (a gallery image that is not in the export…).</param>
public sealed record ConvertedBody(IReadOnlyList<ConvertedBlock> Blocks, IReadOnlyList<string> UnknownShortcodes, IReadOnlyList<string> Notes);

/// <summary>
/// WordPress post HTML to our blocks: WordPress's blank-line paragraphs (<c>wpautop</c>), Gutenberg's block comments,
/// headings (h1-h6 become levels 2-4), lists, pictures (<c>img</c>, <c>[caption]</c>, <c>[gallery]</c>), embeds
/// (<c>[embed]</c>, iframes, and YouTube/Vimeo/X/Facebook URLs on a line of their own) and block quotes (with a
/// <c>cite</c>, a quote; else emphasised text). Inline markup goes through the API's sanitiser when the article is saved.
/// Unknown shortcodes stay as text and are listed.
/// </summary>
public static partial class WordPressHtml
{
    private static readonly HtmlParser Parser = new();

    private static readonly HashSet<string> BlockTags = new(
        ["p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "figure", "div", "table", "pre", "hr", "img", "iframe",
         "section", "article", "aside", "header", "footer", "dl", "address", "wp-gallery", "wp-embed", "video", "audio", "form", "style", "script"],
        StringComparer.OrdinalIgnoreCase);

    private static readonly HashSet<string> KnownShortcodes = ["caption", "wp_caption", "gallery", "embed"];

    /// <summary>Plain text of a title or excerpt (entities decoded, tags removed, whitespace collapsed).</summary>
    public static string PlainText(string? html) =>
        string.IsNullOrWhiteSpace(html) ? string.Empty : Whitespace().Replace(Parser.ParseDocument("<body>" + html).Body!.TextContent, " ").Trim();

    public static ConvertedBody Convert(string? content, Uri? site, IReadOnlyDictionary<string, WpAttachment> attachments)
    {
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        var notes = new List<string>();
        if (string.IsNullOrWhiteSpace(content))
        {
            return new ConvertedBody([], [], []);
        }
        var html = Autop(Shortcodes(Comments().Replace(content.Replace("\r\n", "\n").Replace('\r', '\n'), string.Empty), unknown));
        var body = Parser.ParseDocument("<body>" + html).Body!;
        var blocks = new List<ConvertedBlock>();
        foreach (var node in body.ChildNodes)
        {
            Visit(node, blocks, site, attachments, notes);
        }
        return new ConvertedBody(blocks, [.. unknown], notes);
    }

    /// <summary>Turns the shortcodes we know into elements the walk understands; lists the others (kept as text).</summary>
    private static string Shortcodes(string content, SortedSet<string> unknown)
    {
        content = Caption().Replace(content, match =>
        {
            var inner = match.Groups["inner"].Value;
            var image = ImageTag().Match(inner);
            var text = ImageTag().Replace(LinkAroundImage().Replace(inner, "$1"), string.Empty);
            var caption = CaptionAttribute().Match(match.Groups["attrs"].Value) is { Success: true } attribute ? attribute.Groups[1].Value : text;
            return image.Success ? $"\n\n<figure>{image.Value}<figcaption>{caption.Trim()}</figcaption></figure>\n\n" : text;
        });
        content = Gallery().Replace(content, match =>
            IdsAttribute().Match(match.Groups[1].Value) is { Success: true } ids ? $"\n\n<wp-gallery data-ids=\"{ids.Groups[1].Value}\"></wp-gallery>\n\n" : match.Value);
        content = EmbedShortcode().Replace(content, match => $"\n\n<wp-embed data-url=\"{WebUtility.HtmlEncode(match.Groups[1].Value.Trim())}\"></wp-embed>\n\n");
        foreach (Match shortcode in AnyShortcode().Matches(content))
        {
            if (!KnownShortcodes.Contains(shortcode.Groups[1].Value.ToLowerInvariant()))
            {
                unknown.Add(shortcode.Groups[1].Value);
            }
        }
        return content;
    }

    /// <summary>
    /// WordPress's <c>wpautop</c>, simplified: text between blank lines is a paragraph (single line breaks inside become
    /// <c>br</c>), a chunk that starts with a block element is left alone, and an embeddable URL on a line of its own is an embed.
    /// </summary>
    private static string Autop(string content)
    {
        content = BareEmbedLine().Replace(content, match => $"\n\n<wp-embed data-url=\"{WebUtility.HtmlEncode(match.Groups[1].Value)}\"></wp-embed>\n\n");
        var html = new StringBuilder(content.Length + 64);
        foreach (var chunk in BlankLines().Split(content))
        {
            var trimmed = chunk.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }
            if (OpeningTag().Match(trimmed) is { Success: true } tag && BlockTags.Contains(tag.Groups[1].Value))
            {
                html.Append(trimmed).Append('\n');
            }
            else
            {
                html.Append("<p>").Append(trimmed.Replace("\n", "<br>\n")).Append("</p>\n");
            }
        }
        return html.ToString();
    }

    private static void Visit(INode node, List<ConvertedBlock> blocks, Uri? site, IReadOnlyDictionary<string, WpAttachment> attachments, List<string> notes)
    {
        if (node is IText text)
        {
            if (!IsBlank(text.Data))
            {
                Paragraph(blocks, WebUtility.HtmlEncode(text.Data.Trim()));
            }
            return;
        }
        if (node is not IElement element)
        {
            return;
        }
        switch (element.LocalName)
        {
            case "p":
                ParagraphWithImages(element, blocks, site);
                break;
            case "h1" or "h2" or "h3" or "h4" or "h5" or "h6":
                var heading = PlainText(element.InnerHtml);
                if (heading.Length > 0)
                {
                    var level = Math.Clamp(element.LocalName[1] - '0', 2, 4);
                    blocks.Add(new(new Block { Type = BlockTypes.Heading, Level = level, Text = heading.Length > 300 ? heading[..300] : heading }));
                }
                break;
            case "ul" or "ol":
                var items = element.Children.Where(c => c.LocalName == "li").Select(li => li.InnerHtml.Trim()).Where(i => !IsBlank(PlainText(i))).ToList();
                if (items.Count > 0)
                {
                    blocks.Add(new(new Block { Type = BlockTypes.List, Style = element.LocalName == "ol" ? BlockTypes.Numbered : BlockTypes.Bulleted, Items = items }));
                }
                break;
            case "blockquote":
                Quotation(element, blocks);
                break;
            case "figure":
                if (element.QuerySelector("img") is { } figureImage)
                {
                    Image(blocks, figureImage, site, PlainText(element.QuerySelector("figcaption")?.InnerHtml));
                }
                else if (element.QuerySelector("iframe") is { } frame)
                {
                    Embed(blocks, frame.GetAttribute("src"), site);
                }
                else
                {
                    // Gutenberg's embed block: its URL on a line of its own became an embed already.
                    foreach (var child in element.ChildNodes)
                    {
                        Visit(child, blocks, site, attachments, notes);
                    }
                }
                break;
            case "img":
                Image(blocks, element, site, null);
                break;
            case "iframe":
                Embed(blocks, element.GetAttribute("src"), site);
                break;
            case "wp-embed":
                Embed(blocks, element.GetAttribute("data-url"), site);
                break;
            case "wp-gallery":
                foreach (var id in (element.GetAttribute("data-ids") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (attachments.TryGetValue(id, out var picture) && Absolute(picture.Url, site) is { } pictureUrl)
                    {
                        blocks.Add(new(new Block { Type = BlockTypes.Image, Url = pictureUrl, Alt = picture.Alt, Caption = picture.Caption }));
                    }
                    else
                    {
                        notes.Add($"gallery image {id} is not in the export");
                    }
                }
                break;
            case "pre":
                Paragraph(blocks, WebUtility.HtmlEncode(element.TextContent.Trim()).Replace("\n", "<br>"));
                break;
            case "hr" or "br" or "script" or "style" or "noscript" or "template":
                break;
            case "div" or "section" or "article" or "aside" or "header" or "footer" or "table" or "thead" or "tbody" or "tr" or "td" or "th"
                or "dl" or "dt" or "dd" or "address" or "center" or "main":
                foreach (var child in element.ChildNodes)
                {
                    Visit(child, blocks, site, attachments, notes);
                }
                break;
            default:
                // Inline markup at the top level (a, strong, span…) is a paragraph of its own.
                if (element.QuerySelector("img") is not null)
                {
                    ParagraphWithImages(element, blocks, site);
                }
                else
                {
                    Paragraph(blocks, element.OuterHtml);
                }
                break;
        }
    }

    /// <summary>Pictures inside a paragraph become image blocks of their own, after the paragraph's text.</summary>
    private static void ParagraphWithImages(IElement element, List<ConvertedBlock> blocks, Uri? site)
    {
        var images = element.QuerySelectorAll("img").ToList();
        foreach (var image in images)
        {
            (image.ParentElement is { LocalName: "a" } link && link.Children.Length == 1 ? link : image).Remove();
        }
        Paragraph(blocks, element.LocalName == "p" ? element.InnerHtml : element.OuterHtml);
        foreach (var image in images)
        {
            Image(blocks, image, site, null);
        }
    }

    private static void Paragraph(List<ConvertedBlock> blocks, string html)
    {
        var trimmed = html.Trim();
        // Text without markup or references is its own plain text: no parse needed to see it is blank.
        if (IsBlank(trimmed.AsSpan().ContainsAny('<', '&') ? PlainText(trimmed) : trimmed))
        {
            return;
        }
        blocks.Add(new(new Block { Type = BlockTypes.Paragraph, Html = HtmlSafety.SanitiseInline(trimmed) }));
    }

    private static void Image(List<ConvertedBlock> blocks, IElement image, Uri? site, string? caption)
    {
        if (Absolute(image.GetAttribute("src"), site) is { } url)
        {
            var alt = image.GetAttribute("alt");
            blocks.Add(new(new Block
            {
                Type = BlockTypes.Image, Url = url, Alt = string.IsNullOrWhiteSpace(alt) ? null : alt.Trim(), Caption = string.IsNullOrWhiteSpace(caption) ? null : caption,
            }));
        }
    }

    private static void Embed(List<ConvertedBlock> blocks, string? url, Uri? site)
    {
        if (Absolute(url, site) is { } absolute)
        {
            blocks.Add(new(new Block { Type = BlockTypes.Embed, Url = absolute }));
        }
    }

    /// <summary>A quotation with a <c>cite</c> names its speaker (a quote); one without is kept as emphasised text.</summary>
    private static void Quotation(IElement element, List<ConvertedBlock> blocks)
    {
        var cite = element.QuerySelector("cite");
        var speaker = PlainText(cite?.InnerHtml).TrimStart('—', '–', '-', ' ');
        cite?.Remove();
        var text = PlainText(element.InnerHtml).Trim('“', '”', '"', ' ');
        if (text.Length == 0)
        {
            return;
        }
        if (speaker.Length > 0)
        {
            blocks.Add(new(new Block { Type = BlockTypes.Quote }, new QuoteDraft(text, speaker)));
        }
        else
        {
            Paragraph(blocks, $"<em>{WebUtility.HtmlEncode(text)}</em>");
        }
    }

    private static string? Absolute(string? url, Uri? site)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }
        url = url.Trim();
        if (url.StartsWith("//", StringComparison.Ordinal))
        {
            url = "https:" + url;
        }
        // A rooted path ("/wp-content/…") is on the site; on Unix, Uri would take it for an absolute file path.
        var resolved = url.StartsWith('/') ? site is null ? null : new Uri(site, url)
            : Uri.TryCreate(url, UriKind.Absolute, out var absolute) ? absolute
            : site is not null && Uri.TryCreate(site, url, out var relative) ? relative : null;
        return resolved?.Scheme is "http" or "https" ? resolved.AbsoluteUri : null;
    }

    /// <summary>Empty, or only spaces and non-breaking spaces (Gutenberg leaves <c>&amp;nbsp;</c> paragraphs behind).</summary>
    private static bool IsBlank(string text) => text.All(c => char.IsWhiteSpace(c) || c == '\u00a0');

    [GeneratedRegex(@"<!--.*?-->", RegexOptions.Singleline)]
    private static partial Regex Comments();

    [GeneratedRegex(@"\[(?:wp_)?caption(?<attrs>[^\]]*)\](?<inner>.*?)\[/(?:wp_)?caption\]", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Caption();

    [GeneratedRegex(@"caption=""([^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex CaptionAttribute();

    [GeneratedRegex(@"<img\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ImageTag();

    [GeneratedRegex(@"<a\b[^>]*>\s*(<img\b[^>]*>)\s*</a>", RegexOptions.IgnoreCase)]
    private static partial Regex LinkAroundImage();

    [GeneratedRegex(@"\[gallery([^\]]*)\]", RegexOptions.IgnoreCase)]
    private static partial Regex Gallery();

    [GeneratedRegex(@"ids=[""']?([\d,\s]+)[""']?", RegexOptions.IgnoreCase)]
    private static partial Regex IdsAttribute();

    [GeneratedRegex(@"\[embed[^\]]*\](.*?)\[/embed\]", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex EmbedShortcode();

    [GeneratedRegex(@"\[([a-zA-Z][\w-]*)(?=[\s\]/])[^\]\[]*\]")]
    private static partial Regex AnyShortcode();

    [GeneratedRegex(@"^[ \t]*(https?://(?:www\.|m\.)?(?:youtube\.com/watch\?[^\s<]+|youtu\.be/[^\s<]+|vimeo\.com/[^\s<]+|(?:twitter|x)\.com/[^\s<]+/status/[^\s<]+|facebook\.com/[^\s<]+))[ \t]*$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex BareEmbedLine();

    [GeneratedRegex(@"\n[ \t]*\n\s*")]
    private static partial Regex BlankLines();

    [GeneratedRegex(@"^<([a-zA-Z][\w-]*)")]
    private static partial Regex OpeningTag();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
