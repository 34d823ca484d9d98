using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessNews.Api.Features.Quotes;
using HeadlessNews.Api.Features.Sources;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Quotes;

public sealed class QuoteAndSourceTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    public static TheoryData<string, object, string> BadQuotes => new()
    {
        { "missing speaker name", new { text = "We will rebuild.", speaker = new { role = "Mayor" } }, "speaker.name" },
        { "missing speaker", new { text = "We will rebuild." }, "speaker" },
        { "empty text", new { text = "", speaker = new { name = "Gwen" } }, "text" },
        { "text over 5,000 characters", new { text = new string('q', 5001), speaker = new { name = "Gwen" } }, "text" },
        { "unknown source", new { text = "We will rebuild.", speaker = new { name = "Gwen" }, sourceId = Guid.NewGuid() }, "sourceId" },
    };

    [Theory]
    [MemberData(nameof(BadQuotes))]
    public async Task A_bad_quote_is_a_400_and_nothing_is_written(string because, object body, string field)
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var before = await api.WithDbAsync(db => db.Set<Quote>().CountAsync());
        var problem = await (await client.PostAsJsonAsync("/v1/manage/quotes", body)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{because}: {problem}");
        Assert.Equal(before, await api.WithDbAsync(db => db.Set<Quote>().CountAsync()));
    }

    public static TheoryData<string, string> BadSources => new()
    {
        { "javascript url", "{\"kind\":\"report\",\"title\":\"T\",\"url\":\"javascript:alert(1)\"}" },
        { "ftp url", "{\"kind\":\"report\",\"title\":\"T\",\"url\":\"ftp://example.org/report.pdf\"}" },
        { "relative url", "{\"kind\":\"report\",\"title\":\"T\",\"url\":\"/reports/1\"}" },
        { "kind outside the list", "{\"kind\":\"rumour\",\"title\":\"T\"}" },
        { "missing title", "{\"kind\":\"report\"}" },
    };

    [Theory]
    [MemberData(nameof(BadSources))]
    public async Task A_bad_source_is_a_400_and_nothing_is_written(string because, string json)
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var before = await api.WithDbAsync(db => db.Set<Source>().CountAsync());
        var response = await client.PostAsync("/v1/manage/sources", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(before == await api.WithDbAsync(db => db.Set<Source>().CountAsync()), because);
    }

    [Fact]
    public async Task A_source_without_a_kind_is_refused_on_create_and_on_replace_instead_of_being_filed_as_a_report()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var source = await client.CreateAsync("/v1/manage/sources", new { kind = "dataset", title = "Conwy harbour survey" });
        var before = await api.WithDbAsync(db => db.Set<Source>().CountAsync());

        var created = await (await client.PostAsJsonAsync("/v1/manage/sources", new { title = "Conwy harbour survey, again" })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var replaced = await (await client.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/sources/{source.Id()}", 1, new { kind = (string?)null, title = "Renamed" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest);

        foreach (var problem in new[] { created, replaced })
        {
            Assert.Equal("kind is required.", problem.GetProperty("errors").GetProperty("kind")[0].GetString());
        }
        Assert.Equal(before, await api.WithDbAsync(db => db.Set<Source>().CountAsync()));
        var unchanged = await client.GetJsonAsync($"/v1/manage/sources/{source.Id()}");
        Assert.Equal(("dataset", 1), (unchanged.GetProperty("kind").GetString(), unchanged.Version()));
    }

    [Fact]
    public async Task Quotes_and_sources_have_crud_with_etags()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var source = await client.CreateAsync("/v1/manage/sources", new { kind = "press_release", title = "Pier trust statement", url = "https://example.org/s", publishedOn = "2026-03-02" });
        Assert.Equal("press_release", source.GetProperty("kind").GetString());
        var quote = await client.CreateAsync("/v1/manage/quotes", new { text = "We reopen on Saturday.", speaker = new { name = "Siân Morgan", organisation = "Pier Trust" }, sourceId = source.Id(), saidAt = "2026-03-02T10:00:00+01:00" });
        Assert.Equal("2026-03-02T09:00:00Z", quote.GetProperty("saidAt").GetString());
        Assert.Equal("en-GB", quote.GetProperty("language").GetString());
        var getQuote = await client.GetAsync($"/v1/manage/quotes/{quote.Id()}");
        Assert.Equal("\"1\"", getQuote.Headers.ETag!.Tag);

        var edited = await (await client.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/quotes/{quote.Id()}", 1, new { text = "We reopen on Sunday.", speaker = new { name = "Siân Morgan" } })).AssertSuccessAsync();
        Assert.Equal(2, edited.Version());
        await (await client.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/quotes/{quote.Id()}", 1, new { text = "Stale", speaker = new { name = "X" } })).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        var list = await client.GetJsonAsync("/v1/manage/quotes?limit=100");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), q => q.Id() == quote.Id());

        await (await client.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/sources/{source.Id()}", 1)).AssertSuccessAsync(HttpStatusCode.NoContent);
        Assert.Equal(JsonValueKind.Null, (await client.GetJsonAsync($"/v1/manage/quotes/{quote.Id()}")).GetProperty("sourceId").ValueKind);
        await (await client.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/quotes/{quote.Id()}", 2)).AssertSuccessAsync(HttpStatusCode.NoContent);
        await (await client.GetAsync($"/v1/manage/quotes/{quote.Id()}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Delivery_filters_by_speaker_organisation_and_publisher_match_an_underscore_literally()
    {
        var client = await api.ClientWithScopesAsync("content:write", "content:publish");
        var token = Guid.NewGuid().ToString("N");
        var quote = await client.CreateAsync("/v1/manage/quotes", new { text = "The bridge stays shut.", speaker = new { name = $"Owain_{token}", organisation = $"Bangor_{token}" } });
        var lookalike = await client.CreateAsync("/v1/manage/quotes", new { text = "The bridge opens.", speaker = new { name = $"OwainX{token}", organisation = $"BangorX{token}" } });
        var source = await client.CreateAsync("/v1/manage/sources", new { kind = "report", title = "Bridge survey", publisher = $"Menai_{token}", url = "https://example.org/survey" });
        var sourceLookalike = await client.CreateAsync("/v1/manage/sources", new { kind = "report", title = "Bridge survey", publisher = $"MenaiX{token}", url = "https://example.org/survey2" });
        await client.CreatePublishedAsync(new
        {
            headline = Editorial.Unique("Bridge shut"),
            body = new object[]
            {
                new { type = "quote", quoteId = quote.Id() }, new { type = "quote", quoteId = lookalike.Id() },
                new { type = "sourceList", sourceIds = new[] { source.Id(), sourceLookalike.Id() } },
            },
        });
        var reader = api.CreateClient();

        async Task<string[]> IdsAsync(string url) =>
            [.. (await reader.GetJsonAsync(url)).GetProperty("items").EnumerateArray().Select(item => item.Id())];

        Assert.Equal([quote.Id()], await IdsAsync($"/v1/quotes?speaker=Owain_{token}"));
        Assert.Equal([quote.Id()], await IdsAsync($"/v1/quotes?organisation=Bangor_{token}"));
        Assert.Equal([source.Id()], await IdsAsync($"/v1/sources?publisher=Menai_{token}"));
        Assert.Equal(2, (await IdsAsync($"/v1/quotes?speaker={token}")).Length);
    }

    [Fact]
    public async Task Deleting_a_quote_or_source_used_by_a_published_article_is_a_409_naming_the_articles()
    {
        var client = await api.ClientWithScopesAsync("content:write", "content:publish");
        var quote = await client.CreateQuoteAsync();
        var source = await client.CreateSourceAsync();
        var headline = Editorial.Unique("Pier reopens");
        var article = await client.CreatePublishedAsync(new
        {
            headline,
            body = new object[] { new { type = "quote", quoteId = quote.Id() }, new { type = "sourceList", sourceIds = new[] { source.Id() } } },
        });

        var quoteProblem = await (await client.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/quotes/{quote.Id()}", 1)).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains(headline, quoteProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(article.Id(), quoteProblem.GetProperty("articles")[0].GetProperty("id").GetString());
        var sourceProblem = await (await client.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/sources/{source.Id()}", 1)).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains(headline, sourceProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await client.GetJsonAsync($"/v1/manage/quotes/{quote.Id()}");
        await client.GetJsonAsync($"/v1/manage/sources/{source.Id()}");
    }

    [Fact]
    public async Task A_draft_or_scheduled_article_protects_its_quote_and_source_but_an_archived_one_does_not()
    {
        var client = await api.ClientWithScopesAsync("content:write", "content:publish");
        var scheduledQuote = await client.CreateQuoteAsync();
        await client.CreatePublishedAsync(new { headline = Editorial.Unique("Tomorrow"), body = new object[] { new { type = "quote", quoteId = scheduledQuote.Id() } } }, api.Clock.GetUtcNow().AddDays(1));
        await (await client.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/quotes/{scheduledQuote.Id()}", 1)).AssertProblemAsync(HttpStatusCode.Conflict);

        var draftQuote = await client.CreateQuoteAsync();
        var draftSource = await client.CreateSourceAsync();
        var headline = Editorial.Unique("Draft");
        var draft = await client.CreateArticleAsync(new
        {
            headline,
            body = new object[] { new { type = "quote", quoteId = draftQuote.Id() }, new { type = "sourceList", sourceIds = new[] { draftSource.Id() } } },
        });
        var quoteProblem = await (await client.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/quotes/{draftQuote.Id()}", 1)).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains(headline, quoteProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await (await client.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/sources/{draftSource.Id()}", 1)).AssertProblemAsync(HttpStatusCode.Conflict);
        var url = $"/v1/manage/articles/{draft.Id()}";
        await (await client.SendWithIfMatchAsync(HttpMethod.Post, url + "/publish", 1, new { })).AssertSuccessAsync();
        var read = await client.GetJsonAsync($"/v1/articles/{draft.GetProperty("slug").GetString()}");
        Assert.Equal(draftQuote.Id(), read.GetProperty("body")[0].GetProperty("quote").GetProperty("id").GetString());

        await (await client.SendWithIfMatchAsync(HttpMethod.Delete, url, 2)).AssertSuccessAsync(HttpStatusCode.NoContent);
        await (await client.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/quotes/{draftQuote.Id()}", 1)).AssertSuccessAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task One_quote_reused_in_two_articles_is_corrected_once_for_both_and_records_quote_updated()
    {
        var client = await api.ClientWithScopesAsync("content:write", "content:publish");
        var quote = await client.CreateQuoteAsync("The harbour will reopen in May.");
        var body = new object[] { new { type = "paragraph", html = "Context." }, new { type = "quote", quoteId = quote.Id() } };
        var first = await client.CreatePublishedAsync(new { headline = Editorial.Unique("Harbour one"), body });
        var second = await client.CreateArticleAsync(new { headline = Editorial.Unique("Harbour two"), body });

        await (await client.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/quotes/{quote.Id()}", 1, new { text = "The harbour will reopen in June.", speaker = new { name = "Dafydd Evans" } })).AssertSuccessAsync();

        foreach (var article in new[] { first, second })
        {
            var link = await (await client.PostAsync($"/v1/manage/articles/{article.Id()}/preview-links", null)).AssertSuccessAsync();
            var preview = await api.CreateClient().GetJsonAsync(new Uri(link.GetProperty("url").GetString()!).PathAndQuery);
            Assert.Contains("The harbour will reopen in June.", preview.GetProperty("bodyHtml").GetString(), StringComparison.Ordinal);
            Assert.Contains("Dafydd Evans", preview.GetProperty("bodyHtml").GetString(), StringComparison.Ordinal);
            Assert.Equal("The harbour will reopen in June.", preview.GetProperty("body")[1].GetProperty("quote").GetProperty("text").GetString());
        }
        var events = await api.WithDbAsync(db => db.Set<ContentEvent>().Where(e => e.ResourceId == Guid.Parse(quote.Id())).Select(e => e.Type).ToListAsync());
        Assert.Equal([ContentEventTypes.QuoteUpdated], events);
    }

    [Fact]
    public async Task Editing_a_source_only_drafts_cite_records_no_event_but_one_a_published_article_cites_does()
    {
        var client = await api.ClientWithScopesAsync("content:write", "content:publish");
        var source = await client.CreateSourceAsync();
        var draft = await client.CreateArticleAsync(new { headline = Editorial.Unique("Draft cites"), sourceIds = new[] { source.Id() }, body = Editorial.OneParagraph() });
        var edit = new { kind = "dataset", title = Editorial.Unique("Renamed"), url = "https://example.org/data" };
        await (await client.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/sources/{source.Id()}", 1, edit)).AssertSuccessAsync();
        Task<List<string>> EventsAsync() => api.WithDbAsync(db => db.Set<ContentEvent>().Where(e => e.ResourceId == Guid.Parse(source.Id())).Select(e => e.Type).ToListAsync());
        Assert.Empty(await EventsAsync());

        await (await client.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{draft.Id()}/publish", 1)).AssertSuccessAsync();
        await (await client.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/sources/{source.Id()}", 2, edit)).AssertSuccessAsync();
        Assert.Equal([ContentEventTypes.SourceUpdated], await EventsAsync());
    }
}
