using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using AngleSharp.Html.Parser;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Feeds;

/// <summary>
/// The API with one article and one public notice per XSS payload (xss-payloads.txt) in headline, standfirst, body, notice
/// title, issuer and body, plus text that only looks like markup. Seeded once for the class.
/// </summary>
public sealed class FeedEscapingApi : ApiFactory
{
    public const string LooksLikeMarkup = "Profits up <5% & costs > £3: <b> is not bold here, &amp; is not an ampersand";

    public static IReadOnlyList<string> Payloads { get; } =
        [.. File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Feeds", "xss-payloads.txt")).Where(line => line.Length > 0)];

    private Task<Seeded>? _seeded;

    public sealed record Seeded(string Section, HttpClient Partner, IReadOnlySet<string> Ids);

    public Task<Seeded> SeededAsync() => _seeded ??= SeedAsync();

    private async Task<Seeded> SeedAsync()
    {
        var editor = await ClientWithScopesAsync("*");
        var section = (await editor.CreateSectionAsync()).GetProperty("slug").GetString()!;
        var ids = new HashSet<string>();
        foreach (var (text, index) in Payloads.Append(LooksLikeMarkup).Select((text, index) => (text, index)))
        {
            var article = await editor.CreatePublishedAsync(new
            {
                headline = text, slug = $"escaping-{index}-{Guid.NewGuid():N}", standfirst = text, section,
                body = Editorial.OneParagraph("The story so far. " + text),
            });
            var notice = Notices.NoticeRequests.Valid(text);
            notice["title"] = text;
            notice["body"] = "Representations within 21 days. " + text;
            notice["effectiveFrom"] = null;
            notice["effectiveTo"] = null;
            var created = await Notices.NoticeRequests.CreateAsync(editor, notice);
            await Notices.NoticeRequests.WorkflowAsync(editor, created.Id(), "publish", created.Version());
            ids.UnionWith([article.Id(), created.Id()]);
        }
        var partner = CreateClient();
        partner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await CreateKeyAsync(["feeds:partner"]));
        return new Seeded(section, partner, ids);
    }
}

public sealed class FeedEscapingTests(FeedEscapingApi api) : IClassFixture<FeedEscapingApi>
{
    /// <summary>What our sanitised HTML may contain; anything else a reader would render is a hole.</summary>
    private static readonly HashSet<string> SanitisedElements = ["a", "strong", "em", "br", "p", "ul", "ol", "li", "h2", "h3", "h4", "blockquote"];

    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    private static readonly XNamespace Content = "http://purl.org/rss/1.0/modules/content/";

    public static TheoryData<string, bool> Feeds => new()
    {
        { "/v1/feeds/articles.rss", false }, { "/v1/feeds/articles.rss", true },
        { "/v1/feeds/articles.atom", false }, { "/v1/feeds/articles.atom", true },
        { "/v1/feeds/articles.json", false }, { "/v1/feeds/articles.json", true },
        { "/v1/feeds/articles.ninjs", false }, { "/v1/feeds/articles.ninjs", true },
        { "/v1/feeds/notices.rss", false }, { "/v1/feeds/notices.atom", false }, { "/v1/feeds/notices.json", false },
    };

    [Theory]
    [MemberData(nameof(Feeds))]
    public async Task No_payload_comes_out_of_a_feed_as_a_live_element_attribute_or_script_url(string feed, bool asPartner)
    {
        var fields = await FieldsAsync(feed, asPartner);
        Assert.Equal(FeedEscapingApi.Payloads.Count + 1, fields.Count(f => f.Field == "title"));
        Assert.Equal(FeedEscapingApi.Payloads.Count + 1, fields.Count(f => f.Field == "summary"));
        foreach (var (field, value, _) in fields.Where(f => f.IsHtml))
        {
            // Text fields a reader renders as HTML must come out as text; only bodies may hold (sanitised) markup.
            AssertInert(feed, field, value, field is "body" ? SanitisedElements : []);
        }
    }

    [Theory]
    [MemberData(nameof(Feeds))]
    public async Task Text_that_looks_like_markup_reaches_the_reader_as_the_same_text(string feed, bool asPartner)
    {
        var fields = await FieldsAsync(feed, asPartner);
        var summaries = fields.Where(f => f.Field == "summary").Select(f => f.IsHtml ? new HtmlParser().ParseDocument(f.Value).Body!.TextContent : f.Value);
        var expected = feed.Contains("notices", StringComparison.Ordinal) ? $"planning notice from {FeedEscapingApi.LooksLikeMarkup}" : FeedEscapingApi.LooksLikeMarkup;
        Assert.Contains(expected, summaries);
        Assert.Contains(fields, f => f.Field == "title" && !f.IsHtml && f.Value == FeedEscapingApi.LooksLikeMarkup);
    }

    private static void AssertInert(string feed, string field, string html, HashSet<string> allowed)
    {
        var document = new HtmlParser().ParseDocument(html);
        foreach (var element in document.All)
        {
            var name = element.LocalName;
            var where = $"{feed} {field}: <{name}> in {html}";
            Assert.True(name is "html" or "head" or "body" ? element.Attributes.Length == 0 : allowed.Contains(name), $"Live element {where}");
            foreach (var attribute in element.Attributes)
            {
                Assert.True(attribute.Name is "href" or "rel", $"Live attribute {attribute.Name} on {where}");
                if (attribute.Name == "href")
                {
                    Assert.True(Uri.TryCreate(attribute.Value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" or "mailto", $"Script URL {attribute.Value} on {where}");
                }
            }
        }
    }

    /// <summary>
    /// Every text field of our items as a feed reader gets it after decoding the XML or JSON layer, and whether the
    /// format says the reader renders it as HTML (RSS description and content:encoded, Atom type="html", JSON Feed
    /// content_html, ninjs text/html). Fields are named title, summary or body whatever the format.
    /// </summary>
    private async Task<List<(string Field, string Value, bool IsHtml)>> FieldsAsync(string feed, bool asPartner)
    {
        var seeded = await api.SeededAsync();
        var client = asPartner ? seeded.Partner : api.CreateClient();
        var text = await client.GetStringAsync(feed.Contains("articles", StringComparison.Ordinal) ? $"{feed}?section={seeded.Section}&limit=100" : feed);
        var fields = new List<(string Field, string Value, bool IsHtml)>();
        if (feed.EndsWith(".rss", StringComparison.Ordinal))
        {
            foreach (var item in XDocument.Parse(text).Descendants("item").Where(i => seeded.Ids.Contains(i.Element("guid")!.Value)))
            {
                fields.Add(("title", item.Element("title")!.Value, false));
                fields.AddRange(item.Elements("description").Select(e => ("summary", e.Value, true)));
                fields.AddRange(item.Elements(Content + "encoded").Select(e => ("body", e.Value, true)));
            }
        }
        else if (feed.EndsWith(".atom", StringComparison.Ordinal))
        {
            foreach (var entry in XDocument.Parse(text).Descendants(Atom + "entry").Where(e => seeded.Ids.Contains(e.Element(Atom + "id")!.Value["urn:uuid:".Length..])))
            {
                foreach (var (name, field) in new[] { ("title", "title"), ("summary", "summary"), ("content", "body") })
                {
                    foreach (var element in entry.Elements(Atom + name))
                    {
                        var type = (string?)element.Attribute("type") ?? "text";
                        Assert.True(type is "text" or "html", $"{feed} {name} has type {type}");
                        fields.Add((field, element.Value, type == "html"));
                    }
                }
            }
        }
        else if (feed.EndsWith(".json", StringComparison.Ordinal))
        {
            foreach (var item in JsonNode.Parse(text)!["items"]!.AsArray().Where(i => seeded.Ids.Contains((string)i!["id"]!)))
            {
                // JSON Feed 1.1: title, summary and content_text are plain text; content_html is HTML.
                fields.Add(("title", (string)item!["title"]!, false));
                fields.Add(("summary", (string)item["summary"]!, false));
                if (item["content_html"] is { } body)
                {
                    fields.Add(("body", (string)body!, true));
                }
            }
        }
        else
        {
            foreach (var item in JsonDocument.Parse(text).RootElement.EnumerateArray()
                .Where(i => seeded.Ids.Contains(i.GetProperty("altids")[0].GetProperty("value").GetString()!)))
            {
                fields.Add(("title", item.GetProperty("headlines")[0].GetProperty("value").GetString()!, false));
                foreach (var (name, field) in new[] { ("descriptions", "summary"), ("bodies", "body") })
                {
                    if (item.TryGetProperty(name, out var values))
                    {
                        fields.AddRange(values.EnumerateArray().Select(v => (field, v.GetProperty("value").GetString()!,
                            v.TryGetProperty("contenttype", out var type) && type.GetString() == "text/html")));
                    }
                }
            }
        }
        return fields;
    }
}
