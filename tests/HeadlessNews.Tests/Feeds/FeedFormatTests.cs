using System.ServiceModel.Syndication;
using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using HeadlessNews.Api.Features.Feeds;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Feeds;

public sealed class FeedFormatTests
{
    private const string TrickyBody = "<p>Fish &amp; chips at Caernarfon ]]> still £5 🐟 — Ysbyty Gwynedd, Llŷn, Dŵr Cymru\u0001</p>";

    private static readonly FeedChannel Channel = new("Latest stories", "The newest published stories.", "North Wales Courier", new Uri("https://courier.example/"),
        new Uri("https://api.courier.example/v1/feeds/articles.rss"), "en-GB", new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));

    private static FeedEntry Entry(string? content = TrickyBody, DateTimeOffset? embargo = null) => new(
        Guid.Parse("0193a1b2-0000-7000-8000-000000000001"),
        "Pont Britannia: lanes reopen & traffic flows 🚗",
        "Drivers on Ynys Môn get their mornings back.",
        content,
        new Uri("https://courier.example/news/pont-britannia-lanes-reopen"),
        new DateTimeOffset(2026, 11, 28, 8, 30, 0, TimeSpan.Zero),
        new DateTimeOffset(2026, 11, 28, 8, 45, 0, TimeSpan.Zero),
        new DateTimeOffset(2026, 11, 28, 8, 30, 0, TimeSpan.Zero),
        3,
        "en-GB",
        ["Gwen Morgan", "Rhys Ellis"],
        [new FeedTerm("traffic", "Traffic"), new FeedTerm("ynys-mon", "Ynys Môn")],
        new FeedTerm("news", "News"),
        [new FeedTerm("menai-bridge", "Menai Bridge")],
        embargo,
        new FeedImage(new Uri("https://img.courier.example/britannia.jpg"), "The Britannia Bridge at dawn", "Traffic on the bridge", null, null, null, []));

    [Fact]
    public void Rss_parses_back_with_content_encoded_creators_categories_and_a_non_permalink_guid()
    {
        var xml = FeedFormats.Rss(Channel, [Entry()]);
        using var reader = XmlReader.Create(new MemoryStream(xml));
        var item = Assert.Single(SyndicationFeed.Load(reader).Items);
        Assert.Equal("Pont Britannia: lanes reopen & traffic flows 🚗", item.Title.Text);
        Assert.Contains("Traffic", item.Categories.Select(c => c.Name));

        var document = XDocument.Load(new MemoryStream(xml));
        XNamespace content = "http://purl.org/rss/1.0/modules/content/", dc = "http://purl.org/dc/elements/1.1/";
        var rssItem = document.Descendants("item").Single();
        var encoded = rssItem.Element(content + "encoded")!.Value;
        Assert.Contains("]]>", encoded, StringComparison.Ordinal);
        Assert.Contains("Llŷn, Dŵr Cymru", encoded, StringComparison.Ordinal);
        Assert.DoesNotContain("\u0001", encoded, StringComparison.Ordinal);
        Assert.Equal(["Gwen Morgan", "Rhys Ellis"], rssItem.Elements(dc + "creator").Select(e => e.Value));
        var guid = rssItem.Element("guid")!;
        Assert.Equal("0193a1b2-0000-7000-8000-000000000001", guid.Value);
        Assert.Equal("false", guid.Attribute("isPermaLink")?.Value);
    }

    [Fact]
    public void Atom_parses_back_with_id_author_link_summary_and_html_content()
    {
        using var reader = XmlReader.Create(new MemoryStream(FeedFormats.Atom(Channel, [Entry()])));
        var feed = SyndicationFeed.Load(reader);
        var item = Assert.Single(feed.Items);
        Assert.Equal("urn:uuid:0193a1b2-0000-7000-8000-000000000001", item.Id);
        Assert.Equal(["Gwen Morgan", "Rhys Ellis"], item.Authors.Select(a => a.Name));
        Assert.Equal("https://courier.example/news/pont-britannia-lanes-reopen", item.Links.Single().Uri.ToString());
        Assert.Equal("Drivers on Ynys Môn get their mornings back.", item.Summary.Text);
        Assert.Contains("Fish &amp; chips", ((TextSyndicationContent)item.Content).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unsigned_story_leaves_its_authors_to_the_publication_and_its_picture_has_the_length_rss_requires()
    {
        var entry = Entry() with
        {
            Authors = [],
            Image = new FeedImage(new Uri("https://img.courier.example/britannia.jpg"), "The Britannia Bridge at dawn", null, "image/jpeg", 1280, 853, []),
        };

        var atom = XDocument.Parse(Encoding.UTF8.GetString(FeedFormats.Atom(Channel, [entry])));
        XNamespace a = "http://www.w3.org/2005/Atom";
        Assert.Equal("North Wales Courier", atom.Root!.Element(a + "author")?.Element(a + "name")?.Value);
        Assert.Null(atom.Root.Element(a + "entry")!.Element(a + "author"));

        var json = JsonDocument.Parse(FeedFormats.JsonFeed(Channel, [entry])).RootElement;
        Assert.Equal("North Wales Courier", json.GetProperty("authors")[0].GetProperty("name").GetString());
        Assert.False(json.GetProperty("items")[0].TryGetProperty("authors", out _), "JSON Feed 1.1: an authors array names at least one.");

        var enclosure = XDocument.Parse(Encoding.UTF8.GetString(FeedFormats.Rss(Channel, [entry]))).Descendants("enclosure").Single();
        Assert.Equal(("https://img.courier.example/britannia.jpg", "0", "image/jpeg"),
            (enclosure.Attribute("url")?.Value, enclosure.Attribute("length")?.Value, enclosure.Attribute("type")?.Value));
    }

    [Fact]
    public void A_public_entry_without_a_body_carries_no_content_in_any_format()
    {
        var entry = Entry(content: null);
        Assert.DoesNotContain("Fish", Encoding.UTF8.GetString(FeedFormats.Rss(Channel, [entry])), StringComparison.Ordinal);
        Assert.DoesNotContain("Fish", Encoding.UTF8.GetString(FeedFormats.Atom(Channel, [entry])), StringComparison.Ordinal);
        var json = JsonDocument.Parse(FeedFormats.JsonFeed(Channel, [entry])).RootElement.GetProperty("items")[0];
        Assert.False(json.TryGetProperty("content_html", out _));
        Assert.Equal("Drivers on Ynys Môn get their mornings back.", json.GetProperty("content_text").GetString());
    }

    [Fact]
    public void Json_feed_has_the_version_1_1_structure()
    {
        var feed = JsonDocument.Parse(FeedFormats.JsonFeed(Channel, [Entry()])).RootElement;
        Assert.Equal("https://jsonfeed.org/version/1.1", feed.GetProperty("version").GetString());
        Assert.Equal("https://api.courier.example/v1/feeds/articles.rss", feed.GetProperty("feed_url").GetString());
        var item = feed.GetProperty("items")[0];
        foreach (var property in new[] { "id", "url", "title", "content_html", "summary", "date_published", "date_modified", "authors", "tags", "language" })
        {
            Assert.True(item.TryGetProperty(property, out _), $"JSON Feed item lacks {property}");
        }
        Assert.Equal("Gwen Morgan", item.GetProperty("authors")[0].GetProperty("name").GetString());
    }

    [Fact]
    public void Ninjs_items_are_valid_against_the_iptc_schema_with_and_without_an_embargo()
    {
        var items = JsonDocument.Parse(FeedFormats.Ninjs([Entry(), Entry(content: null, embargo: new DateTimeOffset(2026, 11, 29, 6, 0, 0, TimeSpan.Zero))])).RootElement;
        foreach (var item in items.EnumerateArray())
        {
            Assert.Empty(NinjsSchema.Errors(item));
        }
        Assert.Equal("Gwen Morgan, Rhys Ellis", items[0].GetProperty("by").GetString());
        Assert.Equal("2026-11-29T06:00:00Z", items[1].GetProperty("embargoed").GetString());
        Assert.False(items[1].TryGetProperty("bodies", out _));
    }

    [Fact]
    public void The_schema_check_rejects_a_property_ninjs_does_not_define()
    {
        var item = JsonDocument.Parse("""{"uri": "https://courier.example/x", "headline": "not a ninjs property"}""").RootElement;
        Assert.NotEmpty(NinjsSchema.Errors(item));
    }

    [Fact]
    public void The_news_sitemap_uses_the_sitemap_and_news_namespaces()
    {
        var document = XDocument.Load(new MemoryStream(FeedFormats.NewsSitemap("North Wales Courier", [Entry()])));
        XNamespace sitemap = "http://www.sitemaps.org/schemas/sitemap/0.9", news = "http://www.google.com/schemas/sitemap-news/0.9";
        var url = document.Root!.Element(sitemap + "url")!;
        Assert.Equal("https://courier.example/news/pont-britannia-lanes-reopen", url.Element(sitemap + "loc")!.Value);
        var item = url.Element(news + "news")!;
        Assert.Equal("en", item.Element(news + "publication")!.Element(news + "language")!.Value);
        Assert.Equal("North Wales Courier", item.Element(news + "publication")!.Element(news + "name")!.Value);
        Assert.Equal("Pont Britannia: lanes reopen & traffic flows 🚗", item.Element(news + "title")!.Value);
        Assert.StartsWith("2026-11-28T08:30:00", item.Element(news + "publication_date")!.Value, StringComparison.Ordinal);
    }
}
