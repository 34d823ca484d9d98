using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.ServiceModel.Syndication;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Delivery;
using HeadlessNews.Tests.Notices;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Feeds;

public sealed class FeedEndpointTests(UncachedApiFactory api) : IClassFixture<UncachedApiFactory>
{
    private const string TrickyBody = "Fish &amp; chips ]]> at Caernarfon 🐟 — Llŷn, Dŵr Cymru";

    private static DateTimeOffset WholeSecond(DateTimeOffset at) => at.AddTicks(-(at.Ticks % TimeSpan.TicksPerSecond));

    private async Task<(HttpClient Editor, string Section, string Public, string Embargoed, string Draft)> SeedAsync()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var section = (await editor.CreateSectionAsync()).GetProperty("slug").GetString()!;
        var published = await editor.CreatePublishedAsync(new
        {
            headline = Editorial.Unique("Caernarfon chip shop wins award"), standfirst = "A Welsh favourite.", section,
            body = new object[] { new { type = "paragraph", html = TrickyBody } },
        });
        var embargoed = await editor.CreatePublishedAsync(new
        {
            headline = Editorial.Unique("Embargoed: school results"), section, embargoUntil = WholeSecond(api.Clock.GetUtcNow().AddHours(3)),
            body = Editorial.OneParagraph("Results under embargo."),
        });
        var draft = await editor.CreateArticleAsync(new { headline = Editorial.Unique("Draft: not ready"), section, body = Editorial.OneParagraph() });
        return (editor, section, published.Id(), embargoed.Id(), draft.Id());
    }

    [Fact]
    public async Task A_public_feed_carries_only_visible_items_without_bodies_and_partners_get_bodies_and_embargoed_ninjs()
    {
        var (_, section, visible, embargoed, draft) = await SeedAsync();
        var reader = api.CreateClient();

        var rss = await reader.GetStringAsync($"/v1/feeds/articles.rss?section={section}");
        using (var xml = XmlReader.Create(new StringReader(rss)))
        {
            var feed = SyndicationFeed.Load(xml);
            var items = feed.Items.ToList();
            Assert.Equal([visible], items.Select(i => i.Id));
            // With no public site configured, links are delivery URLs: the article, and the list the feed follows.
            var linked = await reader.GetJsonAsync(Assert.Single(items[0].Links).Uri.PathAndQuery);
            Assert.Equal(visible, linked.Id());
            var home = feed.Links.Single(l => l.RelationshipType == "alternate").Uri.PathAndQuery;
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(home)).StatusCode);
        }
        Assert.DoesNotContain("Fish", rss, StringComparison.Ordinal);
        Assert.DoesNotContain(embargoed, rss, StringComparison.Ordinal);
        Assert.DoesNotContain(draft, rss, StringComparison.Ordinal);

        var secret = await api.CreateKeyAsync(["feeds:partner"]);
        var partnerRss = await reader.GetAsync($"/v1/feeds/articles.rss?section={section}&key={secret}");
        Assert.True(partnerRss.Headers.CacheControl?.NoStore, "A partner response must not be stored by shared caches.");
        var partnerXml = await partnerRss.Content.ReadAsStringAsync();
        var encoded = System.Xml.Linq.XDocument.Parse(partnerXml).Descendants(System.Xml.Linq.XName.Get("encoded", "http://purl.org/rss/1.0/modules/content/")).Single().Value;
        Assert.Contains("]]&gt;", encoded, StringComparison.Ordinal);
        Assert.Contains("Fish &amp; chips", encoded, StringComparison.Ordinal);
        Assert.Contains("🐟 — Llŷn, Dŵr Cymru", encoded, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, partnerXml, StringComparison.Ordinal);

        var partner = api.CreateClient();
        partner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var ninjs = JsonDocument.Parse(await partner.GetStringAsync($"/v1/feeds/articles.ninjs?section={section}")).RootElement;
        Assert.Equal(2, ninjs.GetArrayLength());
        foreach (var item in ninjs.EnumerateArray())
        {
            Assert.Empty(NinjsSchema.Errors(item));
        }
        Assert.Single(ninjs.EnumerateArray(), i => i.TryGetProperty("embargoed", out _));
        var publicNinjs = JsonDocument.Parse(await reader.GetStringAsync($"/v1/feeds/articles.ninjs?section={section}")).RootElement;
        Assert.Equal(1, publicNinjs.GetArrayLength());
        Assert.False(publicNinjs[0].TryGetProperty("bodies", out _));
    }

    [Fact]
    public async Task The_news_sitemap_gives_a_visible_story_its_title_language_and_publication_time_and_leaves_out_an_embargoed_one()
    {
        var (editor, _, visible, embargoed, _) = await SeedAsync();
        var story = await editor.GetJsonAsync($"/v1/manage/articles/{visible}");
        var held = await editor.GetJsonAsync($"/v1/manage/articles/{embargoed}");
        XNamespace sitemap = "http://www.sitemaps.org/schemas/sitemap/0.9", news = "http://www.google.com/schemas/sitemap-news/0.9";
        var urls = XDocument.Parse(await api.CreateClient().GetStringAsync("/sitemaps/news.xml")).Root!.Elements(sitemap + "url").ToList();

        var listed = Assert.Single(urls, url => url.Element(sitemap + "loc")!.Value.EndsWith("/" + story.GetProperty("slug").GetString(), StringComparison.Ordinal));
        var item = listed.Element(news + "news")!;
        Assert.Equal(story.GetProperty("headline").GetString(), item.Element(news + "title")!.Value);
        Assert.Equal("en", item.Element(news + "publication")!.Element(news + "language")!.Value);
        Assert.Equal(story.GetProperty("publishAt").GetDateTimeOffset(), DateTimeOffset.Parse(item.Element(news + "publication_date")!.Value, CultureInfo.InvariantCulture));
        Assert.DoesNotContain(urls, url => url.Element(sitemap + "loc")!.Value.EndsWith("/" + held.GetProperty("slug").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Atom_json_feed_and_the_news_sitemap_parse_and_revalidate_with_304()
    {
        var (editor, section, visible, _, _) = await SeedAsync();
        var reader = api.CreateClient();
        using (var xml = XmlReader.Create(new StringReader(await reader.GetStringAsync($"/v1/feeds/articles.atom?section={section}"))))
        {
            Assert.Equal($"urn:uuid:{visible}", Assert.Single(SyndicationFeed.Load(xml).Items).Id);
        }
        var json = JsonDocument.Parse(await reader.GetStringAsync($"/v1/feeds/articles.json?section={section}")).RootElement;
        Assert.Equal("https://jsonfeed.org/version/1.1", json.GetProperty("version").GetString());
        Assert.Equal(visible, json.GetProperty("items")[0].GetProperty("id").GetString());
        Assert.Contains("sitemap-news", await reader.GetStringAsync("/sitemaps/news.xml"), StringComparison.Ordinal);

        var first = await reader.GetAsync($"/v1/feeds/articles.rss?section={section}");
        Assert.NotNull(first.Content.Headers.LastModified);
        var again = new HttpRequestMessage(HttpMethod.Get, $"/v1/feeds/articles.rss?section={section}");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await reader.SendAsync(again)).StatusCode);
        await (await reader.GetAsync("/v1/feeds/articles.rss?limit=0")).AssertProblemAsync(HttpStatusCode.BadRequest);

        var sitemap = await reader.GetAsync("/sitemaps/news.xml");
        var story = await editor.GetJsonAsync($"/v1/manage/articles/{visible}");
        Assert.True(sitemap.Content.Headers.LastModified >= story.GetProperty("publishAt").GetDateTimeOffset().AddSeconds(-1),
            "the news sitemap's Last-Modified is at least its newest story's publication");
        var crawler = new HttpRequestMessage(HttpMethod.Get, "/sitemaps/news.xml");
        crawler.Headers.IfModifiedSince = sitemap.Content.Headers.LastModified;
        Assert.Equal(HttpStatusCode.NotModified, (await reader.SendAsync(crawler)).StatusCode);
    }

    [Fact]
    public async Task A_partner_limited_to_a_section_sees_only_that_section()
    {
        var (editor, section, visible, _, _) = await SeedAsync();
        var other = (await editor.CreateSectionAsync()).GetProperty("slug").GetString()!;
        var elsewhere = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Elsewhere"), section = other, body = Editorial.OneParagraph() });
        var limited = api.CreateClient();
        limited.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await api.CreateKeyAsync(["feeds:partner"], sections: [section]));
        var feed = await limited.GetStringAsync("/v1/feeds/articles.json?limit=100");
        Assert.Contains(visible, feed, StringComparison.Ordinal);
        Assert.DoesNotContain(elsewhere.Id(), feed, StringComparison.Ordinal);

        var changes = new List<string>();
        string? token = null;
        await Eventually.TrueAsync(async () =>
        {
            var page = await limited.GetJsonAsync(token is null ? "/v1/changes" : $"/v1/changes?since={Uri.EscapeDataString(token)}");
            changes.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.Id()));
            token = page.GetProperty("next").GetString();
            return changes.Contains(visible);
        }, "the change feed to show the visible article");
        Assert.DoesNotContain(elsewhere.Id(), changes);
    }

    [Fact]
    public async Task A_scheduled_article_enters_the_public_feed_when_its_time_comes()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var section = (await editor.CreateSectionAsync()).GetProperty("slug").GetString()!;
        var at = WholeSecond(api.Clock.GetUtcNow().AddHours(5));
        var scheduled = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Pier reopening"), section, body = Editorial.OneParagraph() }, at);
        var reader = api.CreateClient();
        Assert.DoesNotContain(scheduled.Id(), await reader.GetStringAsync($"/v1/feeds/articles.json?section={section}"), StringComparison.Ordinal);
        try
        {
            api.Clock.Set(at);
            var item = JsonDocument.Parse(await reader.GetStringAsync($"/v1/feeds/articles.json?section={section}")).RootElement.GetProperty("items")
                .EnumerateArray().Single(i => i.GetProperty("id").GetString() == scheduled.Id());
            // It changed for readers when it appeared, not when it was scheduled: a feed dated before it would answer 304.
            Assert.Equal(at, item.GetProperty("date_modified").GetDateTimeOffset());
            Assert.Equal(at, item.GetProperty("date_published").GetDateTimeOffset());
        }
        finally
        {
            api.Clock.Set(DateTimeOffset.UtcNow);
        }
    }

    [Fact]
    public async Task A_notice_whose_time_runs_out_moves_the_notice_feeds_last_modified_so_if_modified_since_is_answered_in_full()
    {
        var editor = await api.ClientWithScopesAsync("*");
        async Task<JsonElement> PublishAsync(JsonObject notice)
        {
            notice["effectiveFrom"] = null;
            notice["responseDeadline"] = null;
            var created = await editor.CreateAsync(notice);
            return await editor.WorkflowAsync(created.Id(), "publish", created.Version());
        }
        var ongoing = NoticeRequests.Valid();
        ongoing["effectiveTo"] = null;
        await PublishAsync(ongoing);
        var effectiveTo = WholeSecond(api.Clock.GetUtcNow().AddHours(2));
        var notice = NoticeRequests.Valid();
        notice["effectiveTo"] = effectiveTo;
        var created = await PublishAsync(notice);
        var reader = api.CreateClient();
        var before = await reader.GetAsync("/v1/feeds/notices.json");
        Assert.Contains(created.Id(), await before.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        try
        {
            api.Clock.Set(effectiveTo.AddMinutes(1));
            var revalidate = new HttpRequestMessage(HttpMethod.Get, "/v1/feeds/notices.json");
            revalidate.Headers.IfModifiedSince = before.Content.Headers.LastModified;
            var after = await reader.SendAsync(revalidate);
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
            Assert.DoesNotContain(created.Id(), await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.True(after.Content.Headers.LastModified >= effectiveTo, $"Last-Modified {after.Content.Headers.LastModified} is before the expiry {effectiveTo}");
        }
        finally
        {
            api.Clock.Set(DateTimeOffset.UtcNow);
        }
    }

    [Fact]
    public async Task A_filtered_feed_names_itself_with_its_filters_but_never_the_key_and_ninjs_keeps_an_item_through_a_new_slug()
    {
        var (editor, section, visible, _, _) = await SeedAsync();
        var partnerKey = await api.CreateKeyAsync(["feeds:partner"]);
        var reader = api.CreateClient();
        var json = JsonDocument.Parse(await reader.GetStringAsync($"/v1/feeds/articles.json?section={section}&utm_source=newsletter&key={partnerKey}")).RootElement;
        var feedUrl = json.GetProperty("feed_url").GetString()!;
        Assert.EndsWith($"/v1/feeds/articles.json?section={section}", feedUrl, StringComparison.Ordinal);
        Assert.DoesNotContain(partnerKey, feedUrl, StringComparison.Ordinal);

        var ninjs = JsonDocument.Parse(await reader.GetStringAsync($"/v1/feeds/articles.ninjs?section={section}")).RootElement;
        Assert.Equal($"urn:uuid:{visible}", ninjs[0].GetProperty("uri").GetString());
        var story = await editor.GetJsonAsync($"/v1/manage/articles/{visible}");
        var renamed = $"renamed-{Guid.NewGuid():N}";
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{visible}", story.Version(), new
        {
            headline = story.GetProperty("headline").GetString(), slug = renamed, section, body = Editorial.OneParagraph(),
        })).AssertSuccessAsync();
        var again = JsonDocument.Parse(await reader.GetStringAsync($"/v1/feeds/articles.ninjs?section={section}")).RootElement;
        Assert.Equal($"urn:uuid:{visible}", again[0].GetProperty("uri").GetString());
        Assert.EndsWith($"/articles/{renamed}", again[0].GetProperty("renditions")[0].GetProperty("href").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scheduled_stories_do_not_use_up_a_partners_ninjs_limit()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var section = (await editor.CreateSectionAsync()).GetProperty("slug").GetString()!;
        var live = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Ferry timetable"), section, body = Editorial.OneParagraph() });
        for (var i = 0; i < 3; i++)
        {
            await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Overnight story"), section, body = Editorial.OneParagraph() }, api.Clock.GetUtcNow().AddHours(6 + i));
        }
        var partner = api.CreateClient();
        partner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await api.CreateKeyAsync(["feeds:partner"]));
        var ninjs = JsonDocument.Parse(await partner.GetStringAsync($"/v1/feeds/articles.ninjs?section={section}&limit=1")).RootElement;
        Assert.Equal($"urn:uuid:{live.Id()}", Assert.Single(ninjs.EnumerateArray()).GetProperty("uri").GetString());
    }

    [Fact]
    public async Task A_partners_full_text_carries_its_pictures_at_absolute_urls()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var section = (await editor.CreateSectionAsync()).GetProperty("slug").GetString()!;
        var picture = await Media.MediaTests.UploadedAsync(editor, Media.TestImages.Jpeg(Media.TestImages.Photo(700, 500)));
        await editor.CreatePublishedAsync(new
        {
            headline = Editorial.Unique("Harbour wall repaired"), section,
            body = new object[] { new { type = "paragraph", html = "Work finished on Friday." }, new { type = "image", assetId = picture.Id(), alt = "The harbour wall" } },
        });
        var partner = api.CreateClient();
        partner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await api.CreateKeyAsync(["feeds:partner"]));
        var html = JsonDocument.Parse(await partner.GetStringAsync($"/v1/feeds/articles.json?section={section}")).RootElement
            .GetProperty("items")[0].GetProperty("content_html").GetString()!;
        var source = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html).QuerySelector("img")!.GetAttribute("src")!;
        // No public site configured: a JSON Feed body has no base URL, so the path is made absolute under the API's own host.
        Assert.Matches("^https?://", source);
        Assert.Equal(HttpStatusCode.OK, (await api.CreateClient().GetAsync(new Uri(source).PathAndQuery)).StatusCode);
    }

    [Fact]
    public async Task The_notice_feeds_take_a_limit_like_the_article_feeds()
    {
        var editor = await api.ClientWithScopesAsync("*");
        for (var i = 0; i < 2; i++)
        {
            var notice = NoticeRequests.Valid();
            notice["effectiveFrom"] = null;
            notice["effectiveTo"] = null;
            notice["responseDeadline"] = null;
            var created = await editor.CreateAsync(notice);
            await editor.WorkflowAsync(created.Id(), "publish", created.Version());
        }
        var reader = api.CreateClient();
        var one = JsonDocument.Parse(await reader.GetStringAsync("/v1/feeds/notices.json?limit=1")).RootElement;
        Assert.Single(one.GetProperty("items").EnumerateArray());
        Assert.True(JsonDocument.Parse(await reader.GetStringAsync("/v1/feeds/notices.json?limit=2")).RootElement.GetProperty("items").GetArrayLength() == 2);
        await (await reader.GetAsync("/v1/feeds/notices.rss?limit=101")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }
}
