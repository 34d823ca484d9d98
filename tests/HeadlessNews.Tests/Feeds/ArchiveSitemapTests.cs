using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using HeadlessNews.Api.Infrastructure.Database.Migrations;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Xunit.Abstractions;

namespace HeadlessNews.Tests.Feeds;

/// <summary>A month's archive sitemap holds two URLs, so a third continues on page 2.</summary>
public sealed class SmallSitemapPagesApiFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Delivery:SitemapPageSize"] = "2" };
}

/// <summary>
/// /sitemaps/index.xml and /sitemaps/articles-{yyyy}-{mm}.xml: visible editions only, hreflang alternates, pages past the
/// page size, cached and evicted on change. Each test back-dates its stories into a month of its own, so it never counts
/// what other tests published.
/// </summary>
public sealed class ArchiveSitemapTests(SmallSitemapPagesApiFactory api, ITestOutputHelper output) : IClassFixture<SmallSitemapPagesApiFactory>
{
    private static readonly XNamespace Map = "http://www.sitemaps.org/schemas/sitemap/0.9";
    private static readonly XNamespace Xhtml = "http://www.w3.org/1999/xhtml";

    /// <summary>A month of its own between 1950 and 2009 (back-dated publication is allowed, as for imports).</summary>
    private static DateTimeOffset UniqueMonth()
    {
        // Months handed out in turn from a random start: two tests drawing at random could land on one month (1 in 720).
        var month = Interlocked.Increment(ref _months) % 720;
        return new(1950 + month / 12, 1 + month % 12, 1, 0, 0, 0, TimeSpan.Zero);
    }

    private static int _months = Random.Shared.Next(720);

    private static string PageName(DateTimeOffset month, int page = 1) => $"articles-{month:yyyy-MM}{(page == 1 ? "" : $"-{page}")}.xml";

    private static object Story(string headline, string? language = null) => new { headline, body = Editorial.OneParagraph("The ferry sails again."), language };

    private static string Slug(JsonElement article) => article.GetProperty("slug").GetString()!;

    private static async Task<JsonElement> PublishAtAsync(HttpClient editor, JsonElement draft, DateTimeOffset at) =>
        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{draft.Id()}/publish", draft.Version(), new { publishAt = at })).AssertSuccessAsync();

    /// <summary>Any article write evicts cached sitemaps; SQL written behind the API's back does not, so tests of it follow with one.</summary>
    private static async Task EvictAsync(HttpClient editor) =>
        await PublishAtAsync(editor, await editor.CreateArticleAsync(Story(Editorial.Unique("Eviction"))), new DateTimeOffset(1901, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static async Task<XDocument> XmlAsync(HttpClient reader, string url)
    {
        var response = await reader.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/xml", response.Content.Headers.ContentType!.MediaType);
        return XDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The index's entry for a page: its lastmod, or null when the index does not list it.</summary>
    private static async Task<DateTimeOffset?> IndexedAsync(HttpClient reader, string page) =>
        (await XmlAsync(reader, "/sitemaps/index.xml")).Descendants(Map + "sitemap")
            .Where(s => s.Element(Map + "loc")!.Value.EndsWith($"/sitemaps/{page}", StringComparison.Ordinal))
            .Select(s => (DateTimeOffset?)DateTimeOffset.Parse(s.Element(Map + "lastmod")!.Value, System.Globalization.CultureInfo.InvariantCulture))
            .SingleOrDefault();

    private static async Task<List<XElement>> UrlsAsync(HttpClient reader, string page) => [.. (await XmlAsync(reader, $"/sitemaps/{page}")).Descendants(Map + "url")];

    private static string Loc(XElement url) => url.Element(Map + "loc")!.Value;

    [Fact]
    public async Task A_month_lists_each_visible_edition_with_hreflang_links_to_the_others_and_x_default_and_never_a_Welsh_draft()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var month = UniqueMonth();
        var english = await PublishAtAsync(editor, await editor.CreateArticleAsync(Story(Editorial.Unique("Menai ferry returns"))), month.AddDays(3));
        var welshDraft = await (await editor.PostJsonAsync($"/v1/manage/articles/{english.Id()}/translations", new { language = "cy", headline = Editorial.Unique("Fferi Menai yn dychwelyd") }))
            .AssertSuccessAsync(HttpStatusCode.Created);

        var before = Assert.Single(await UrlsAsync(reader, PageName(month)));
        Assert.EndsWith($"/articles/{Slug(english)}", Loc(before), StringComparison.Ordinal);
        Assert.Empty(before.Elements(Xhtml + "link"));
        var indexedBefore = await IndexedAsync(reader, PageName(month));
        Assert.NotNull(indexedBefore);

        var welsh = await PublishAtAsync(editor, welshDraft, month.AddDays(4));

        var page = await reader.GetStringAsync($"/sitemaps/{PageName(month)}");
        output.WriteLine(page);
        var urls = XDocument.Parse(page).Descendants(Map + "url").ToList();
        Assert.Equal([Slug(english), Slug(welsh)], urls.Select(u => Loc(u)[(Loc(u).LastIndexOf('/') + 1)..]));
        foreach (var url in urls)
        {
            var alternates = url.Elements(Xhtml + "link").ToDictionary(l => l.Attribute("hreflang")!.Value, l => l.Attribute("href")!.Value);
            Assert.Equal(["cy", "en-GB", "x-default"], alternates.Keys.Order(StringComparer.Ordinal));
            // The sitemap schema's url is a sequence: loc, lastmod, then elements of other namespaces.
            Assert.Equal([Map + "loc", Map + "lastmod", Xhtml + "link", Xhtml + "link", Xhtml + "link"], url.Elements().Select(e => e.Name));
            Assert.EndsWith($"/articles/{Slug(welsh)}", alternates["cy"], StringComparison.Ordinal);
            Assert.EndsWith($"/articles/{Slug(english)}", alternates["en-GB"], StringComparison.Ordinal);
            Assert.EndsWith($"/articles/{Slug(english)}", alternates["x-default"], StringComparison.Ordinal);
            Assert.True(DateTimeOffset.TryParse(url.Element(Map + "lastmod")!.Value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _));
        }
        Assert.True(await IndexedAsync(reader, PageName(month)) > indexedBefore, "publishing the Welsh edition moves the month's lastmod on");
    }

    [Fact]
    public async Task A_month_past_the_page_size_continues_on_a_second_page_that_the_index_lists()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var month = UniqueMonth();
        var slugs = new List<string>();
        for (var day = 1; day <= 3; day++)
        {
            slugs.Add(Slug(await PublishAtAsync(editor, await editor.CreateArticleAsync(Story(Editorial.Unique("Tide tables"))), month.AddDays(day))));
        }

        Assert.NotNull(await IndexedAsync(reader, PageName(month)));
        Assert.NotNull(await IndexedAsync(reader, PageName(month, 2)));
        Assert.Null(await IndexedAsync(reader, PageName(month, 3)));
        Assert.Equal(slugs[..2], (await UrlsAsync(reader, PageName(month))).Select(u => Loc(u)[(Loc(u).LastIndexOf('/') + 1)..]));
        Assert.Equal(slugs[2..], (await UrlsAsync(reader, PageName(month, 2))).Select(u => Loc(u)[(Loc(u).LastIndexOf('/') + 1)..]));
        await (await reader.GetAsync($"/sitemaps/{PageName(month, 3)}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await reader.GetAsync($"/sitemaps/articles-{month:yyyy-MM}-1.xml")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_month_and_the_index_carry_last_modified_and_answer_304_to_a_crawler_that_has_the_month_already()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var month = UniqueMonth();
        await PublishAtAsync(editor, await editor.CreateArticleAsync(Story(Editorial.Unique("Pier reopens"))), month.AddDays(3));
        var lastmod = (await IndexedAsync(reader, PageName(month)))!.Value;

        var page = await reader.GetAsync($"/sitemaps/{PageName(month)}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var lastModified = page.Content.Headers.LastModified!.Value;
        Assert.Equal(lastmod.ToUnixTimeSeconds(), lastModified.ToUnixTimeSeconds());
        var again = new HttpRequestMessage(HttpMethod.Get, $"/sitemaps/{PageName(month)}");
        again.Headers.IfModifiedSince = lastModified;
        Assert.Equal(HttpStatusCode.NotModified, (await reader.SendAsync(again)).StatusCode);

        var index = await reader.GetAsync("/sitemaps/index.xml");
        Assert.True(index.Content.Headers.LastModified >= lastModified, "the index changed when its newest month did");
    }

    [Theory]
    [InlineData("articles-2199-01.xml")]
    [InlineData("articles-1949-13.xml")]
    [InlineData("articles-abc.xml")]
    [InlineData("articles-1949-1.xml")]
    [InlineData("articles-1949-01-0.xml")]
    public async Task A_month_without_visible_articles_or_that_is_no_month_is_a_404_problem(string page)
    {
        var reader = api.CreateClient();

        await (await reader.GetAsync($"/sitemaps/{page}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_scheduled_story_stays_out_of_the_index_and_its_month_until_it_is_visible()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var published = await editor.CreatePublishedAsync(Story(Editorial.Unique("Harbour wall mended")));
        var scheduled = await PublishAtAsync(editor, await editor.CreateArticleAsync(Story(Editorial.Unique("Regatta results"))), api.Clock.GetUtcNow().AddDays(2));
        var thisMonth = new DateTimeOffset(api.Clock.GetUtcNow().Year, api.Clock.GetUtcNow().Month, 1, 0, 0, 0, TimeSpan.Zero);

        var pages = Enumerable.Range(1, 50).Select(n => PageName(thisMonth, n));
        var listed = new List<string>();
        foreach (var page in pages)
        {
            var response = await reader.GetAsync($"/sitemaps/{page}");
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                break;
            }
            listed.Add(await response.Content.ReadAsStringAsync());
        }
        Assert.Contains(listed, p => p.Contains(Slug(published), StringComparison.Ordinal));
        Assert.DoesNotContain(listed, p => p.Contains(Slug(scheduled), StringComparison.Ordinal));
        Assert.Null(await IndexedAsync(reader, PageName(thisMonth.AddMonths(1))));
    }

    [Theory]
    [InlineData("unpublished")]
    [InlineData("embargoed until later in the month")]
    public async Task A_month_with_a_scheduled_story_keeps_its_lastmod_when_its_newest_updated_article_leaves_it(string how)
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        // This month, so that a story scheduled in a minute is not visible yet and the month is dated from its visible rows.
        var now = api.Clock.GetUtcNow();
        var thisMonth = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        await editor.CreatePublishedAsync(Story(Editorial.Unique("Lifeboat day")));
        // Seconds apart, as the index shows them: losing the newest-updated story is what could date the month back.
        api.Clock.Advance(TimeSpan.FromSeconds(2));
        var newestHeadline = Editorial.Unique("Lifeboat launch");
        var newest = await editor.CreatePublishedAsync(Story(newestHeadline));
        await PublishAtAsync(editor, await editor.CreateArticleAsync(Story(Editorial.Unique("Lifeboat open day"))), api.Clock.GetUtcNow().AddMinutes(1));
        var before = (await IndexedAsync(reader, PageName(thisMonth)))!.Value;

        var leaving = how == "unpublished"
            ? await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{newest.Id()}/unpublish", newest.Version(), new { })
            : await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{newest.Id()}", newest.Version(),
                new { headline = newestHeadline, body = Editorial.OneParagraph("The ferry sails again."), embargoUntil = api.Clock.GetUtcNow().AddMinutes(1) });
        await leaving.AssertSuccessAsync();

        var after = (await IndexedAsync(reader, PageName(thisMonth)))!.Value;
        Assert.True(after >= before, $"the month's lastmod went back from {before:O} to {after:O}");
    }

    [Fact]
    public async Task Unpublishing_or_renaming_a_slug_evicts_the_cached_month_and_an_emptied_month_leaves_the_index()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var month = UniqueMonth();
        var article = await PublishAtAsync(editor, await editor.CreateArticleAsync(Story(Editorial.Unique("Pier lights"))), month.AddDays(9));
        Assert.Contains(Slug(article), await reader.GetStringAsync($"/sitemaps/{PageName(month)}"), StringComparison.Ordinal);
        Assert.NotNull(await IndexedAsync(reader, PageName(month)));

        var renamed = Editorial.Unique("pier-lights-relit").Replace(' ', '-');
        var edited = await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{article.Id()}", article.Version(),
            new { headline = "Pier lights", slug = renamed, body = Editorial.OneParagraph("The ferry sails again.") })).AssertSuccessAsync();
        var page = await reader.GetStringAsync($"/sitemaps/{PageName(month)}");
        Assert.Contains(renamed, page, StringComparison.Ordinal);
        Assert.DoesNotContain(Slug(article), page, StringComparison.Ordinal);

        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{article.Id()}/unpublish", edited.Version(), new { })).AssertSuccessAsync();

        await (await reader.GetAsync($"/sitemaps/{PageName(month)}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Null(await IndexedAsync(reader, PageName(month)));
    }

    /// <summary>
    /// Each writing transaction counts into a row of its own, so a publish never waits for another's commit on its month's
    /// count (it did: every publish held the same row until it committed), nor can two import lanes counting in several
    /// statements deadlock on two months (they did when their backends' pids fell on the same shard). The copies are written
    /// by SQL on two connections whose pids fall on the same shard, the first kept uncommitted while the second writes.
    /// </summary>
    [Fact]
    public async Task Two_writers_adding_to_the_same_month_do_not_wait_for_each_other_and_both_are_counted()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var month = UniqueMonth();
        var article = await PublishAtAsync(editor, await editor.CreateArticleAsync(Story(Editorial.Unique("Harbour crane"))), month.AddDays(2));
        var copy = $"""
            INSERT INTO published_articles (article_id, slug, visible_from, first_seen, updated_at, section_slug, tag_slugs, place_slugs, author_slugs,
                                            quote_ids, source_ids, asset_ids, language, translation_group_id, headline, standfirst, body_text,
                                            summary_json, summary_with_body_json, document_json)
            SELECT gen_random_uuid(), slug || '-copy-' || $1, visible_from + interval '1 day', first_seen, updated_at, section_slug, tag_slugs, place_slugs,
                   author_slugs, quote_ids, source_ids, asset_ids, language, gen_random_uuid(), headline, standfirst, body_text,
                   summary_json, summary_with_body_json, document_json
              FROM published_articles WHERE article_id = '{article.Id()}'
            """;
        var connections = new List<NpgsqlConnection>();
        try
        {
            async Task<(NpgsqlConnection Connection, int Shard)> OpenAsync()
            {
                var connection = new NpgsqlConnection(api.ConnectionString);
                connections.Add(connection);
                await connection.OpenAsync();
                return (connection, connection.ProcessID % SitemapMonthShards.Shards);
            }
            var (first, shard) = await OpenAsync();
            var second = await OpenAsync();
            while (second.Shard != shard)
            {
                second = await OpenAsync();
            }
            await using var open = await first.BeginTransactionAsync();
            await new NpgsqlCommand(copy, first, open) { Parameters = { new() { Value = "1" } } }.ExecuteNonQueryAsync();
            await new NpgsqlCommand("SET lock_timeout = '3s'", second.Connection).ExecuteNonQueryAsync();
            await new NpgsqlCommand(copy, second.Connection) { Parameters = { new() { Value = "2" } } }.ExecuteNonQueryAsync();
            await open.CommitAsync();
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
        await EvictAsync(editor);
        Assert.Equal(3, (await UrlsAsync(reader, PageName(month))).Count + (await UrlsAsync(reader, PageName(month, 2))).Count);
    }

    [Fact]
    public async Task Rows_written_by_bulk_SQL_into_the_read_model_are_counted_in_the_index()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var month = UniqueMonth();
        var moved = UniqueMonth();
        var article = await PublishAtAsync(editor, await editor.CreateArticleAsync(Story(Editorial.Unique("Lifeboat launch"))), month.AddDays(1));

        // Two copies of the row, as a bulk seed writes them: straight into published_articles, two months later.
        await api.WithDbAsync(db => db.Database.ExecuteSqlAsync($"""
            INSERT INTO published_articles (article_id, slug, visible_from, first_seen, updated_at, section_slug, tag_slugs, place_slugs, author_slugs,
                                            quote_ids, source_ids, asset_ids, language, translation_group_id, headline, standfirst, body_text,
                                            summary_json, summary_with_body_json, document_json)
            SELECT gen_random_uuid(), slug || '-copy-' || n, visible_from + interval '62 days', first_seen, updated_at, section_slug, tag_slugs, place_slugs,
                   author_slugs, quote_ids, source_ids, asset_ids, language, gen_random_uuid(), headline, standfirst, body_text,
                   summary_json, summary_with_body_json, document_json
              FROM published_articles, generate_series(1, 3) n WHERE article_id = {Guid.Parse(article.Id())}
            """));
        await EvictAsync(editor);
        var later = month.AddDays(1).AddDays(62);
        var laterMonth = new DateTimeOffset(later.Year, later.Month, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(3, (await UrlsAsync(reader, PageName(laterMonth))).Count + (await UrlsAsync(reader, PageName(laterMonth, 2))).Count);

        // An UPDATE that moves one to another month, and a DELETE of the rest.
        var copy = $"{Slug(article)}-copy-1";
        await api.WithDbAsync(db => db.Database.ExecuteSqlAsync($"UPDATE published_articles SET visible_from = {moved.AddDays(5)} WHERE slug = {copy}"));
        await EvictAsync(editor);
        Assert.Equal([copy], (await UrlsAsync(reader, PageName(moved))).Select(u => Loc(u)[(Loc(u).LastIndexOf('/') + 1)..]));
        Assert.Equal(2, (await UrlsAsync(reader, PageName(laterMonth))).Count);
        await api.WithDbAsync(db => db.Database.ExecuteSqlAsync($"DELETE FROM published_articles WHERE slug LIKE {Slug(article) + "-copy-%"}"));
        await EvictAsync(editor);
        Assert.Null(await IndexedAsync(reader, PageName(laterMonth)));
        Assert.Null(await IndexedAsync(reader, PageName(moved)));
        Assert.NotNull(await IndexedAsync(reader, PageName(month)));
    }
}
