using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using HeadlessNews.Api.Features.Articles.Blocks;
using HeadlessNews.Api.Infrastructure.Html;

namespace HeadlessNews.Api.Features.Imports;

/// <summary>A picture WordPress knows as an attachment (for galleries, featured images and the original of a resized picture).</summary>
/// <param name="ParentId">The post it was uploaded to (a <c>[gallery]</c> without ids shows its post's pictures), if any.</param>
/// <param name="MenuOrder">Its place in such a gallery.</param>
/// <param name="Credit">The photographer's credit WordPress read from the file (IPTC/EXIF), if any.</param>
public sealed record WpAttachment(string Url, string? Alt, string? Caption, string? ParentId = null, int MenuOrder = 0, string? Credit = null);

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
/// (<c>[embed]</c>, iframes, and the URLs of WordPress's oEmbed providers on a line of their own) and block quotes (with a
/// <c>cite</c>, a quote; a tweet or an Instagram, TikTok, Bluesky or Facebook post pasted as its embed code, an embed; else
/// emphasised text). What has no block of its own (a table, preformatted text, a video or audio file) becomes paragraphs,
/// and the report says so. Inline markup goes through the API's sanitiser when the article is saved. Unknown shortcodes
/// stay as text and are listed.
/// </summary>
public static partial class WordPressHtml
{
    private static readonly HtmlParser Parser = new();

    /// <summary>wpautop's block elements: each starts and ends a chunk of its own, never wrapped in a paragraph.</summary>
    private static readonly HashSet<string> WpautopBlocks = new(
        ["p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "figure", "figcaption", "div", "table", "thead", "tfoot", "tbody",
         "caption", "col", "colgroup", "tr", "td", "th", "pre", "hr", "section", "article", "aside", "header", "footer", "nav",
         "dl", "dd", "dt", "address", "details", "summary", "menu", "hgroup", "fieldset", "legend", "map", "area", "math", "form", "style"],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A line break in the text of a block element (an address, a table cell), where wpautop puts a <c>br</c>; not one next
    /// to a block element's tag, nor one right after a <c>br</c> the text already has.
    /// </summary>
    private static readonly Regex LineInBlock = new(
        $@"(?<=>[^<>]*)(?<!</?(?:{string.Join('|', WpautopBlocks)})\b[^>]*>\s*)(?<!<br\s*/?>[ \t]*)\n(?!\s*</?(?:{string.Join('|', WpautopBlocks)})\b)",
        RegexOptions.IgnoreCase | RegexOptions.Compiled);

    /// <summary>wpautop's block elements and ours: a chunk that starts with one (opening or closing) is not wrapped in a paragraph.</summary>
    private static readonly HashSet<string> BlockTags = new(
        [.. WpautopBlocks, "img", "iframe", "wp-gallery", "wp-embed", "video", "audio", "script"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Elements that are part of a paragraph's text: a run of them (and text) between blocks is one paragraph.</summary>
    private static readonly HashSet<string> InlineTags = new(
        ["a", "abbr", "acronym", "b", "bdi", "bdo", "big", "br", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins", "kbd", "label", "mark",
         "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr"],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>Where an <c>img</c> may have its picture, in order.</summary>
    private static readonly string[] ImageSources = ["src", "data-src", "data-lazy-src", "data-original"];

    /// <summary>How deep reusable blocks may reference other reusable blocks (WordPress refuses a block that references itself).</summary>
    private const int MaxReusableDepth = 3;

    private static readonly HashSet<string> KnownShortcodes = ["caption", "wp_caption", "gallery", "embed", "audio", "video"];

    /// <summary>Where WordPress's <c>[audio]</c> and <c>[video]</c> take their file, in order.</summary>
    private static readonly string[] MediaSources = ["src", "mp3", "m4a", "ogg", "wav", "wma", "mp4", "m4v", "webm", "ogv", "wmv", "flv"];

    /// <summary>
    /// Inline elements whose meaning the sanitiser drops with them (an article's text keeps links, strong, em and line
    /// breaks): their text stays, and the report names them.
    /// </summary>
    private static readonly HashSet<string> MarkupKeptAsText = new(
        ["abbr", "acronym", "big", "cite", "code", "del", "dfn", "ins", "kbd", "mark", "q", "s", "samp", "small", "strike", "sub", "sup", "tt", "u", "var"],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>What a superscript or subscript may hold to be written with Unicode's own characters instead (MC², H₂O, 10⁻³).</summary>
    private const string ScriptableCharacters = "0123456789+-−=()";

    private const string Superscripts = "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾";

    private const string Subscripts = "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎";

    /// <summary>Plain text of a title or excerpt (entities decoded, tags removed, superscript digits kept as such, whitespace collapsed).</summary>
    public static string PlainText(string? html)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            return string.Empty;
        }
        var body = Parser.ParseDocument("<body>" + html).Body!;
        if (html.Contains("<su", StringComparison.OrdinalIgnoreCase))
        {
            body.QuerySelectorAll("sup, sub").ToList().ForEach(script => AsUnicodeScript(script));
        }
        return Whitespace().Replace(body.TextContent, " ").Trim();
    }

    /// <param name="reusableBlocks">Reusable blocks (<c>wp_block</c> items) by id: a post's <c>&lt;!-- wp:block {"ref":N} /--&gt;</c> shows the block's content.</param>
    /// <param name="postId">The post's id, for a <c>[gallery]</c> without ids (the pictures uploaded to the post).</param>
    /// <param name="footnotes">The post's <c>footnotes</c> meta: the notes its footnotes block shows, as WordPress keeps them (JSON).</param>
    public static ConvertedBody Convert(
        string? content, Uri? site, IReadOnlyDictionary<string, WpAttachment> attachments, IReadOnlyDictionary<string, string>? reusableBlocks = null, string? postId = null,
        string? footnotes = null)
    {
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        var notes = new List<string>();
        if (string.IsNullOrWhiteSpace(content))
        {
            return new ConvertedBody([], [], []);
        }
        content = Footnotes(Reusable(content.Replace("\r\n", "\n").Replace('\r', '\n'), reusableBlocks, notes, 0), footnotes, notes);
        if (content.Contains("<!--nextpage-->", StringComparison.Ordinal))
        {
            notes.Add("page breaks (<!--nextpage-->) were dropped: its pages are one article");
        }
        if (PageBuilderLayout().IsMatch(content))
        {
            // A page builder's rows, columns and text boxes hold the post's text: each is a block boundary, its text kept.
            notes.Add("a page builder's layout (WPBakery, Divi or Avada rows and columns) was unwrapped: its text is kept, its columns are not");
            content = PageBuilderLayout().Replace(content, "\n\n");
        }
        // WordPress runs wpautop on classic posts only: a post of blocks has its paragraphs marked up already.
        var isBlocks = content.Contains("<!-- wp:", StringComparison.Ordinal);
        // A block saved without HTML of its own is one WordPress renders from its attributes as the page is shown (latest
        // posts, a menu, a theme's post title): there is nothing here to import, so it is named. An empty shortcode block holds nothing.
        var rendered = isBlocks ? DynamicBlock().Matches(content).Select(m => m.Groups["name"].Value).Where(name => name != "shortcode").Distinct().Order(StringComparer.Ordinal).ToList() : [];
        if (rendered.Count > 0)
        {
            notes.Add($"blocks WordPress fills in as a page is shown were left out: {string.Join(", ", rendered)}");
        }
        // Comments go, <!--more--> with them: it marks where a front page's teaser ends and holds no text, so the
        // article is as it was without it (not reported).
        var html = Autop(Shortcodes(Comments().Replace(content, string.Empty), unknown, postId), isBlocks);
        var body = Parser.ParseDocument("<body>" + html).Body!;
        InlineMarkup(body, notes);
        var blocks = new List<ConvertedBlock>();
        var pictures = new Pictures(site, attachments);
        VisitAll(body.ChildNodes, blocks, pictures, notes);
        return new ConvertedBody(WithinLimits(blocks, notes), [.. unknown], [.. notes.Distinct()]);
    }

    /// <summary>
    /// Inline markup made to fit what an article's text keeps, before the sanitiser drops the rest: <c>b</c> and <c>i</c>
    /// become <c>strong</c> and <c>em</c>, a superscript or subscript of digits and signs its Unicode characters, and the
    /// elements whose meaning is still lost (code, deleted text…) are named in the report. Preformatted text has a note of
    /// its own; a <c>cite</c> in a block quote names the speaker.
    /// </summary>
    private static void InlineMarkup(IElement body, List<string> notes)
    {
        var lost = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var element in body.QuerySelectorAll("*").Where(e => e.Closest("pre") is null).ToList())
        {
            switch (element.LocalName)
            {
                case "b" or "i":
                    var renamed = element.Owner!.CreateElement(element.LocalName == "b" ? "strong" : "em");
                    renamed.Append([.. element.ChildNodes]);
                    element.Replace(renamed);
                    break;
                case "sup" when element.HasAttribute("data-fn"):
                    // A footnote's marker links to its note as WordPress shows the page; the notes here are a list with no anchors.
                    element.QuerySelectorAll("a").ToList().ForEach(link => link.Replace([.. link.ChildNodes]));
                    AsUnicodeScript(element);
                    break;
                case "sup" or "sub" when AsUnicodeScript(element):
                    break;
                case "cite" when element.Closest("blockquote") is not null:
                    break;
                case var name when MarkupKeptAsText.Contains(name):
                    lost.Add($"<{name}>");
                    break;
            }
        }
        if (lost.Count > 0)
        {
            notes.Add($"inline markup an article has no place for was kept as its text: {string.Join(", ", lost)}");
        }
    }

    /// <summary>
    /// A superscript or subscript of digits and signs (MC<c>&lt;sup&gt;2&lt;/sup&gt;</c>) written with Unicode's characters
    /// (MC²) in place of the element, its links kept; false, and left as it is, when it holds other text (5<c>&lt;sup&gt;th&lt;/sup&gt;</c>).
    /// </summary>
    private static bool AsUnicodeScript(IElement script)
    {
        if (!script.TextContent.All(c => char.IsWhiteSpace(c) || ScriptableCharacters.Contains(c)))
        {
            return false;
        }
        var characters = script.LocalName == "sup" ? Superscripts : Subscripts;
        foreach (var text in script.GetDescendants().OfType<IText>())
        {
            text.Data = string.Concat(text.Data.Select(c => ScriptableCharacters.IndexOf(c) is var i and >= 0 ? characters[i] : c));
        }
        script.Replace([.. script.ChildNodes]);
        return true;
    }

    /// <summary>
    /// Gutenberg's footnotes (WordPress 6.3 and later): the post keeps their text in its <c>footnotes</c> meta, and the
    /// footnotes block lists them where it stands as the page is shown. There they become a numbered list, in their order.
    /// </summary>
    private static string Footnotes(string content, string? footnotes, List<string> notes)
    {
        if (string.IsNullOrWhiteSpace(footnotes) || FootnotesBlock().Match(content) is not { Success: true } block)
        {
            return content;
        }
        List<Footnote>? listed;
        try
        {
            listed = JsonSerializer.Deserialize<List<Footnote>>(footnotes, JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            notes.Add("the footnotes were left out: the post's footnotes meta is not the list WordPress writes");
            return content;
        }
        var items = (listed ?? []).Select(note => note?.Content).Where(text => !string.IsNullOrWhiteSpace(text)).ToList();
        if (items.Count == 0)
        {
            return content;
        }
        notes.Add("footnotes became a numbered list where the footnotes block stood; their markers are numbers, not links");
        return string.Concat(content.AsSpan(0, block.Index), $"<ol>{string.Concat(items.Select(text => $"<li>{text}</li>"))}</ol>", content.AsSpan(block.Index + block.Length));
    }

    private sealed record Footnote(string? Id, string? Content);

    /// <summary>Each reference to a reusable block replaced by the block's content (itself expanded, a few levels deep).</summary>
    private static string Reusable(string content, IReadOnlyDictionary<string, string>? reusableBlocks, List<string> notes, int depth) =>
        ReusableBlock().Replace(content, match =>
        {
            var id = match.Groups[1].Value;
            if (reusableBlocks?.GetValueOrDefault(id) is not { } block)
            {
                notes.Add($"reusable block {id} is not in the export");
                return string.Empty;
            }
            if (depth == MaxReusableDepth)
            {
                notes.Add($"reusable block {id} was left out: reusable blocks nested more than {MaxReusableDepth} deep");
                return string.Empty;
            }
            return "\n\n" + Reusable(block, reusableBlocks, notes, depth + 1) + "\n\n";
        });

    /// <summary>
    /// The body within what an article takes: a paragraph longer than a block may be is split at its line breaks, and so is
    /// a list item; a list of more items than a list block takes (a race's results) is split into lists; a body of more
    /// blocks than an article may have has its runs of paragraphs joined (with a blank line between), so nothing is lost.
    /// </summary>
    private static List<ConvertedBlock> WithinLimits(List<ConvertedBlock> blocks, List<string> notes)
    {
        const int maxLength = Articles.Blocks.BlockValidator.MaxHtmlLength;
        const int maxItems = Articles.Blocks.BlockValidator.MaxListItems;
        const int maxBlocks = Articles.SaveArticleRequestValidator.MaxBlocks;
        const string lineBreak = "<br>";
        if (blocks.Any(b => b.Block.Html?.Length > maxLength))
        {
            notes.Add($"a paragraph longer than {maxLength:N0} characters was split (at its line breaks where it has them, else between words)");
            blocks = [.. blocks.SelectMany(b => b.Block.Html is { Length: > maxLength } html
                ? SplitHtml(html, maxLength).Select(part => new ConvertedBlock(b.Block with { Html = part }))
                : [b])];
        }
        if (blocks.Any(b => b.Block.Items is { } items && (items.Count > maxItems || items.Any(i => i.Length > maxLength))))
        {
            notes.Add($"a list of more than {maxItems} items, or with an item longer than {maxLength:N0} characters, was split into lists of up to {maxItems} (a long item into several)");
            blocks = [.. blocks.SelectMany(b => b.Block.Items is { } items && (items.Count > maxItems || items.Any(i => i.Length > maxLength))
                ? items.SelectMany(item => item.Length > maxLength ? SplitHtml(item, maxLength) : [item]).Chunk(maxItems)
                    .Select(part => new ConvertedBlock(b.Block with { Items = part }))
                : [b])];
        }
        if (blocks.Count <= maxBlocks)
        {
            return blocks;
        }
        notes.Add($"{blocks.Count:N0} blocks are more than an article takes ({maxBlocks:N0}): runs of paragraphs were joined");
        var joined = new List<ConvertedBlock>(maxBlocks);
        var excess = blocks.Count - maxBlocks;
        foreach (var block in blocks)
        {
            if (excess > 0 && block.Block.Type == BlockTypes.Paragraph && joined.Count > 0 && joined[^1].Block is { Type: BlockTypes.Paragraph, Html: { } before }
                && before.Length + 2 * lineBreak.Length + block.Block.Html!.Length <= maxLength)
            {
                joined[^1] = new ConvertedBlock(joined[^1].Block with { Html = before + lineBreak + lineBreak + block.Block.Html });
                excess--;
            }
            else
            {
                joined.Add(block);
            }
        }
        return joined;
    }

    /// <summary>
    /// Inline HTML cut into parts no longer than <paramref name="maxLength"/>, only between its top-level nodes or words: at
    /// the part's last line break when it has one, else after the last node or word that fits. An element too long for a
    /// part is cut the same way inside, each piece in the element's own tags, so every part is whole HTML.
    /// </summary>
    private static IEnumerable<string> SplitHtml(string html, int maxLength) =>
        Pack(Pieces(Parser.ParseDocument("<body>" + html).Body!.ChildNodes, maxLength), maxLength).Select(part => part.Trim()).Where(part => part.Length > 0);

    /// <summary>
    /// The nodes as the pieces a part may end after, none longer than <paramref name="maxLength"/>: text a word at a time
    /// (a word too long cut between characters, never inside a reference), an element whole when it fits, else its own parts
    /// each wrapped in its tags (or, were its tags alone nearly a part, its content without them).
    /// </summary>
    private static IEnumerable<string> Pieces(IEnumerable<INode> nodes, int maxLength)
    {
        foreach (var node in nodes)
        {
            var markup = node.ToHtml();
            if (node is IText)
            {
                foreach (Match word in Word().Matches(markup))
                {
                    for (var rest = word.Value; rest.Length > 0;)
                    {
                        var cut = rest.Length <= maxLength ? rest.Length : CutWithin(rest, maxLength);
                        yield return rest[..cut];
                        rest = rest[cut..];
                    }
                }
            }
            else if (markup.Length <= maxLength || node is not IElement element)
            {
                yield return markup;
            }
            else
            {
                var end = $"</{element.LocalName}>";
                var start = markup[..(markup.Length - element.InnerHtml.Length - end.Length)];
                var room = maxLength - start.Length - end.Length;
                var pieces = room < maxLength / 2 ? Pieces(element.ChildNodes, maxLength) : Pack(Pieces(element.ChildNodes, room), room).Select(part => start + part + end);
                foreach (var piece in pieces)
                {
                    yield return piece;
                }
            }
        }
    }

    /// <summary>Where to cut text longer than <paramref name="maxLength"/>: not inside a character reference or a surrogate pair.</summary>
    private static int CutWithin(string text, int maxLength)
    {
        var cut = maxLength;
        var reference = text.LastIndexOf('&', cut - 1);
        if (reference > 0 && text.IndexOf(';', reference) >= cut)
        {
            cut = reference;
        }
        return AcceptedText.WholeCharacters(text, cut);
    }

    /// <summary>Pieces joined into parts no longer than <paramref name="maxLength"/>; a full part ends at its last line break if it has one.</summary>
    private static List<string> Pack(IEnumerable<string> pieces, int maxLength)
    {
        const string lineBreak = "<br>";
        var parts = new List<string>();
        var part = new List<string>();
        var length = 0;
        var lastBreak = -1;
        foreach (var piece in pieces)
        {
            while (part.Count > 0 && length + piece.Length > maxLength)
            {
                // The line break itself ends the part (blocks are apart already); what follows it starts the next.
                var cut = lastBreak > 0 ? lastBreak : part.Count;
                parts.Add(string.Concat(part.Take(cut)));
                part = [.. part.Skip(lastBreak > 0 ? cut + 1 : cut)];
                length = part.Sum(p => p.Length);
                lastBreak = -1;
            }
            if (piece == lineBreak)
            {
                lastBreak = part.Count;
            }
            part.Add(piece);
            length += piece.Length;
        }
        if (part.Count > 0)
        {
            parts.Add(string.Concat(part));
        }
        return parts;
    }

    /// <summary>Turns the shortcodes we know into elements the walk understands; lists the others (kept as text).</summary>
    private static string Shortcodes(string content, SortedSet<string> unknown, string? postId)
    {
        content = Caption().Replace(content, match =>
        {
            var inner = match.Groups["inner"].Value;
            var image = ImageTag().Match(inner);
            var text = ImageTag().Replace(LinkAroundImage().Replace(inner, "$1"), string.Empty);
            var caption = CaptionAttribute().Match(match.Groups["attrs"].Value) is { Success: true } attribute ? attribute.Groups[1].Value : text;
            return image.Success ? $"\n\n<figure>{image.Value}<figcaption>{caption.Trim()}</figcaption></figure>\n\n" : text;
        });
        // Without ids (or include), WordPress shows the pictures uploaded to the post.
        content = Gallery().Replace(content, match =>
            IdsAttribute().Match(match.Groups[1].Value) is { Success: true } ids ? $"\n\n<wp-gallery data-ids=\"{ids.Groups[1].Value}\"></wp-gallery>\n\n"
            : $"\n\n<wp-gallery data-parent=\"{WebUtility.HtmlEncode(postId)}\"></wp-gallery>\n\n");
        content = EmbedShortcode().Replace(content, match => $"\n\n<wp-embed data-url=\"{Attribute(match.Groups[1].Value.Trim())}\"></wp-embed>\n\n");
        content = JetpackEmbed().Replace(content, match => JetpackEmbedUrl(match.Groups["name"].Value, WebUtility.HtmlDecode(match.Groups["attrs"].Value)) is { } url
            ? $"\n\n<wp-embed data-url=\"{WebUtility.HtmlEncode(url)}\"></wp-embed>\n\n" : match.Value);
        // WordPress's own players: as a <video> or <audio> element, which becomes a link to the file.
        content = MediaShortcode().Replace(content, match =>
        {
            var attributes = ShortcodeAttributes().Matches(match.Groups["attrs"].Value).ToDictionary(a => a.Groups[1].Value.ToLowerInvariant(), a => a.Groups[2].Value, StringComparer.Ordinal);
            // The file as an attribute (mp3="…"), given bare ([audio https://…]) or between the tags.
            var bare = BareUrl().Match(ShortcodeAttributes().Replace(match.Groups["attrs"].Value, string.Empty));
            var file = MediaSources.Select(attributes.GetValueOrDefault).FirstOrDefault(f => !string.IsNullOrWhiteSpace(f))
                ?? (bare.Success ? bare.Value : match.Groups["inner"].Value.Trim());
            var kind = match.Groups["kind"].Value.ToLowerInvariant();
            return $"\n\n<{kind} src=\"{Attribute(file)}\"></{kind}>\n\n";
        });
        var closed = ClosingShortcode().Matches(content).Select(m => m.Groups[1].Value).Where(name => !KnownShortcodes.Contains(name.ToLowerInvariant())).ToHashSet(StringComparer.Ordinal);
        unknown.UnionWith(closed);
        foreach (Match shortcode in OpeningShortcode().Matches(content))
        {
            var name = shortcode.Groups["name"].Value;
            if (!KnownShortcodes.Contains(name.ToLowerInvariant())
                && (shortcode.Groups["attrs"].Value.Trim() is var attributes && attributes.Length == 0 ? !BracketedWord().IsMatch(name) : ShortcodeEvidence().IsMatch(attributes)))
            {
                unknown.Add(name);
            }
        }
        return content;
    }

    /// <summary>
    /// The address a Jetpack (and WordPress.com) embed shortcode shows: its <c>url</c>, the web address it is given
    /// (<c>[youtube=…]</c>, <c>[tweet …]</c>), or the provider's page of the id it is given (<c>[vimeo 123]</c>,
    /// <c>[dailymotion id=x8oma9]</c>); null when it names none (the shortcode then stays text, reported).
    /// </summary>
    private static string? JetpackEmbedUrl(string name, string attributes)
    {
        attributes = attributes.TrimStart('=', ' ');
        var given = ShortcodeAttributes().Matches(attributes).FirstOrDefault(a => a.Groups[1].Value.Equals("url", StringComparison.OrdinalIgnoreCase))?.Groups[2].Value
            ?? (BareUrl().Match(attributes) is { Success: true } bare ? bare.Value : null);
        if (given is not null)
        {
            // Jetpack's own width and height ride along in a YouTube address ([youtube=…watch?v=ID&w=640&h=360]).
            return name == "youtube" ? JetpackPlayerSize().Replace(given, string.Empty) : given;
        }
        var id = JetpackEmbedId().Match(attributes) is { Success: true } named ? named.Groups["id"].Value : null;
        return (name, id) switch
        {
            (_, null) => null,
            ("youtube", _) when id.Length == 11 => $"https://www.youtube.com/watch?v={id}",
            ("vimeo", _) when id.All(char.IsAsciiDigit) => $"https://vimeo.com/{id}",
            ("dailymotion", _) when id.StartsWith('x') => $"https://www.dailymotion.com/video/{id}",
            ("tweet", _) when id.All(char.IsAsciiDigit) => $"https://twitter.com/i/status/{id}",
            _ => null,
        };
    }

    /// <summary>
    /// WordPress's <c>wpautop</c>, simplified: every block element starts and ends a chunk of its own (as wpautop puts blank
    /// lines around them), text between blank lines is a paragraph (single line breaks inside become <c>br</c>), a chunk
    /// that starts with a block element is left alone, a <c>pre</c> is kept whole (its blank lines are its own), and an
    /// embeddable URL on a line of its own is an embed.
    /// </summary>
    /// <param name="isBlocks">A post of Gutenberg blocks: chunks are left as they are (WordPress does not run wpautop on them).</param>
    private static string Autop(string content, bool isBlocks)
    {
        content = BareEmbedLine().Replace(content, match => $"\n\n<wp-embed data-url=\"{Attribute(match.Groups[1].Value)}\"></wp-embed>\n\n");
        if (isBlocks)
        {
            return content;
        }
        var preformatted = new List<string>();
        content = PreElement().Replace(content, match =>
        {
            preformatted.Add(match.Value);
            return $"<pre data-kept=\"{preformatted.Count - 1}\"></pre>";
        });
        content = BlockTagStart().Replace(content, match => WpautopBlocks.Contains(match.Groups[1].Value) ? "\n\n" + match.Value : match.Value);
        content = BlockTagEnd().Replace(content, match => WpautopBlocks.Contains(match.Groups[1].Value) ? match.Value + "\n\n" : match.Value);
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
                html.Append(LineInBlock.Replace(trimmed, "<br>\n")).Append('\n');
            }
            else
            {
                html.Append("<p>").Append(UnbrokenLine().Replace(trimmed, "<br>\n")).Append("</p>\n");
            }
        }
        return preformatted.Count == 0 ? html.ToString() : KeptPre().Replace(html.ToString(), match => preformatted[int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]);
    }

    /// <summary>
    /// The site and its pictures, as the walk needs them: a picture's original (WordPress puts resized copies in posts) and
    /// the pictures uploaded to a post. The look-ups are made once per export, not per post.
    /// </summary>
    private sealed class Pictures(Uri? site, IReadOnlyDictionary<string, WpAttachment> attachments)
    {
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyDictionary<string, WpAttachment>, Index> Indexes = [];

        private sealed record Index(Dictionary<string, WpAttachment> ByUrl, ILookup<string, (string Id, WpAttachment Picture)> ByParent);

        private Index Indexed => Indexes.GetValue(attachments, all => new Index(
            all.Values.Select(a => (Url: Absolute(a.Url, site), Picture: a)).Where(a => a.Url is not null).DistinctBy(a => a.Url).ToDictionary(a => a.Url!, a => a.Picture, StringComparer.Ordinal),
            all.Where(a => a.Value.ParentId is not null).ToLookup(a => a.Value.ParentId!, a => (a.Key, a.Value), StringComparer.Ordinal)));

        public Uri? Site => site;

        public WpAttachment? ById(string id) => attachments.GetValueOrDefault(id);

        /// <summary>The pictures uploaded to a post, in their gallery order.</summary>
        public IEnumerable<WpAttachment> Of(string postId) => Indexed.ByParent[postId]
            .OrderBy(a => a.Picture.MenuOrder).ThenBy(a => long.TryParse(a.Id, out var id) ? id : long.MaxValue).Select(a => a.Picture);

        /// <summary>The attachment an <c>img</c> shows: named by its <c>wp-image-N</c> class or <c>data-id</c>, else by its URL or its original's.</summary>
        public WpAttachment? Of(IElement image, string url)
        {
            var id = AttachmentClass().Match(image.GetAttribute("class") ?? string.Empty) is { Success: true } named ? named.Groups[1].Value : image.GetAttribute("data-id");
            if (id is not null && attachments.GetValueOrDefault(id) is { } byId)
            {
                return byId;
            }
            return Indexed.ByUrl.GetValueOrDefault(url) ?? Indexed.ByUrl.GetValueOrDefault(SizeSuffix().Replace(url, string.Empty, 1));
        }
    }

    /// <summary>The nodes in order: a run of text and inline elements between blocks is one paragraph, as a reader sees it.</summary>
    private static void VisitAll(IEnumerable<INode> nodes, List<ConvertedBlock> blocks, Pictures pictures, List<string> notes)
    {
        var run = new StringBuilder();
        foreach (var node in nodes.ToList())
        {
            if (node is IText text)
            {
                run.Append(WebUtility.HtmlEncode(text.Data));
            }
            else if (node is IElement wrapper && InlineTags.Contains(wrapper.LocalName) && wrapper.Descendants<IElement>().Any(e => e.LocalName != "img" && BlockTags.Contains(e.LocalName)))
            {
                // An inline element around blocks: an unclosed <strong> the parser carried over the rest of the post, or a <span>
                // around paragraphs. Its blocks are kept, not its own markup (the rest of the post in bold).
                Paragraph(blocks, run.ToString());
                run.Clear();
                VisitAll(wrapper.ChildNodes, blocks, pictures, notes);
            }
            else if (node is IElement element && InlineTags.Contains(element.LocalName) && element.QuerySelector("img") is null)
            {
                // A file block's download button repeats the link before it.
                if (!element.ClassList.Contains("wp-block-file__button"))
                {
                    run.Append(element.OuterHtml);
                }
            }
            else
            {
                Paragraph(blocks, run.ToString());
                run.Clear();
                Visit(node, blocks, pictures, notes);
            }
        }
        Paragraph(blocks, run.ToString());
    }

    private static void Visit(INode node, List<ConvertedBlock> blocks, Pictures pictures, List<string> notes)
    {
        if (node is not IElement element)
        {
            return;
        }
        switch (element.LocalName)
        {
            case "p":
                ParagraphWithImages(element, blocks, pictures, notes);
                break;
            case "h1" or "h2" or "h3" or "h4" or "h5" or "h6":
                var heading = PlainText(element.InnerHtml);
                const int maxHeading = Articles.Blocks.BlockValidator.MaxHeadingLength;
                if (heading.Length > maxHeading)
                {
                    notes.Add($"a heading longer than {maxHeading} characters was cut to {maxHeading}");
                    heading = AcceptedText.Cut(heading, maxHeading);
                }
                if (heading.Length > 0)
                {
                    var level = Math.Clamp(element.LocalName[1] - '0', 2, 4);
                    blocks.Add(new(new Block { Type = BlockTypes.Heading, Level = level, Text = heading }));
                }
                break;
            case "ul" or "ol" when IsListOfPictures(element):
                // A gallery laid out as a list (Gutenberg's gallery until WordPress 5.3, Jetpack's slideshow): each picture with its caption.
                element.Children.Where(c => c.LocalName == "li").ToList().ForEach(item => VisitAll(item.ChildNodes, blocks, pictures, notes));
                break;
            case "ul" or "ol":
                if (element.QuerySelectorAll("ol").Prepend(element).Any(list => list.LocalName == "ol" && (list.HasAttribute("reversed") || list.GetAttribute("start") is { } start && start.Trim() != "1")))
                {
                    notes.Add("a numbered list's own numbering (a start other than 1, or counting down) was not kept: a list here counts up from 1");
                }
                if (element.QuerySelector("li ul, li ol") is not null)
                {
                    notes.Add("a list nested in a list was flattened: its items follow the item they were under, in one list");
                }
                // A list item holds text only: its pictures and players follow the list.
                var listed = TakeOut(element);
                var items = ListItems(element).Where(i => !IsBlank(PlainText(i))).ToList();
                if (items.Count > 0)
                {
                    blocks.Add(new(new Block { Type = BlockTypes.List, Style = element.LocalName == "ol" ? BlockTypes.Numbered : BlockTypes.Bulleted, Items = items }));
                }
                listed.ForEach(taken => Followed(blocks, taken, pictures, notes));
                break;
            case "blockquote" when PastedPost(element) is { } post:
                Embed(blocks, post, pictures.Site, notes);
                break;
            case "blockquote":
                Quotation(element, blocks);
                break;
            case "figure":
                Figure(element, blocks, pictures, notes);
                break;
            case "img":
                Image(blocks, element, pictures, null, notes);
                break;
            case "iframe":
                Embed(blocks, element.GetAttribute("src"), pictures.Site, notes);
                break;
            case "wp-embed":
                Embed(blocks, element.GetAttribute("data-url"), pictures.Site, notes);
                break;
            case "wp-gallery":
                Gallery(element, blocks, pictures, notes);
                break;
            case "pre":
                // Gutenberg's preformatted and verse blocks end their lines with <br>, not a line break of the text.
                element.QuerySelectorAll("br").ToList().ForEach(lineBreak => lineBreak.Replace(element.Owner!.CreateTextNode("\n")));
                Paragraph(blocks, Preformatted(element.TextContent));
                notes.Add("preformatted text (<pre>) became a paragraph with its line breaks and indentation; its fixed-width type is not kept");
                break;
            case "table":
                // No table block: its caption and each row a paragraph, the cells apart.
                if (element.Children.FirstOrDefault(c => c.LocalName == "caption") is { } tableCaption)
                {
                    Paragraph(blocks, tableCaption.InnerHtml);
                }
                var rows = TableRows(element).ToList();
                rows.ForEach(row => Paragraph(blocks, row));
                notes.Add($"a table kept as text, {rows.Count} rows (a paragraph each)");
                break;
            case "video" or "audio":
                // No video or audio block: a link to the file keeps it (Gutenberg's video and audio blocks, a pasted player).
                if (Absolute(element.GetAttribute("src") ?? element.QuerySelector("source")?.GetAttribute("src"), pictures.Site) is { } media)
                {
                    var link = WebUtility.HtmlEncode(media);
                    Paragraph(blocks, $"<a href=\"{link}\">{link}</a>");
                    notes.Add($"a <{element.LocalName}> became a link to its file");
                }
                else
                {
                    notes.Add($"a <{element.LocalName}> without a file was left out");
                }
                break;
            case "script" when EmbedScript().IsMatch(element.GetAttribute("src") ?? string.Empty) && element.Owner?.QuerySelector(PastedPosts) is not null:
                // The script that turns a pasted social post into the post: the embed block stands for it (the same script
                // after a timeline or a follow button, which have no block, is reported below).
                break;
            case "script" or "style" or "noscript" or "template" or "object" or "embed" or "form":
                notes.Add($"a <{element.LocalName}> was left out");
                break;
            case "hr":
                notes.Add("a divider (<hr>, a separator block) was left out: an article has no divider block");
                break;
            case "br":
                break;
            case "div" or "section" or "article" or "aside" or "header" or "footer" or "thead" or "tbody" or "tr" or "td" or "th"
                or "dl" or "dt" or "dd" or "address" or "center" or "main" or "figcaption" or "nav" or "details" or "summary":
                if ((element.GetAttribute("role") == "img" || element.ClassList.Contains("wp-block-cover") || element.ClassList.Contains("wp-block-cover-image"))
                    && BackgroundImage().Match(element.GetAttribute("style") ?? string.Empty) is { Success: true } background)
                {
                    // A cover block's picture shown as a background (fixed or repeated, or as Gutenberg wrote every cover until 2020,
                    // on the cover's own box): as an img with the element's wp-image class.
                    var picture = element.Owner!.CreateElement("img");
                    picture.SetAttribute("src", WebUtility.HtmlDecode(background.Groups[1].Value));
                    picture.SetAttribute("class", element.GetAttribute("class") ?? string.Empty);
                    Image(blocks, picture, pictures, null, notes);
                }
                VisitAll(element.ChildNodes, blocks, pictures, notes);
                break;
            default:
                // An inline element around a picture or a player, or an element we do not know: a paragraph of its own.
                if (element.QuerySelector(TakenOut) is not null)
                {
                    ParagraphWithImages(element, blocks, pictures, notes);
                }
                else
                {
                    Paragraph(blocks, element.OuterHtml);
                }
                break;
        }
    }

    /// <summary>A list whose every item is a picture (in a figure with its caption, or behind a link), with no text of its own.</summary>
    private static bool IsListOfPictures(IElement list)
    {
        var items = list.Children.Where(c => c.LocalName == "li").ToList();
        return items.Count > 0 && items.All(item => item.QuerySelector("img") is not null && item.ChildNodes.All(node =>
            node is IText text && IsBlank(text.Data) || node is IComment
            || node is IElement { LocalName: "figure" or "img" } || node is IElement { LocalName: "a" } link && IsBlank(link.TextContent) && link.QuerySelector("img") is not null));
    }

    /// <summary>A list's items; a list nested in an item follows it, its items in the same list (a list block is flat).</summary>
    private static IEnumerable<string> ListItems(IElement list)
    {
        foreach (var item in list.Children.Where(c => c.LocalName == "li"))
        {
            var nested = item.Children.Where(c => c.LocalName is "ul" or "ol").ToList();
            nested.ForEach(n => n.Remove());
            yield return WithoutEdgeBreaks(item.InnerHtml);
            foreach (var inner in nested.SelectMany(ListItems))
            {
                yield return inner;
            }
        }
    }

    /// <summary>
    /// A table's rows, its cells apart; a table in a cell follows the row it is in (taken out of the cell, so its rows are
    /// there once), and a cell that held only such a table is left out of the row.
    /// </summary>
    private static IEnumerable<string> TableRows(IElement table)
    {
        foreach (var row in table.QuerySelectorAll("tr").Where(r => r.Closest("table") == table).ToList())
        {
            var cells = row.Children.Where(c => c.LocalName is "td" or "th").ToList();
            var nested = cells.SelectMany(c => c.QuerySelectorAll("table")).Where(t => t.ParentElement!.Closest("table") == table).ToList();
            var holders = cells.Where(c => nested.Any(t => t.ParentElement!.Closest("td, th") == c)).ToList();
            nested.ForEach(t => t.Remove());
            var kept = cells.Except(holders.Where(c => IsBlank(PlainText(c.InnerHtml)))).ToList();
            // Empty cells at the row's end (the short last row of a grid, an unlabelled last column) are not written as separators.
            var shown = kept.Count - kept.AsEnumerable().Reverse().TakeWhile(c => IsBlank(PlainText(c.InnerHtml)) && c.QuerySelector("img") is null).Count();
            yield return string.Join(" | ", kept.Take(shown).Select(c => c.InnerHtml.Trim()));
            foreach (var inner in nested.SelectMany(TableRows))
            {
                yield return inner;
            }
        }
    }

    /// <summary>
    /// A figure: a picture with its caption; a gallery (pictures in figures of their own, Gutenberg's old or new markup) as one
    /// image per picture then the gallery's caption; an embed (any provider: the URL Gutenberg keeps in its wrapper); else its content.
    /// </summary>
    private static void Figure(IElement figure, List<ConvertedBlock> blocks, Pictures pictures, List<string> notes)
    {
        var images = figure.QuerySelectorAll("img").ToList();
        var caption = figure.Children.FirstOrDefault(c => c.LocalName == "figcaption");
        if (images.Count > 1 || figure.QuerySelector("figure") is not null)
        {
            foreach (var image in images)
            {
                var own = image.Closest("figure") is { } inner && inner != figure ? inner.Children.FirstOrDefault(c => c.LocalName == "figcaption") : null;
                Image(blocks, image, pictures, PlainText(own?.InnerHtml), notes);
            }
            if (caption is not null)
            {
                Paragraph(blocks, caption.InnerHtml);
            }
            return;
        }
        if (images.Count == 1)
        {
            Image(blocks, images[0], pictures, PlainText(caption?.InnerHtml), notes);
            return;
        }
        if (figure.QuerySelector("iframe") is { } frame)
        {
            Embed(blocks, frame.GetAttribute("src"), pictures.Site, notes);
        }
        else if (figure.QuerySelector(".wp-block-embed__wrapper") is { } wrapper && wrapper.TextContent.Trim() is var given
            && (wrapper.Children.Length == 0 || wrapper.Children is [{ LocalName: "a" } link] && link.GetAttribute("href")?.Trim() == given)
            && !given.Any(char.IsWhiteSpace) && Absolute(given, pictures.Site) is { } url)
        {
            Embed(blocks, url, pictures.Site, notes);
        }
        else
        {
            // Gutenberg's embed block of a known provider: its URL on a line of its own became an embed already; a
            // wrapper that holds the provider's HTML (a tweet's blockquote, as the REST API renders it) is visited.
            VisitAll(figure.ChildNodes.Where(c => c != caption), blocks, pictures, notes);
        }
        if (caption is not null)
        {
            Paragraph(blocks, caption.InnerHtml);
        }
    }

    /// <summary>A <c>[gallery]</c>: the pictures it names, or those uploaded to the post, one image each with the picture's alt text and caption.</summary>
    private static void Gallery(IElement gallery, List<ConvertedBlock> blocks, Pictures pictures, List<string> notes)
    {
        var shown = new List<WpAttachment>();
        if (gallery.GetAttribute("data-parent") is { Length: > 0 } parent)
        {
            shown.AddRange(pictures.Of(parent));
            if (shown.Count == 0)
            {
                notes.Add("a [gallery] of the post's own pictures found none in the export");
            }
        }
        foreach (var id in (gallery.GetAttribute("data-ids") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (pictures.ById(id) is { } picture)
            {
                shown.Add(picture);
            }
            else
            {
                notes.Add($"gallery image {id} is not in the export");
            }
        }
        foreach (var picture in shown)
        {
            if (Absolute(picture.Url, pictures.Site) is { } pictureUrl)
            {
                blocks.Add(new(new Block { Type = BlockTypes.Image, Url = pictureUrl, Alt = picture.Alt, Caption = picture.Caption, Credit = picture.Credit }));
            }
        }
    }

    /// <summary>
    /// Pictures and players inside a paragraph (an <c>iframe</c> pasted into the text: a paragraph's text keeps no iframe)
    /// become image and embed blocks of their own, after the paragraph's text.
    /// </summary>
    private static void ParagraphWithImages(IElement element, List<ConvertedBlock> blocks, Pictures pictures, List<string> notes)
    {
        var taken = TakeOut(element);
        Paragraph(blocks, element.LocalName == "p" ? element.InnerHtml : element.OuterHtml);
        taken.ForEach(picture => Followed(blocks, picture, pictures, notes));
    }

    /// <summary>What text cannot hold: pictures, and players (iframes).</summary>
    private const string TakenOut = "img, iframe";

    /// <summary>The pictures and players in an element, taken out of it (with a link around one that holds nothing else), to follow it as blocks.</summary>
    private static List<IElement> TakeOut(IElement element)
    {
        var taken = element.QuerySelectorAll(TakenOut).ToList();
        foreach (var picture in taken)
        {
            (picture.ParentElement is { LocalName: "a" } link && link.Children.Length == 1 ? link : picture).Remove();
        }
        return taken;
    }

    /// <summary>A picture or a player taken out of text, as the block that follows it.</summary>
    private static void Followed(List<ConvertedBlock> blocks, IElement taken, Pictures pictures, List<string> notes)
    {
        if (taken.LocalName == "iframe")
        {
            Embed(blocks, taken.GetAttribute("src"), pictures.Site, notes);
        }
        else
        {
            Image(blocks, taken, pictures, null, notes);
        }
    }

    private static void Paragraph(List<ConvertedBlock> blocks, string html)
    {
        var trimmed = WithoutEdgeBreaks(html);
        // Text without markup or references is its own plain text: no parse needed to see it is blank.
        if (IsBlank(trimmed.AsSpan().ContainsAny('<', '&') ? PlainText(trimmed) : trimmed))
        {
            return;
        }
        blocks.Add(new(new Block { Type = BlockTypes.Paragraph, Html = HtmlSafety.SanitiseInline(trimmed) }));
    }

    /// <summary>
    /// A paragraph's or a list item's HTML trimmed, without the line breaks it starts or ends with, also those just inside
    /// a link or bold text at its edge (wpautop's <c>&lt;p&gt;&lt;br /&gt;</c>, a line that ends with <c>&lt;br /&gt;</c>,
    /// a page builder's link laid out over lines): a reader would see a blank line.
    /// </summary>
    private static string WithoutEdgeBreaks(string html) =>
        TrailingBreaks().Replace(LeadingBreaks().Replace(html.Trim(), "$1", 1), "$1", 1);

    /// <summary>
    /// Preformatted text as a paragraph: its lines kept as line breaks, its indentation and runs of spaces as non-breaking
    /// spaces (a tab as four), so a timetable or a poem keeps its shape.
    /// </summary>
    private static string Preformatted(string text) =>
        string.Join("<br>", text.Trim('\n').TrimEnd().Split('\n').Select(line =>
            SpaceRun().Replace(WebUtility.HtmlEncode(line.TrimEnd().Replace("\t", "    ")), run => run.Length == 1 && run.Index > 0 ? " " : string.Concat(Enumerable.Repeat("&nbsp;", run.Length)))));

    /// <summary>
    /// A picture: the attachment's original when the export has it (a post shows a resized copy, <c>photo-1024x683.jpg</c>),
    /// with the attachment's alt text when the <c>img</c> has none.
    /// </summary>
    private static void Image(List<ConvertedBlock> blocks, IElement image, Pictures pictures, string? caption, List<string> notes)
    {
        // A lazy-loading plugin leaves a placeholder (a data: URL) in src and the picture in data-src or data-lazy-src.
        if (ImageSources.Select(source => Absolute(image.GetAttribute(source), pictures.Site)).FirstOrDefault(url => url is not null) is not { } url)
        {
            notes.Add("a picture without a web address was left out");
            return;
        }
        var attachment = pictures.Of(image, url);
        var alt = image.GetAttribute("alt") is { } given && !string.IsNullOrWhiteSpace(given) ? given.Trim() : attachment?.Alt;
        var source = attachment is not null && Absolute(attachment.Url, pictures.Site) is { } original ? original : url;
        if (source.Length > BlockValidator.MaxUrlLength)
        {
            notes.Add($"a picture whose web address is longer than {BlockValidator.MaxUrlLength:N0} characters was left out");
            return;
        }
        blocks.Add(new(Fitted(new Block
        {
            Type = BlockTypes.Image, Url = source,
            Alt = string.IsNullOrWhiteSpace(alt) ? null : alt, Caption = string.IsNullOrWhiteSpace(caption) ? null : caption, Credit = attachment?.Credit,
        }, notes)));
    }

    /// <summary>
    /// A picture with its alt text and caption cut to what an image keeps (WordPress has no limit: an editor may paste a
    /// paragraph into either), noted when one was cut.
    /// </summary>
    public static Block Fitted(Block picture, List<string>? notes)
    {
        var fitted = picture with { Alt = AcceptedText.Cut(picture.Alt, BlockValidator.MaxAltLength), Caption = AcceptedText.Cut(picture.Caption, BlockValidator.MaxCaptionLength) };
        if (fitted.Alt != picture.Alt || fitted.Caption != picture.Caption)
        {
            notes?.Add($"a picture's alt text or caption was cut to what an image keeps ({BlockValidator.MaxAltLength} and {BlockValidator.MaxCaptionLength:N0} characters)");
        }
        return fitted;
    }

    private static void Embed(List<ConvertedBlock> blocks, string? url, Uri? site, List<string> notes)
    {
        var absolute = Absolute(url, site);
        if (absolute is { Length: > BlockValidator.MaxUrlLength })
        {
            notes.Add($"an embed whose web address is longer than {BlockValidator.MaxUrlLength:N0} characters was left out");
        }
        else if (absolute is not null)
        {
            blocks.Add(new(new Block { Type = BlockTypes.Embed, Url = absolute }));
        }
        else
        {
            notes.Add("an embed without a web address was left out");
        }
    }

    /// <summary>
    /// The post a social post pasted as its embed code shows (the blockquote the provider's script turns into the post): a
    /// tweet's or a Bluesky post's own link (the last: its date; the text's links come before it), the Instagram permalink,
    /// the TikTok video or Facebook post the blockquote cites, without the tracking the provider adds; null for any other
    /// blockquote.
    /// </summary>
    private const string PastedPosts =
        "blockquote.twitter-tweet, blockquote.twitter-video, blockquote.instagram-media, blockquote.tiktok-embed, blockquote.bluesky-embed, blockquote.fb-xfbml-parse-ignore";

    private static string? PastedPost(IElement quote)
    {
        var links = quote.QuerySelectorAll("a[href]").Select(a => a.GetAttribute("href")!);
        var classes = quote.ClassList;
        var candidates = classes.Contains("twitter-tweet") || classes.Contains("twitter-video") || classes.Contains("bluesky-embed") ? links.Reverse()
            : classes.Contains("instagram-media") ? links.Prepend(quote.GetAttribute("data-instgrm-permalink") ?? string.Empty)
            : classes.Contains("tiktok-embed") || classes.Contains("fb-xfbml-parse-ignore") ? links.Prepend(quote.GetAttribute("cite") ?? string.Empty)
            : [];
        return candidates.Select(link => PastedPostLink().Match(link.Trim())).FirstOrDefault(match => match.Success)?.Value;
    }

    /// <summary>
    /// A quotation with a <c>cite</c> names its speaker (a quote); one without is kept as emphasised text, a paragraph for
    /// each of its paragraphs, with their links.
    /// </summary>
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
            var paragraphs = element.Children.Where(c => c.LocalName == "p").ToList();
            var allInParagraphs = element.ChildNodes.All(n => n is IElement { LocalName: "p" } || n is IText t && IsBlank(t.Data) || n is IComment);
            foreach (var part in allInParagraphs && paragraphs.Count > 0 ? paragraphs.Select(p => p.InnerHtml) : [element.InnerHtml])
            {
                Paragraph(blocks, $"<em>{part.Trim()}</em>");
            }
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

    /// <summary>Text of the post's HTML (a URL with <c>&amp;amp;</c> in it) as an attribute's value, its entities decoded once.</summary>
    private static string Attribute(string html) => WebUtility.HtmlEncode(WebUtility.HtmlDecode(html));

    /// <summary>Empty, or only spaces and non-breaking spaces (Gutenberg leaves <c>&amp;nbsp;</c> paragraphs behind).</summary>
    private static bool IsBlank(string text) => text.All(c => char.IsWhiteSpace(c) || c == '\u00a0');

    /// <summary>The layout shortcodes of WPBakery, Divi and Avada, opening or closing: the text between them is the post's.</summary>
    [GeneratedRegex(@"\[/?(?:vc_(?:row|row_inner|column|column_inner|column_text|section)|et_pb_(?:section|row|row_inner|column|column_inner|text)|fusion_(?:builder_container|builder_row|builder_row_inner|builder_column|builder_column_inner|text))\b(?:""[^""]*""|'[^']*'|[^\]""'])*\]", RegexOptions.CultureInvariant)]
    private static partial Regex PageBuilderLayout();

    [GeneratedRegex(@"<!--.*?-->", RegexOptions.Singleline)]
    private static partial Regex Comments();

    /// <summary>A line break in a paragraph that wpautop makes a <c>br</c>: not one right after a <c>br</c> the line ends with.</summary>
    [GeneratedRegex(@"(?<!<br\s*/?>[ \t]*)\n", RegexOptions.IgnoreCase)]
    private static partial Regex UnbrokenLine();

    [GeneratedRegex(@"<!--\s*wp:footnotes(?:\s+\{[^\n]*?\})?\s*/-->")]
    private static partial Regex FootnotesBlock();

    [GeneratedRegex(@"<!--\s*wp:block\s+\{[^}]*?""ref""\s*:\s*(\d+)[^}]*\}\s*/-->")]
    private static partial Regex ReusableBlock();

    /// <summary>A block comment that closes itself (<c>&lt;!-- wp:latest-posts {…} /--&gt;</c>): a block with no HTML of its own.</summary>
    [GeneratedRegex(@"<!--\s*wp:(?<name>[a-z][a-z0-9_-]*(?:/[a-z][a-z0-9_-]*)?)(?:\s+\{[^\n]*?\})?\s*/-->")]
    private static partial Regex DynamicBlock();

    /// <summary>WordPress's name for a resized copy: <c>photo-300x200.jpg</c> for <c>photo.jpg</c>.</summary>
    [GeneratedRegex(@"-\d+x\d+(?=\.\w+(?:\?.*)?$)")]
    private static partial Regex SizeSuffix();

    [GeneratedRegex(@"\bwp-image-(\d+)\b")]
    private static partial Regex AttachmentClass();

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

    [GeneratedRegex(@"\b(?:ids|include)=[""']?([\d,\s]+)[""']?", RegexOptions.IgnoreCase)]
    private static partial Regex IdsAttribute();

    [GeneratedRegex(@"\[embed[^\]]*\](.*?)\[/embed\]", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex EmbedShortcode();

    /// <summary>
    /// Jetpack's embed shortcodes, which WordPress.com sites used before the block editor (lower case: WordPress's shortcode names are): <c>[youtube=URL]</c>,
    /// <c>[youtube URL]</c>, <c>[vimeo 123]</c>, <c>[tweet URL]</c>, <c>[instagram url=URL]</c>, <c>[soundcloud url="…"]</c>,
    /// <c>[dailymotion id=…]</c>, <c>[googlemaps URL]</c>, <c>[spotify …]</c>, <c>[tiktok …]</c>.
    /// </summary>
    [GeneratedRegex(@"\[(?<name>youtube|vimeo|tweet|instagram|soundcloud|dailymotion|googlemaps|spotify|tiktok)(?<attrs>[=\s][^\]]*)\](?:\s*\[/\k<name>\])?")]
    private static partial Regex JetpackEmbed();

    /// <summary>The id a Jetpack embed shortcode is given: <c>id=x8oma9</c>, or the first word (<c>[vimeo 123]</c>).</summary>
    [GeneratedRegex(@"^(?:id=[""']?)?(?<id>[\w-]+)")]
    private static partial Regex JetpackEmbedId();

    [GeneratedRegex(@"&(?:w|h)=\d+")]
    private static partial Regex JetpackPlayerSize();

    [GeneratedRegex(@"\[(?<kind>audio|video)\b(?<attrs>[^\]]*)\](?:(?<inner>[^\[]*)\[/\k<kind>\])?", RegexOptions.IgnoreCase)]
    private static partial Regex MediaShortcode();

    [GeneratedRegex(@"\b([\w-]+)=[""']([^""']*)[""']")]
    private static partial Regex ShortcodeAttributes();

    [GeneratedRegex(@"https?://[^\s""'\]]+")]
    private static partial Regex BareUrl();

    /// <summary>
    /// A bracket that may be a shortcode as WordPress parses one: a name of <c>[a-zA-Z0-9_-]</c> right after the bracket, then
    /// <c>]</c>, <c>/]</c> or attributes after a space; not <c>[[name]]</c> (WordPress's way of writing a shortcode as text).
    /// WordPress knows which names are shortcodes (its plugins register them); without them, <see cref="BracketedWord"/> and
    /// <see cref="ShortcodeEvidence"/> tell a shortcode from an editorial note in brackets.
    /// </summary>
    [GeneratedRegex(@"(?<!\[)\[(?<name>[a-zA-Z0-9_-]+)(?<attrs>\s[^\[\]]*?)?\s*/?\](?!\])")]
    private static partial Regex OpeningShortcode();

    /// <summary>A shortcode's closing tag: <c>[/name]</c> is never prose, and makes its opening tag a shortcode whatever it holds.</summary>
    [GeneratedRegex(@"\[/([a-zA-Z0-9_-]+)\]")]
    private static partial Regex ClosingShortcode();

    /// <summary>A bracket of one word that is a note, not a shortcode: a number (a footnote), a capitalised word (<c>[Updated]</c>) or <c>[sic]</c>.</summary>
    [GeneratedRegex(@"^(?:\d+|[A-Z][a-z]*|sic)$")]
    private static partial Regex BracketedWord();

    /// <summary>
    /// Attributes a shortcode has and prose does not: a <c>name=value</c>, a quoted value or a web address
    /// (<c>[contact-form-7 id="12"]</c>, <c>[youtube https://…]</c>), not words (<c>[Updated 3pm]</c>, <c>[Read more]</c>).
    /// </summary>
    [GeneratedRegex(@"(?:^|\s)(?:[a-zA-Z0-9_-]+\s*=|[""'“”‘’]|https?://)")]
    private static partial Regex ShortcodeEvidence();

    /// <summary>
    /// A URL WordPress embeds when it stands on a line of its own: the oEmbed providers it knows (and X and Facebook,
    /// which older sites embedded through Jetpack).
    /// </summary>
    [GeneratedRegex(@"^[ \t]*(https?://(?:www\.|m\.)?(?:youtube\.com/(?:watch\?|shorts/|playlist\?)[^\s<]+|youtu\.be/[^\s<]+|vimeo\.com/[^\s<]+|(?:twitter|x)\.com/[^\s<]+/status/[^\s<]+|facebook\.com/[^\s<]+|instagram\.com/(?:p|reel|tv)/[^\s<]+|(?:[\w-]+\.)?wordpress\.tv/[^\s<]+|videopress\.com/v/[^\s<]+|(?:[\w-]+\.)?flickr\.com/photos/[^\s<]+|flic\.kr/[^\s<]+|soundcloud\.com/[^\s<]+|open\.spotify\.com/[^\s<]+|mixcloud\.com/[^\s<]+|(?:[\w-]+\.)?tiktok\.com/[^\s<]+|(?:[\w-]+\.)?ted\.com/talks/[^\s<]+|dailymotion\.com/video/[^\s<]+|dai\.ly/[^\s<]+|[\w-]+\.tumblr\.com/post/[^\s<]+|reddit\.com/r/[^\s<]+/comments/[^\s<]+|imgur\.com/[^\s<]+|issuu\.com/[^\s<]+|(?:[\w-]+\.)?scribd\.com/doc/[^\s<]+|(?:[\w-]+\.)?slideshare\.net/[^\s<]+|speakerdeck\.com/[^\s<]+|(?:[\w-]+\.)?kickstarter\.com/projects/[^\s<]+|(?:[\w-]+\.)?pinterest\.[a-z.]+/pin/[^\s<]+|bsky\.app/profile/[^\s<]+/post/[^\s<]+))[ \t]*$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex BareEmbedLine();

    /// <summary>
    /// A tweet's, an Instagram, TikTok, Bluesky or Facebook post's own address, up to its query (<c>?ref_src=twsrc…</c>,
    /// <c>?utm_source=ig_embed</c>, <c>?ref_src=embed</c>).
    /// </summary>
    [GeneratedRegex(@"^https?://(?:(?:www\.|mobile\.)?(?:twitter|x)\.com/\w+/status/\d+|(?:www\.)?instagram\.com/(?:[\w.]+/)?(?:p|reel|tv)/[\w-]+/?|(?:www\.)?tiktok\.com/@[\w.-]+/video/\d+|bsky\.app/profile/[\w.:-]+/post/\w+|(?:www\.|m\.)?facebook\.com/(?:[\w.-]+/(?:posts|videos)/[\w.:-]+|permalink\.php\?story_fbid=\w+&id=\d+))", RegexOptions.IgnoreCase)]
    private static partial Regex PastedPostLink();

    /// <summary>X's, Instagram's, TikTok's, Bluesky's and Facebook's embed scripts, which a pasted post's embed code comes with.</summary>
    [GeneratedRegex(@"^(?:https?:)?//(?:platform\.twitter\.com/widgets\.js|(?:www\.)?instagram\.com/embed\.js|(?:www\.)?tiktok\.com/embed\.js|embed\.bsky\.app/static/embed\.js|connect\.facebook\.net/\w+/sdk\.js)\b", RegexOptions.IgnoreCase)]
    private static partial Regex EmbedScript();

    /// <summary>Line breaks (and the spaces around them) at the start of inline HTML, after any opening tags (a link, bold text) it starts with.</summary>
    [GeneratedRegex(@"\A((?:<(?!br\b)[a-z][^<>]*>)*)\s*(?:<br\s*/?>\s*)+", RegexOptions.IgnoreCase)]
    private static partial Regex LeadingBreaks();

    /// <summary>Line breaks (and the spaces around them) at the end of inline HTML, before any closing tags it ends with.</summary>
    [GeneratedRegex(@"(?:\s*<br\s*/?>)+\s*((?:</[a-z][^<>]*>)*)\z", RegexOptions.IgnoreCase | RegexOptions.RightToLeft)]
    private static partial Regex TrailingBreaks();

    [GeneratedRegex(@"\n[ \t]*\n\s*")]
    private static partial Regex BlankLines();

    [GeneratedRegex(@"^</?([a-zA-Z][\w-]*)")]
    private static partial Regex OpeningTag();

    /// <summary>An opening tag (<c>&lt;ul&gt;</c>, <c>&lt;hr /&gt;</c>), to start a chunk when it is a block element's.</summary>
    [GeneratedRegex(@"<([a-zA-Z][\w-]*)(?=[\s/>])")]
    private static partial Regex BlockTagStart();

    /// <summary>A closing tag, to end a chunk when it is a block element's.</summary>
    [GeneratedRegex(@"</([a-zA-Z][\w-]*)\s*>")]
    private static partial Regex BlockTagEnd();

    [GeneratedRegex(@"<pre\b.*?</pre\s*>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex PreElement();

    [GeneratedRegex(@"<pre data-kept=""(\d+)""></pre>")]
    private static partial Regex KeptPre();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>A word with the spaces after it, or spaces alone.</summary>
    [GeneratedRegex(@"\S+\s*|\s+")]
    private static partial Regex Word();

    [GeneratedRegex(@" +")]
    private static partial Regex SpaceRun();

    [GeneratedRegex(@"background-image:\s*url\(\s*['""]?([^'"")]+)['""]?\s*\)", RegexOptions.IgnoreCase)]
    private static partial Regex BackgroundImage();
}
