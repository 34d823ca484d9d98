using System.Text.RegularExpressions;
using System.Xml;

namespace HeadlessNews.Api.Features.Imports;

/// <summary>A WordPress author (<c>wp:author</c>), or a Co-Authors Plus guest author (a <c>guest-author</c> item).</summary>
public sealed record WpAuthor(string Login, string? DisplayName, string? Bio = null);

/// <summary>A category or tag (<c>wp:category</c>, <c>wp:tag</c>, or an item's <c>category</c>).</summary>
/// <param name="Taxonomy"><c>category</c>, <c>post_tag</c>, or (an item's) any other taxonomy, e.g. <c>post_format</c> or a plugin's.</param>
/// <param name="Id">The site's term id, when the source gives it (the export's term lists; plugins name a primary category by it).</param>
public sealed record WpTerm(string Taxonomy, string Slug, string Name, string? Id = null);

/// <summary>One <c>item</c>: a post, page, attachment or nav menu item, with what the import uses of it.</summary>
/// <param name="LocalDate">The site's local date (<c>wp:post_date</c>), for a post WordPress left without a GMT date (<c>0000-00-00</c>).</param>
/// <param name="OldSlugs">Former slugs (<c>_wp_old_slug</c>): each made an old permalink.</param>
/// <param name="OldDates">Former dates (<c>_wp_old_date</c>, <c>2024-03-11</c>): each made an old permalink.</param>
/// <param name="Comments">How many comments it had: not imported, only counted; not part of its hash (a new comment changes nothing).</param>
/// <param name="IsSticky">Pinned to the top of WordPress's front page: only reported (an article has no such place), so not part of its hash.</param>
public sealed record WpItem(
    string PostId,
    string PostType,
    string Status,
    string? Title,
    string? Link,
    string? SourceGuid,
    string? Creator,
    string? Content,
    string? Excerpt,
    string? PostName,
    string? ParentId,
    int MenuOrder,
    DateTimeOffset? DateGmt,
    DateTimeOffset? LocalDate,
    DateTimeOffset? ModifiedGmt,
    bool HasPassword,
    string? AttachmentUrl,
    IReadOnlyList<WpTerm> Terms,
    IReadOnlyDictionary<string, string> Meta,
    IReadOnlyList<string> OldSlugs,
    IReadOnlyList<string> OldDates,
    [property: System.Text.Json.Serialization.JsonIgnore] int Comments,
    [property: System.Text.Json.Serialization.JsonIgnore] bool IsSticky = false)
{
    /// <summary>Co-Authors Plus: the taxonomy of a post's bylines, each term named by an author's login, in byline order.</summary>
    public const string BylineTaxonomy = "author";

    /// <summary>Co-Authors Plus: the post type of a byline without a WordPress account.</summary>
    public const string GuestAuthorType = "guest-author";

    /// <summary>Polylang: the taxonomy of a post's language, a term named by its slug (<c>cy</c>, <c>en</c>).</summary>
    public const string LanguageTaxonomy = "language";

    /// <summary>Polylang: the taxonomy whose one term a post shares with its translations.</summary>
    public const string TranslationsTaxonomy = "post_translations";

    /// <summary>The post's language as Polylang records it, if it does. Derived from the terms, so not hashed again (see SourceHash).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? Language => Terms.FirstOrDefault(t => t.Taxonomy == LanguageTaxonomy && t.Slug.Length > 0)?.Slug;

    /// <summary>The Polylang term the post shares with its translations, if it has any. Derived from the terms, so not hashed again.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? TranslationSet => Terms.FirstOrDefault(t => t.Taxonomy == TranslationsTaxonomy && t.Slug.Length > 0)?.Slug;

    /// <summary>The logins of the post's bylines: its Co-Authors Plus authors when it has any, else its creator.</summary>
    public IEnumerable<string> Bylines() =>
        Terms.Any(t => t.Taxonomy == BylineTaxonomy)
            ? Terms.Where(t => t.Taxonomy == BylineTaxonomy).Select(t => t.Name.Trim()).Distinct(StringComparer.OrdinalIgnoreCase)
            : Creator is { } creator ? [creator] : [];
}


/// <summary>The exporting site as the file's channel describes it.</summary>
/// <param name="Language">The site's language as the channel gives it (<c>cy</c>, <c>en-GB</c>): its posts' language unless Polylang says otherwise.</param>
public sealed record WpSite(string? Title, string? Link, string? BaseSiteUrl, string? BaseBlogUrl, string? WxrVersion, string? Language = null);

/// <summary>
/// Reads a WXR export (any <c>wordpress.org/export/1.x/</c> namespace, http or https) as a stream: the channel's site
/// description, authors and terms as they come, then one <see cref="WpItem"/> at a time, so memory stays flat whatever
/// the size of the file. A malformed document throws <see cref="XmlException"/> with its line and column.
/// </summary>
public static partial class WxrReader
{
    private const string ContentNamespace = "http://purl.org/rss/1.0/modules/content/";
    private const string DublinCoreNamespace = "http://purl.org/dc/elements/1.1/";

    /// <summary>Post meta the import reads; everything else (and comments) is skipped.</summary>
    private static readonly HashSet<string> UsedMeta =
        [
            "_thumbnail_id", "_wp_attachment_image_alt", "_wp_attachment_metadata", "_yoast_wpseo_metadesc", "_yoast_wpseo_primary_category", "rank_math_primary_category",
            "cap-user_login", "cap-display_name", "cap-description", "footnotes",
        ];

    public static async IAsyncEnumerable<object> ReadAsync(Stream stream, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Forbidden characters are dropped: raw ones by WxrText, written as references (&#11;) when the text is read.
        var settings = new XmlReaderSettings { Async = true, DtdProcessing = DtdProcessing.Ignore, IgnoreComments = true, XmlResolver = null, CheckCharacters = false };
        using var reader = XmlReader.Create(new WxrText(stream), settings, FeedPrefixes());
        var channel = new Dictionary<string, string>(StringComparer.Ordinal);
        var siteGiven = false;
        await reader.ReadAsync();
        while (!reader.EOF)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (reader.NodeType != XmlNodeType.Element || reader.Depth != 2)
            {
                await reader.ReadAsync();
                continue;
            }
            var wordPress = IsWordPress(reader);
            var name = reader.LocalName;
            if (!wordPress && reader.NamespaceURI.Length > 0 || !wordPress && name is not ("item" or "title" or "link" or "language"))
            {
                await reader.SkipAsync();
                continue;
            }
            if (!wordPress && name is "title" or "link" or "language" || wordPress && name is "wxr_version" or "base_site_url" or "base_blog_url")
            {
                channel[name] = (await ReadTextAsync(reader)).Trim();
                continue;
            }
            if (!siteGiven)
            {
                siteGiven = true;
                yield return Site(channel);
            }
            if (wordPress && name == "author")
            {
                var author = await ReadFlatAsync(reader.ReadSubtree());
                yield return new WpAuthor(author.GetValueOrDefault("author_login")?.Trim() ?? string.Empty, Name(author.GetValueOrDefault("author_display_name")));
            }
            else if (wordPress && name is "category" or "tag" or "term")
            {
                var term = await ReadFlatAsync(reader.ReadSubtree());
                // A generic wp:term names its taxonomy: a category or tag written that way is one too (other taxonomies are reported per post).
                var taxonomy = name switch { "tag" => "post_tag", "category" => "category", _ => term.GetValueOrDefault("term_taxonomy")?.Trim() };
                var label = Name(term.GetValueOrDefault("cat_name") ?? term.GetValueOrDefault("tag_name") ?? term.GetValueOrDefault("term_name"));
                if (label is not null && taxonomy is "category" or "post_tag")
                {
                    var slug = term.GetValueOrDefault("category_nicename") ?? term.GetValueOrDefault("tag_slug") ?? term.GetValueOrDefault("term_slug") ?? string.Empty;
                    yield return new WpTerm(taxonomy, Uri.UnescapeDataString(slug.Trim()), label, NullIfBlank(term.GetValueOrDefault("term_id"))?.Trim());
                }
            }
            else if (name == "item")
            {
                yield return await ReadItemAsync(reader.ReadSubtree());
            }
            await reader.ReadAsync();
        }
        if (!siteGiven)
        {
            yield return Site(channel);
        }
    }

    /// <summary>
    /// Feed prefixes declared ahead of the file: export.php runs the <c>rss2_head</c> action, where plugins write the tags they
    /// add to the site's feed (a WebSub hub's <c>atom:link</c>, a podcast's <c>itunes:</c> tags) without the declarations the
    /// feed has, and a parser would refuse the whole file at the first one. A file that declares a prefix itself wins.
    /// </summary>
    private static XmlParserContext FeedPrefixes()
    {
        var names = new NameTable();
        var prefixes = new XmlNamespaceManager(names);
        foreach (var (prefix, uri) in KnownFeedPrefixes)
        {
            prefixes.AddNamespace(prefix, uri);
        }
        return new XmlParserContext(names, prefixes, null, XmlSpace.None);
    }

    private static readonly (string Prefix, string Uri)[] KnownFeedPrefixes =
    [
        ("atom", "http://www.w3.org/2005/Atom"), ("itunes", "http://www.itunes.com/dtds/podcast-1.0.dtd"), ("media", "http://search.yahoo.com/mrss/"),
        ("sy", "http://purl.org/rss/1.0/modules/syndication/"), ("slash", "http://purl.org/rss/1.0/modules/slash/"), ("georss", "http://www.georss.org/georss"),
        ("geo", "http://www.w3.org/2003/01/geo/wgs84_pos#"), ("googleplay", "http://www.google.com/schemas/play-podcasts/1.0"),
        ("podcast", "https://podcastindex.org/namespace/1.0"), ("rawvoice", "http://www.rawvoice.com/rawvoiceRssModule/"),
        ("feedburner", "http://rssnamespace.org/feedburner/ext/1.0"), ("wfw", "http://wellformedweb.org/CommentAPI/"),
    ];

    private static WpSite Site(Dictionary<string, string> channel) => new(
        NullIfBlank(channel.GetValueOrDefault("title")), NullIfBlank(channel.GetValueOrDefault("link")),
        NullIfBlank(channel.GetValueOrDefault("base_site_url")), NullIfBlank(channel.GetValueOrDefault("base_blog_url")),
        NullIfBlank(channel.GetValueOrDefault("wxr_version")), NullIfBlank(channel.GetValueOrDefault("language")));

    /// <summary>The text of each child element of a flat element (an author, a term, a post meta).</summary>
    private static async Task<Dictionary<string, string>> ReadFlatAsync(XmlReader subtree)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        using (subtree)
        {
            await subtree.ReadAsync();
            await subtree.ReadAsync();
            while (!subtree.EOF)
            {
                if (subtree.NodeType == XmlNodeType.Element && subtree.Depth == 1)
                {
                    values[subtree.LocalName] = await ReadTextAsync(subtree);
                }
                else
                {
                    await subtree.ReadAsync();
                }
            }
        }
        return values;
    }

    /// <summary>
    /// The text of the element the reader is on, leaving the reader after it. Elements nested in it are skipped: a term's
    /// <c>wp:termmeta</c> (key and value elements inside a term), or a plugin's markup inside an item's field.
    /// </summary>
    private static async Task<string> ReadTextAsync(XmlReader reader)
    {
        if (reader.IsEmptyElement)
        {
            await reader.ReadAsync();
            return string.Empty;
        }
        var depth = reader.Depth;
        // Nearly always one text or CDATA node: it is the text as it is, copied again only when there are more.
        string? first = null;
        System.Text.StringBuilder? joined = null;
        await reader.ReadAsync();
        while (reader.Depth > depth)
        {
            if (reader.NodeType == XmlNodeType.Element)
            {
                await reader.SkipAsync();
                continue;
            }
            if (reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace)
            {
                if (first is null)
                {
                    first = reader.Value;
                }
                else
                {
                    (joined ??= new System.Text.StringBuilder(first)).Append(reader.Value);
                }
            }
            await reader.ReadAsync();
        }
        await reader.ReadAsync();
        return WxrText.Clean(joined?.ToString() ?? first ?? string.Empty);
    }

    private static bool IsWordPress(XmlReader reader) => WordPressNamespace().IsMatch(reader.NamespaceURI);

    private static bool IsExcerpt(XmlReader reader) => ExcerptNamespace().IsMatch(reader.NamespaceURI);

    private static async Task<WpItem> ReadItemAsync(XmlReader item)
    {
        using var _ = item;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var terms = new List<WpTerm>();
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        var oldSlugs = new List<string>();
        var oldDates = new List<string>();
        var comments = 0;
        // WordPress 2.x–3.0 (WXR 1.0) wrote each category and tag twice: plain, for feed readers, then with its domain.
        List<WpTerm>? plainCategories = null;
        await item.ReadAsync();
        await item.ReadAsync();
        while (!item.EOF)
        {
            if (item.NodeType != XmlNodeType.Element || item.Depth != 1)
            {
                await item.ReadAsync();
                continue;
            }
            var name = item.LocalName;
            if (item.NamespaceURI.Length == 0 && name == "category")
            {
                var domain = item.GetAttribute("domain");
                var nicename = item.GetAttribute("nicename");
                var label = Name(await ReadTextAsync(item)) ?? string.Empty;
                var taxonomy = domain switch
                {
                    null or "category" => "category",
                    "post_tag" or "tag" => "post_tag",
                    _ => domain,
                };
                if (label.Length > 0)
                {
                    var term = new WpTerm(taxonomy, Uri.UnescapeDataString(nicename ?? string.Empty), label);
                    terms.Add(term);
                    if (domain is null)
                    {
                        (plainCategories ??= []).Add(term);
                    }
                }
            }
            else if (IsWordPress(item) && name == "postmeta")
            {
                var pair = await ReadFlatAsync(item.ReadSubtree());
                var value = pair.GetValueOrDefault("meta_value")?.Trim() ?? string.Empty;
                switch (pair.GetValueOrDefault("meta_key")?.Trim())
                {
                    case "_wp_old_slug" when value.Length > 0:
                        oldSlugs.Add(Uri.UnescapeDataString(value));
                        break;
                    case "_wp_old_date" when value.Length > 0:
                        oldDates.Add(value);
                        break;
                    case { } key when UsedMeta.Contains(key):
                        meta[key] = value;
                        break;
                }
                await item.ReadAsync();
            }
            else if (IsWordPress(item) && name == "comment")
            {
                comments++;
                await item.SkipAsync();
            }
            else
            {
                var key = item.NamespaceURI switch
                {
                    ContentNamespace => "content:" + name,
                    DublinCoreNamespace => "dc:" + name,
                    "" => name,
                    _ when IsExcerpt(item) => "excerpt:" + name,
                    _ when IsWordPress(item) => "wp:" + name,
                    _ => null,
                };
                if (key is null)
                {
                    await item.SkipAsync();
                }
                else
                {
                    // An element given twice: the first counts, as it does for WordPress's importer.
                    values.TryAdd(key, await ReadTextAsync(item));
                }
            }
        }
        if (plainCategories is not null)
        {
            terms.RemoveAll(term => plainCategories.Contains(term)
                && terms.Any(other => !plainCategories.Contains(other) && string.Equals(other.Name, term.Name, StringComparison.OrdinalIgnoreCase)));
        }
        // Fields but the post's own text are trimmed: WordPress.com's exports wrap some (a link, a file's URL) in line breaks.
        string? Get(string key) => values.TryGetValue(key, out var value) ? NullIfBlank(value)?.Trim() : null;
        string? Text(string key) => values.TryGetValue(key, out var value) ? NullIfBlank(value) : null;
        return new WpItem(
            Get("wp:post_id") ?? IdOf(Get("guid") ?? Get("link")) ?? string.Empty,
            Get("wp:post_type") ?? "post",
            Get("wp:status") ?? "publish",
            Text("title"),
            Get("link"),
            Get("guid"),
            Get("dc:creator"),
            Text("content:encoded"),
            Text("excerpt:encoded"),
            Get("wp:post_name") is { } postName ? Uri.UnescapeDataString(postName) : null,
            Get("wp:post_parent") is { } parent && parent != "0" ? parent : null,
            int.TryParse(Get("wp:menu_order"), System.Globalization.CultureInfo.InvariantCulture, out var menuOrder) ? menuOrder : 0,
            GmtDate(Get("wp:post_date_gmt")) ?? RssDate(Get("pubDate")),
            GmtDate(Get("wp:post_date")),
            GmtDate(Get("wp:post_modified_gmt")),
            Get("wp:post_password") is not null,
            Get("wp:attachment_url"),
            terms,
            meta,
            oldSlugs,
            oldDates,
            comments,
            Get("wp:is_sticky") == "1");
    }

    /// <summary>
    /// The id of an item without a <c>wp:post_id</c> (an export another tool wrote): made from its GUID or link, so two such
    /// posts are two articles, not one updated by the other, and a re-run finds each again.
    /// </summary>
    private static string? IdOf(string? guid) => guid is null
        ? null
        : "guid-" + System.Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(guid)))[..32];

    /// <summary><c>2015-07-02 09:30:00</c> as UTC; WordPress writes <c>0000-00-00 00:00:00</c> for "never".</summary>
    private static DateTimeOffset? GmtDate(string? value) =>
        DateTime.TryParseExact(value, "yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed) && parsed.Year > 1
            ? new DateTimeOffset(parsed, TimeSpan.Zero)
            : null;

    private static DateTimeOffset? RssDate(string? value) =>
        DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed) && parsed.Year > 1970
            ? parsed.ToUniversalTime()
            : null;

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>A term's or author's name: WordPress stores them HTML-escaped (<c>Arts &amp;amp; Culture</c>), so they are decoded once.</summary>
    private static string? Name(string? value) => NullIfBlank(value) is { } name ? NullIfBlank(System.Net.WebUtility.HtmlDecode(name).Trim()) : null;

    [GeneratedRegex(@"^https?://wordpress\.org/export/1\.\d+/$", RegexOptions.CultureInvariant)]
    private static partial Regex WordPressNamespace();

    [GeneratedRegex(@"^https?://wordpress\.org/export/1\.\d+/excerpt/$", RegexOptions.CultureInvariant)]
    private static partial Regex ExcerptNamespace();
}
