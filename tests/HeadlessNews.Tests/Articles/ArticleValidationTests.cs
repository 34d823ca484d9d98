using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Articles;

public sealed class ArticleValidationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private Task<bool> ArticleExistsAsync(string headline) => api.WithDbAsync(db => db.Set<Article>().AnyAsync(a => a.Headline == headline));

    public static TheoryData<string, object, string> BadBodies => new()
    {
        { "unknown block type", new object[] { new { type = "marquee", html = "hi" } }, "body[0].type" },
        { "block without type", new object[] { new { html = "hi" } }, "body[0].type" },
        { "heading level 7", new object[] { new { type = "paragraph", html = "ok" }, new { type = "heading", level = 7, text = "Too deep" } }, "body[1].level" },
        { "heading level written as a string", new object[] { new { type = "heading", level = "2", text = "Number as text" } }, "body[0].level" },
        { "quote block with missing quote", new object[] { new { type = "quote", quoteId = Guid.NewGuid() } }, "body[0].quoteId" },
        { "quote block without quoteId", new object[] { new { type = "quote" } }, "body[0].quoteId" },
        { "list with bad style", new object[] { new { type = "list", style = "zigzag", items = new[] { "a" } } }, "body[0].style" },
        { "image with javascript url", new object[] { new { type = "image", url = "javascript:alert(1)", alt = "x" } }, "body[0].url" },
        { "embed with data url", new object[] { new { type = "embed", url = "data:text/html,<script>alert(1)</script>" } }, "body[0].url" },
        { "source list citing a missing source", new object[] { new { type = "sourceList", sourceIds = new[] { Guid.NewGuid() } } }, "body[0].sourceIds" },
        { "list without items", new object[] { new { type = "list", style = "bulleted" } }, "body[0].items" },
        { "list with null items", new object[] { new { type = "list", style = "bulleted", items = (string[]?)null } }, "body[0].items" },
        { "list with a null item", new object[] { new { type = "list", style = "bulleted", items = new string?[] { "a", null } } }, "body[0].items[1]" },
        { "source list without sourceIds", new object[] { new { type = "sourceList" } }, "body[0].sourceIds" },
        { "source list with null sourceIds", new object[] { new { type = "sourceList", sourceIds = (Guid[]?)null } }, "body[0].sourceIds" },
        { "null block", new object?[] { null }, "body[0]" },
        { "ten thousand blocks", Enumerable.Repeat<object>(new { type = "paragraph", html = "x" }, 10_000).ToArray(), "body" },
        { "one quote shown a hundred and one times", Enumerable.Repeat<object>(new { type = "quote", quoteId = Guid.NewGuid() }, 101).ToArray(), "body" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_body_is_a_400_with_the_field_path_and_creates_nothing(string because, object body, string field)
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var headline = Editorial.Unique(because);
        var problem = await (await client.PostAsJsonAsync("/v1/manage/articles", new { headline, body })).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{because}: expected an error for {field}, got {problem}");
        Assert.False(await ArticleExistsAsync(headline));
    }

    public static TheoryData<string, object, string> BadFields => new()
    {
        { "headline over 300 characters", new { headline = new string('h', 301) }, "headline" },
        { "missing headline", new { standfirst = "No headline" }, "headline" },
        { "slug with spaces", new { headline = "Fine", slug = "pier reopens" }, "slug" },
        { "slug with upper case", new { headline = "Fine", slug = "Pier-Reopens" }, "slug" },
        { "unknown source id", new { headline = "Fine", sourceIds = new[] { Guid.NewGuid() } }, "sourceIds[0]" },
        { "unknown section", new { headline = "Fine", section = "no-such-section" }, "section" },
        { "unknown author", new { headline = "Fine", authors = new[] { "no-such-author" } }, "authors[0]" },
        { "hero image with ftp url", new { headline = "Fine", heroImage = new { url = "ftp://example.org/a.jpg" } }, "heroImage.url" },
        { "bad language", new { headline = "Fine", language = "not a language" }, "language" },
        { "list without items", new { headline = "Fine", body = new object[] { new { type = "list", style = "numbered" } } }, "body[0].items" },
        { "source list with null sourceIds", new { headline = "Fine", body = new object[] { new { type = "sourceList", sourceIds = (Guid[]?)null } } }, "body[0].sourceIds" },
        { "heading level written as a string", new { headline = "Fine", body = new object[] { new { type = "heading", level = "3", text = "Number as text" } } }, "body[0].level" },
        { "format in capitals", new { headline = "Fine", format = "Liveblog" }, "format" },
        { "headline of zero-width spaces", new { headline = "\u200b\u200b" }, "headline" },
        { "headline of joiners, a word joiner, a byte order mark and spaces", new { headline = "\u200c \u200d\u2060\ufeff " }, "headline" },
        { "heading of a zero-width space", new { headline = "Fine", body = new object[] { new { type = "heading", level = 2, text = "\u200b" } } }, "body[0].text" },
    };

    [Theory]
    [InlineData("/v1/manage/sections", """{"name": "\u200b"}""", "name")]
    [InlineData("/v1/manage/authors", """{"name": " \u2060 "}""", "name")]
    [InlineData("/v1/manage/quotes", """{"text": "\ufeff", "speaker": {"name": "Siân Morgan"}}""", "text")]
    [InlineData("/v1/manage/sources", """{"kind": "report", "title": "\u200d\u200c"}""", "title")]
    public async Task Required_text_made_only_of_invisible_characters_is_refused_like_empty_text(string url, string json, string field)
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var problem = await (await client.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var message), problem.ToString());
        Assert.Equal($"'{field}' must not be empty.", message[0].GetString());
    }

    [Theory]
    [InlineData("2.0")]
    [InlineData("2e0")]
    [InlineData("3.000")]
    public async Task A_heading_level_written_as_a_whole_number_with_a_fraction_or_exponent_is_that_number(string level)
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var json = $$"""{"headline": "{{Editorial.Unique("Levels")}}", "body": [{"type": "heading", "level": {{level}}, "text": "Results"}]}""";
        var created = await (await client.PostAsync("/v1/manage/articles", new StringContent(json, Encoding.UTF8, "application/json"))).AssertSuccessAsync(HttpStatusCode.Created);
        Assert.Equal((int)double.Parse(level, System.Globalization.CultureInfo.InvariantCulture), created.GetProperty("body")[0].GetProperty("level").GetInt32());
    }

    [Theory]
    [InlineData("2.5")]
    [InlineData("1e10")]
    public async Task A_heading_level_that_is_not_a_whole_int_is_still_refused(string level)
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var json = $$"""{"headline": "Levels", "body": [{"type": "heading", "level": {{level}}, "text": "Results"}]}""";
        var problem = await (await client.PostAsync("/v1/manage/articles", new StringContent(json, Encoding.UTF8, "application/json"))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("body[0].level", out _), problem.ToString());
    }

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task A_bad_field_on_update_is_a_400_and_changes_nothing(string because, object body, string field)
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var article = await client.CreateArticleAsync(new { headline = Editorial.Unique("Original"), body = Editorial.OneParagraph() });
        var url = $"/v1/manage/articles/{article.Id()}";
        var problem = await (await client.SendWithIfMatchAsync(HttpMethod.Put, url, article.Version(), body)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{because}: expected an error for {field}, got {problem}");
        Assert.Equal(article.ToString(), (await client.GetJsonAsync(url)).ToString());
    }

    [Fact]
    public async Task A_duplicate_slug_is_a_409_and_changes_nothing()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var slug = "pier-" + Guid.NewGuid().ToString("N")[..8];
        await client.CreateArticleAsync(new { headline = Editorial.Unique("First"), slug });
        var headline = Editorial.Unique("Second");
        await (await client.PostAsJsonAsync("/v1/manage/articles", new { headline, slug })).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.False(await ArticleExistsAsync(headline));

        var other = await client.CreateArticleAsync(new { headline = Editorial.Unique("Third") });
        await (await client.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{other.Id()}", 1, new { headline = "Third", slug })).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(other.ToString(), (await client.GetJsonAsync($"/v1/manage/articles/{other.Id()}")).ToString());
    }

    [Fact]
    public async Task A_property_named_twice_is_malformed_json_and_nothing_is_created()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var (first, second) = (Editorial.Unique("First said"), Editorial.Unique("Second said"));
        foreach (var json in new[]
        {
            $$"""{"headline": "{{first}}", "headline": "{{second}}"}""",
            $$"""{"headline": "{{first}}", "body": [{"type": "paragraph", "html": "a", "html": "b"}]}""",
        })
        {
            var problem = await (await client.PostAsync("/v1/manage/articles", new StringContent(json, Encoding.UTF8, "application/json")))
                .AssertProblemAsync(HttpStatusCode.BadRequest);
            Assert.Equal("Malformed JSON", problem.GetProperty("title").GetString());
            Assert.Contains("appears more than once", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain("HeadlessNews", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        Assert.False(await ArticleExistsAsync(first));
        Assert.False(await ArticleExistsAsync(second));
    }

    [Fact]
    public async Task A_five_mebibyte_body_is_a_413()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var headline = Editorial.Unique("Huge");
        var json = JsonSerializer.Serialize(new { headline, body = new[] { new { type = "paragraph", html = new string('a', 5 * 1024 * 1024) } } });
        await (await client.PostAsync("/v1/manage/articles", new StringContent(json, Encoding.UTF8, "application/json"))).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.False(await ArticleExistsAsync(headline));
    }

    [Fact]
    public async Task A_publishAt_that_is_not_a_date_is_a_400_and_publishes_nothing()
    {
        var client = await api.ClientWithScopesAsync("content:write", "content:publish");
        var article = await client.CreateArticleAsync(new { headline = Editorial.Unique("Draft"), body = Editorial.OneParagraph() });
        var url = $"/v1/manage/articles/{article.Id()}";
        await (await client.SendWithIfMatchAsync(HttpMethod.Post, url + "/publish", 1, new { publishAt = "next tuesday" })).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("draft", (await client.GetJsonAsync(url)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Publishing_an_archived_article_is_a_409_and_changes_nothing()
    {
        var client = await api.ClientWithScopesAsync("content:write", "content:publish");
        var article = await client.CreateArticleAsync(new { headline = Editorial.Unique("To archive"), body = Editorial.OneParagraph() });
        var url = $"/v1/manage/articles/{article.Id()}";
        await (await client.SendWithIfMatchAsync(HttpMethod.Delete, url, 1)).AssertSuccessAsync(HttpStatusCode.NoContent);
        var archived = await client.GetJsonAsync(url);
        Assert.Equal("archived", archived.GetProperty("status").GetString());
        await (await client.SendWithIfMatchAsync(HttpMethod.Post, url + "/publish", archived.Version(), new { })).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(archived.ToString(), (await client.GetJsonAsync(url)).ToString());
    }

    [Fact]
    public async Task An_if_match_from_last_week_is_a_412_with_the_current_version_and_a_missing_one_is_a_428()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var article = await client.CreateArticleAsync(new { headline = Editorial.Unique("Versioned") });
        var url = $"/v1/manage/articles/{article.Id()}";
        var v2 = await (await client.SendWithIfMatchAsync(HttpMethod.Put, url, 1, new { headline = "Edited once" })).AssertSuccessAsync();
        Assert.Equal(2, v2.Version());

        var stale = await (await client.SendWithIfMatchAsync(HttpMethod.Put, url, 1, new { headline = "Stale edit" })).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(2, stale.GetProperty("currentVersion").GetInt32());
        await (await client.SendWithIfMatchAsync(HttpMethod.Put, url, null, new { headline = "No precondition" })).AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        Assert.Equal("Edited once", (await client.GetJsonAsync(url)).GetProperty("headline").GetString());
    }

    [Fact]
    public async Task Publishing_an_article_without_body_blocks_is_a_409()
    {
        var client = await api.ClientWithScopesAsync("content:write", "content:publish");
        var article = await client.CreateArticleAsync(new { headline = Editorial.Unique("Empty") });
        await (await client.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{article.Id()}/publish", 1, new { })).AssertProblemAsync(HttpStatusCode.Conflict);
    }
}
