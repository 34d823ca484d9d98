using System.Net;
using System.ServiceModel.Syndication;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;

namespace HeadlessNews.Api.Features.Feeds;

/// <summary>
/// Writes feeds with well-kept writers (System.ServiceModel.Syndication, XmlWriter, System.Text.Json), never by
/// string concatenation. XML cannot carry some control characters at all, so those are dropped from text first.
/// Plain text (headlines, standfirsts) goes only where formats mean text, or HTML-escaped where readers render HTML;
/// HTML fields carry only sanitised HTML (bodies).
/// </summary>
public static class FeedFormats
{
    private const string ContentNamespace = "http://purl.org/rss/1.0/modules/content/";
    private const string DublinCoreNamespace = "http://purl.org/dc/elements/1.1/";
    private static readonly XNamespace MediaRss = "http://search.yahoo.com/mrss/";
    private const string SitemapNamespace = "http://www.sitemaps.org/schemas/sitemap/0.9";
    private const string NewsNamespace = "http://www.google.com/schemas/sitemap-news/0.9";
    private const string XhtmlNamespace = "http://www.w3.org/1999/xhtml";

    public static byte[] Rss(FeedChannel channel, IEnumerable<FeedEntry> entries)
    {
        var feed = Syndication(channel, entries, rss: true);
        feed.AttributeExtensions.Add(new XmlQualifiedName("content", XNamespaceXmlns), ContentNamespace);
        feed.AttributeExtensions.Add(new XmlQualifiedName("dc", XNamespaceXmlns), DublinCoreNamespace);
        feed.AttributeExtensions.Add(new XmlQualifiedName("media", XNamespaceXmlns), MediaRss.NamespaceName);
        return WriteXml(writer => new Rss20FeedFormatter(feed, serializeExtensionsAsAtom: false).WriteTo(writer));
    }

    public static byte[] Atom(FeedChannel channel, IEnumerable<FeedEntry> entries) =>
        WriteXml(writer => new Atom10FeedFormatter(Syndication(channel, entries, rss: false)).WriteTo(writer));

    /// <summary>JSON Feed 1.1 (https://jsonfeed.org/version/1.1).</summary>
    public static byte[] JsonFeed(FeedChannel channel, IEnumerable<FeedEntry> entries)
    {
        var items = new JsonArray();
        foreach (var entry in entries)
        {
            var item = new JsonObject
            {
                ["id"] = entry.Id.ToString(),
                ["url"] = entry.Link.ToString(),
                ["title"] = entry.Title,
                ["date_published"] = entry.Published.UtcDateTime,
                ["date_modified"] = entry.Updated.UtcDateTime,
                ["tags"] = new JsonArray([.. entry.Tags.Select(t => (JsonNode?)t.Name)]),
                ["language"] = entry.Language,
            };
            // JSON Feed 1.1 types summary as a string: an item without one leaves it out.
            if (entry.Summary is not null)
            {
                item["summary"] = entry.Summary;
            }
            // JSON Feed 1.1: authors, when given, name at least one.
            if (entry.Authors.Count > 0)
            {
                item["authors"] = new JsonArray([.. entry.Authors.Select(a => (JsonNode)new JsonObject { ["name"] = a })]);
            }
            // JSON Feed requires content_html or content_text on every item.
            if (entry.ContentHtml is not null)
            {
                item["content_html"] = entry.ContentHtml;
            }
            else
            {
                item["content_text"] = entry.Summary ?? entry.Title;
            }
            if (entry.Image is not null)
            {
                item["image"] = entry.Image.Url.ToString();
            }
            items.Add(item);
        }
        var feed = new JsonObject
        {
            ["version"] = "https://jsonfeed.org/version/1.1",
            ["title"] = channel.Title,
            ["description"] = channel.Description,
            ["home_page_url"] = channel.HomePage.ToString(),
            ["feed_url"] = channel.FeedUrl.ToString(),
            ["authors"] = new JsonArray(new JsonObject { ["name"] = channel.Publisher }),
            ["language"] = channel.Language,
            ["items"] = items,
        };
        return JsonSerializer.SerializeToUtf8Bytes(feed);
    }

    /// <summary>A JSON array of IPTC ninjs 2.2 items; only properties ninjs defines (it forbids others).</summary>
    public static byte[] Ninjs(IEnumerable<FeedEntry> entries)
    {
        var items = new JsonArray();
        foreach (var entry in entries)
        {
            var item = new JsonObject
            {
                // ninjs: the uri identifies the item and never changes (a slug can), the page is a rendition.
                ["uri"] = $"urn:uuid:{entry.Id}",
                ["type"] = "text",
                ["version"] = entry.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["firstcreated"] = entry.FirstCreated.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                ["versioncreated"] = entry.Updated.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                ["pubstatus"] = "usable",
                ["language"] = entry.Language,
                ["headlines"] = new JsonArray(new JsonObject { ["value"] = entry.Title }),
                ["altids"] = new JsonArray(new JsonObject { ["role"] = "headlessnews-id", ["value"] = entry.Id.ToString() }),
                ["renditions"] = new JsonArray(new JsonObject { ["name"] = "web", ["href"] = entry.Link.ToString(), ["contenttype"] = "text/html" }),
            };
            if (entry.Summary is not null)
            {
                item["descriptions"] = new JsonArray(new JsonObject { ["role"] = "summary", ["contenttype"] = "text/plain", ["value"] = entry.Summary });
            }
            if (entry.ContentHtml is not null)
            {
                item["bodies"] = new JsonArray(new JsonObject { ["contenttype"] = "text/html", ["value"] = entry.ContentHtml });
            }
            if (entry.Authors.Count > 0)
            {
                item["by"] = string.Join(", ", entry.Authors);
            }
            var subjects = entry.Tags.Select(t => (JsonNode)new JsonObject { ["name"] = t.Name, ["literal"] = t.Slug, ["rel"] = "tag" });
            if (entry.Section is not null)
            {
                subjects = subjects.Prepend(new JsonObject { ["name"] = entry.Section.Name, ["literal"] = entry.Section.Slug, ["rel"] = "section" });
            }
            var subjectArray = new JsonArray([.. subjects]);
            if (subjectArray.Count > 0)
            {
                item["subjects"] = subjectArray;
            }
            if (entry.Places.Count > 0)
            {
                item["places"] = new JsonArray([.. entry.Places.Select(p => (JsonNode)new JsonObject { ["name"] = p.Name, ["literal"] = p.Slug })]);
            }
            if (entry.EmbargoedUntil is { } embargo)
            {
                item["embargoed"] = embargo.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
            }
            if (entry.Image is not null)
            {
                var picture = new JsonObject
                {
                    ["name"] = "hero",
                    ["uri"] = entry.Image.Url.ToString(),
                    ["type"] = "picture",
                    ["renditions"] = entry.Image.Renditions.Count == 0
                        ? new JsonArray(new JsonObject { ["name"] = "original", ["href"] = entry.Image.Url.ToString() })
                        : new JsonArray([.. entry.Image.Renditions.Select(r => (JsonNode)new JsonObject
                        {
                            ["name"] = $"w{r.Width}", ["href"] = r.Href.ToString(), ["width"] = r.Width, ["height"] = r.Height,
                        })]),
                };
                if (entry.Image.Caption is not null || entry.Image.Alt is not null)
                {
                    picture["descriptions"] = new JsonArray(new JsonObject { ["role"] = "caption", ["value"] = entry.Image.Caption ?? entry.Image.Alt });
                }
                item["associations"] = new JsonArray(picture);
            }
            items.Add(item);
        }
        return JsonSerializer.SerializeToUtf8Bytes(items);
    }

    /// <summary>A Google News sitemap (sitemap 0.9 + news 0.9 namespaces).</summary>
    public static byte[] NewsSitemap(string publicationName, IEnumerable<FeedEntry> entries) => WriteXml(writer =>
    {
        writer.WriteStartElement("urlset", SitemapNamespace);
        writer.WriteAttributeString("xmlns", "news", null, NewsNamespace);
        writer.WriteAttributeString("xmlns", "xhtml", null, XhtmlNamespace);
        foreach (var entry in entries)
        {
            WriteUrl(writer, entry, lastModified: null);
            writer.WriteStartElement("news", "news", NewsNamespace);
            writer.WriteStartElement("news", "publication", NewsNamespace);
            writer.WriteElementString("news", "name", NewsNamespace, XmlSafe(publicationName));
            writer.WriteElementString("news", "language", NewsNamespace, LanguageCode(entry.Language));
            writer.WriteEndElement();
            writer.WriteElementString("news", "publication_date", NewsNamespace, XmlConvert.ToString(entry.Published.ToUniversalTime()));
            writer.WriteElementString("news", "title", NewsNamespace, XmlSafe(entry.Title));
            writer.WriteEndElement();
            writer.WriteEndElement();
        }
        writer.WriteEndElement();
    });

    /// <summary>An archive sitemap page (sitemap 0.9): each entry's URL, its editions in other languages, and when it last changed.</summary>
    public static byte[] ArchiveSitemap(IEnumerable<FeedEntry> entries) => WriteXml(writer =>
    {
        writer.WriteStartElement("urlset", SitemapNamespace);
        writer.WriteAttributeString("xmlns", "xhtml", null, XhtmlNamespace);
        foreach (var entry in entries)
        {
            WriteUrl(writer, entry, entry.Updated);
            writer.WriteEndElement();
        }
        writer.WriteEndElement();
    });

    /// <summary>A sitemap index: each sitemap's URL and when it last changed.</summary>
    public static byte[] SitemapIndex(IEnumerable<(Uri Location, DateTimeOffset LastModified)> sitemaps) => WriteXml(writer =>
    {
        writer.WriteStartElement("sitemapindex", SitemapNamespace);
        foreach (var (location, lastModified) in sitemaps)
        {
            writer.WriteStartElement("sitemap", SitemapNamespace);
            writer.WriteElementString("loc", SitemapNamespace, location.ToString());
            writer.WriteElementString("lastmod", SitemapNamespace, XmlConvert.ToString(lastModified.ToUniversalTime()));
            writer.WriteEndElement();
        }
        writer.WriteEndElement();
    });

    /// <summary>
    /// Opens a sitemap <c>url</c> with its <c>loc</c>, <c>lastmod</c> and one <c>xhtml:link rel="alternate" hreflang</c> per
    /// edition, in the order the sitemap schema's sequence wants (its own elements, then other namespaces'); the caller closes it.
    /// </summary>
    private static void WriteUrl(XmlWriter writer, FeedEntry entry, DateTimeOffset? lastModified)
    {
        writer.WriteStartElement("url", SitemapNamespace);
        writer.WriteElementString("loc", SitemapNamespace, entry.Link.ToString());
        if (lastModified is { } changed)
        {
            writer.WriteElementString("lastmod", SitemapNamespace, XmlConvert.ToString(changed.ToUniversalTime()));
        }
        foreach (var alternate in entry.Alternates)
        {
            writer.WriteStartElement("xhtml", "link", XhtmlNamespace);
            writer.WriteAttributeString("rel", "alternate");
            writer.WriteAttributeString("hreflang", alternate.Language);
            writer.WriteAttributeString("href", alternate.Link.ToString());
            writer.WriteEndElement();
        }
    }

    /// <summary>Google News wants ISO 639 codes (en, cy), not full BCP-47 tags.</summary>
    private static string LanguageCode(string language) => language.Split('-')[0].ToLowerInvariant();

    private const string XNamespaceXmlns = "http://www.w3.org/2000/xmlns/";
    private const string XmlNamespace = "http://www.w3.org/XML/1998/namespace";

    private static SyndicationFeed Syndication(FeedChannel channel, IEnumerable<FeedEntry> entries, bool rss)
    {
        var feed = new SyndicationFeed(XmlSafe(channel.Title), XmlSafe(channel.Description), channel.HomePage)
        {
            Id = channel.FeedUrl.ToString(),
            Language = channel.Language,
            LastUpdatedTime = channel.Updated,
        };
        feed.Links.Add(SyndicationLink.CreateSelfLink(channel.FeedUrl));
        // RFC 4287 wants an author on the feed unless every entry has one; the publication stands for an unsigned story.
        if (!rss)
        {
            feed.Authors.Add(new SyndicationPerson { Name = XmlSafe(channel.Publisher) });
        }
        feed.Items = [.. entries.Select(entry => Item(entry, rss))];
        return feed;
    }

    private static SyndicationItem Item(FeedEntry entry, bool rss)
    {
        var item = new SyndicationItem
        {
            Id = rss ? entry.Id.ToString() : $"urn:uuid:{entry.Id}",
            Title = new TextSyndicationContent(XmlSafe(entry.Title)),
            PublishDate = entry.Published,
            LastUpdatedTime = entry.Updated,
        };
        item.Links.Add(SyndicationLink.CreateAlternateLink(entry.Link));
        if (!rss)
        {
            // A Welsh edition in a feed of several languages says so itself.
            item.AttributeExtensions.Add(new XmlQualifiedName("lang", XmlNamespace), entry.Language);
        }
        // An uploaded picture: RSS <enclosure>, Atom <link rel="enclosure">. Its size is only known once it is made: RSS
        // requires a length and its best-practice profile says 0 for one not known, which the formatter would leave out.
        if (entry.Image is { ContentType: { } contentType } image)
        {
            if (!rss)
            {
                item.Links.Add(new SyndicationLink(image.Url, "enclosure", null, contentType, 0));
            }
            else
            {
                item.ElementExtensions.Add(new XElement("enclosure", new XAttribute("url", image.Url), new XAttribute("length", 0), new XAttribute("type", contentType)));
                item.ElementExtensions.Add(new XElement(MediaRss + "content",
                    new XAttribute("url", image.Url), new XAttribute("type", contentType), new XAttribute("medium", "image"),
                    new XAttribute("width", image.Width!), new XAttribute("height", image.Height!),
                    (image.Caption ?? image.Alt) is { } description ? new XElement(MediaRss + "description", new XAttribute("type", "plain"), XmlSafe(description)) : null));
            }
        }
        if (entry.Summary is not null)
        {
            // Readers render an RSS description as HTML, so plain text goes in HTML-escaped; Atom marks it type="text".
            item.Summary = new TextSyndicationContent(XmlSafe(rss ? WebUtility.HtmlEncode(entry.Summary) : entry.Summary));
        }
        foreach (var category in entry.Section is null ? entry.Tags : entry.Tags.Prepend(entry.Section))
        {
            item.Categories.Add(new SyndicationCategory(XmlSafe(category.Name)));
        }
        if (rss)
        {
            foreach (var author in entry.Authors)
            {
                item.ElementExtensions.Add("creator", DublinCoreNamespace, XmlSafe(author));
            }
            if (entry.ContentHtml is not null)
            {
                item.ElementExtensions.Add("encoded", ContentNamespace, XmlSafe(entry.ContentHtml));
            }
        }
        else
        {
            foreach (var author in entry.Authors)
            {
                item.Authors.Add(new SyndicationPerson { Name = XmlSafe(author) });
            }
            if (entry.ContentHtml is not null)
            {
                item.Content = new TextSyndicationContent(XmlSafe(entry.ContentHtml), TextSyndicationContentKind.Html);
            }
        }
        return item;
    }

    private static byte[] WriteXml(Action<XmlWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false, Async = false }))
        {
            write(writer);
        }
        return stream.ToArray();
    }

    /// <summary>Drops characters XML 1.0 cannot represent (most C0 controls, lone surrogates); escaping is the writer's job.</summary>
    public static string XmlSafe(string text)
    {
        if (text.All(XmlConvert.IsXmlChar))
        {
            return text;
        }
        var safe = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (XmlConvert.IsXmlChar(text[i]))
            {
                safe.Append(text[i]);
            }
            else if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i]))
            {
                safe.Append(text[i]).Append(text[i + 1]);
                i++;
            }
        }
        return safe.ToString();
    }
}
