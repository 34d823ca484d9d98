using System.Net;
using System.Net.Http.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.LiveBlogs;

public sealed class LiveBlogEntryTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task An_entry_is_edited_and_deleted_only_with_the_version_it_was_read_at()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var blog = await editor.CreateLiveBlogAsync("Storm on the Dee estuary");
        Assert.Equal("liveblog", blog.GetProperty("format").GetString());
        var entry = await editor.AddEntryAsync(blog, "Trees down on the A548.");
        Assert.Equal(1, entry.Version());
        var url = LiveBlogs.EntryUrl(blog, entry);
        var edit = new { body = Editorial.OneParagraph("Trees down on the A548 at Flint."), keyEvent = true, correction = "The trees are at Flint, not Bagillt." };

        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, url, null, edit)).AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, url, 7, edit)).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        var edited = await (await editor.SendWithIfMatchAsync(HttpMethod.Put, url, 1, edit)).AssertSuccessAsync();
        Assert.Equal(2, edited.Version());
        Assert.True(edited.GetProperty("keyEvent").GetBoolean());
        Assert.Equal("The trees are at Flint, not Bagillt.", edited.GetProperty("corrections")[0].GetProperty("text").GetString());

        await (await editor.SendWithIfMatchAsync(HttpMethod.Delete, url, 1)).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(HttpStatusCode.NoContent, (await editor.SendWithIfMatchAsync(HttpMethod.Delete, url, 2)).StatusCode);
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, url, 3, edit)).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty((await editor.GetJsonAsync($"/v1/manage/articles/{blog.Id()}/entries")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Editors_page_through_a_long_live_blog_newest_first_with_a_cursor()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var blog = await editor.CreateLiveBlogAsync("Eisteddfod week, day by day");
        var added = new List<string>();
        foreach (var day in new[] { "Monday", "Tuesday", "Wednesday" })
        {
            added.Add((await editor.AddEntryAsync(blog, $"{day}: the pavilion opens at nine.")).Id().ToString());
        }
        var url = $"/v1/manage/articles/{blog.Id()}/entries";

        var first = await editor.GetAsync($"{url}?limit=2");
        var page = await first.AssertSuccessAsync();
        Assert.Equal([added[2], added[1]], page.GetProperty("items").EnumerateArray().Select(e => e.Id().ToString()));
        Assert.Contains("rel=\"next\"", first.Headers.GetValues("Link").Single(), StringComparison.Ordinal);
        var next = page.GetProperty("next").GetString();
        var last = await editor.GetJsonAsync($"{url}?limit=2&cursor={Uri.EscapeDataString(next!)}");
        Assert.Equal([added[0]], last.GetProperty("items").EnumerateArray().Select(e => e.Id().ToString()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, last.GetProperty("next").ValueKind);

        await (await editor.GetAsync($"{url}?limit=0")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await editor.GetAsync($"{url}?cursor=forged")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_standard_article_takes_no_entries()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var article = await editor.CreateArticleAsync(new { headline = Editorial.Unique("Council votes on budget"), body = Editorial.OneParagraph() });
        await (await editor.PostAsJsonAsync($"/v1/manage/articles/{article.Id()}/entries", new { body = Editorial.OneParagraph() }))
            .AssertProblemAsync(HttpStatusCode.Conflict);
        await (await editor.PostAsJsonAsync($"/v1/manage/articles/{Guid.NewGuid()}/entries", new { body = Editorial.OneParagraph() }))
            .AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_entry_quoting_a_quote_that_does_not_exist_is_refused_at_its_path()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var blog = await editor.CreateLiveBlogAsync("Road closures");
        var problem = await (await editor.PostAsJsonAsync($"/v1/manage/articles/{blog.Id()}/entries",
            new { body = new object[] { new { type = "quote", quoteId = Guid.NewGuid() } } })).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("body[0].quoteId", out _), problem.ToString());
        await (await editor.PostAsJsonAsync($"/v1/manage/articles/{blog.Id()}/entries", new { body = Array.Empty<object>() }))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_content_reader_cannot_add_entries()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = await api.ClientWithScopesAsync("content:read");
        var blog = await editor.CreateLiveBlogAsync("Flood warnings");
        await (await reader.PostAsJsonAsync($"/v1/manage/articles/{blog.Id()}/entries", new { body = Editorial.OneParagraph() }))
            .AssertProblemAsync(HttpStatusCode.Forbidden);
    }
}
