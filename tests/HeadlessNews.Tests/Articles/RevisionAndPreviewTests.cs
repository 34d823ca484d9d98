using System.Net;
using System.Net.Http.Json;
using HeadlessNews.Tests.Support;
using Npgsql;

namespace HeadlessNews.Tests.Articles;

public sealed class RevisionAndPreviewTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Every_change_stores_a_revision_that_can_be_read_and_restored()
    {
        var client = await api.ClientWithScopesAsync("content:write", "content:publish");
        var article = await client.CreateArticleAsync(new { headline = "First headline", body = Editorial.OneParagraph("First text."), tags = new[] { "Ferries" } });
        var url = $"/v1/manage/articles/{article.Id()}";
        var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(new { headline = "Second headline", body = Editorial.OneParagraph("Second text.") }) };
        request.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"1\""));
        request.Headers.Add("X-On-Behalf-Of", "Ceri Hughes");
        await (await client.SendAsync(request)).AssertSuccessAsync();
        await (await client.SendWithIfMatchAsync(HttpMethod.Post, url + "/publish", 2)).AssertSuccessAsync();

        var revisions = (await client.GetJsonAsync(url + "/revisions")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([3, 2, 1], revisions.Select(r => r.GetProperty("number").GetInt32()));
        Assert.Equal(["published", "updated", "created"], revisions.Select(r => r.GetProperty("action").GetString()));
        Assert.Equal("Ceri Hughes", revisions[1].GetProperty("onBehalfOf").GetString());

        var first = await client.GetJsonAsync(url + "/revisions/1");
        Assert.Equal("First headline", first.GetProperty("snapshot").GetProperty("headline").GetString());
        await (await client.GetAsync(url + "/revisions/99")).AssertProblemAsync(HttpStatusCode.NotFound);

        var restored = await (await client.SendWithIfMatchAsync(HttpMethod.Post, url + "/revisions/1/restore", 3)).AssertSuccessAsync();
        Assert.Equal("First headline", restored.GetProperty("headline").GetString());
        Assert.Equal("First text.", restored.GetProperty("body")[0].GetProperty("html").GetString());
        Assert.Equal("ferries", restored.GetProperty("tags")[0].GetProperty("slug").GetString());
        Assert.Equal("published", restored.GetProperty("status").GetString());
        Assert.Equal(4, restored.Version());
        Assert.Equal("restored from 1", (await client.GetJsonAsync(url + "/revisions")).GetProperty("items")[0].GetProperty("action").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await (await api.ClientWithScopesAsync("content:write")).SendWithIfMatchAsync(HttpMethod.Post, url + "/revisions/1/restore", 4)).StatusCode);
    }

    [Fact]
    public async Task Snapshots_store_enums_by_name_and_one_stored_with_numbered_enums_still_reads_and_restores()
    {
        var client = await api.ClientWithScopesAsync("content:write", "content:publish");
        var article = await client.CreateArticleAsync(new { headline = "Pier live", format = "liveblog", body = Editorial.OneParagraph("Opening.") });
        var url = $"/v1/manage/articles/{article.Id()}";
        await (await client.SendWithIfMatchAsync(HttpMethod.Put, url, 1, new { headline = "Pier report", format = "standard", body = Editorial.OneParagraph("Later.") })).AssertSuccessAsync();
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using (var stored = new NpgsqlCommand(
            "SELECT snapshot->'status', snapshot->'format' FROM revisions WHERE resource_type = 'article' AND resource_id = @id AND number = 1", connection))
        {
            stored.Parameters.AddWithValue("id", Guid.Parse(article.Id()));
            await using var row = await stored.ExecuteReaderAsync();
            Assert.True(await row.ReadAsync());
            Assert.Equal(("\"draft\"", "\"liveblog\""), (row.GetString(0), row.GetString(1)));
        }

        // Revision 1 as snapshots were stored before they took the API's shape (JsonSerializerOptions.Web): enums as
        // numbers (draft 0, liveblog 1), timestamps with an offset.
        await using (var old = new NpgsqlCommand("""
            UPDATE revisions SET snapshot = snapshot || '{"status": 0, "format": 1, "createdAt": "2026-12-01T09:30:00+00:00"}'::jsonb
             WHERE resource_type = 'article' AND resource_id = @id AND number = 1
            """, connection))
        {
            old.Parameters.AddWithValue("id", Guid.Parse(article.Id()));
            Assert.Equal(1, await old.ExecuteNonQueryAsync());
        }

        Assert.Equal([2, 1], (await client.GetJsonAsync(url + "/revisions")).GetProperty("items").EnumerateArray().Select(r => r.GetProperty("number").GetInt32()));
        var first = (await client.GetJsonAsync(url + "/revisions/1")).GetProperty("snapshot");
        Assert.Equal(("draft", "liveblog", "2026-12-01T09:30:00Z"),
            (first.GetProperty("status").GetString(), first.GetProperty("format").GetString(), first.GetProperty("createdAt").GetString()));
        var restored = await (await client.SendWithIfMatchAsync(HttpMethod.Post, url + "/revisions/1/restore", 2)).AssertSuccessAsync();
        Assert.Equal(("Pier live", "liveblog"), (restored.GetProperty("headline").GetString(), restored.GetProperty("format").GetString()));
    }

    [Fact]
    public async Task A_preview_link_shows_the_draft_in_the_delivery_shape_without_a_key()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var section = await client.CreateSectionAsync();
        var author = await client.CreateAuthorAsync();
        var source = await client.CreateSourceAsync();
        var quote = await client.CreateQuoteAsync("Mae'r harbwr ar agor.");
        var article = await client.CreateArticleAsync(new
        {
            headline = Editorial.Unique("Harbour draft"),
            section = section.GetProperty("slug").GetString(),
            authors = new[] { author.GetProperty("slug").GetString() },
            sourceIds = new[] { source.Id() },
            heroImage = new { url = "https://example.org/harbour.jpg", alt = "Boats in the harbour" },
            body = new object[]
            {
                new { type = "heading", level = 2, text = "Fish & chips <3" },
                new { type = "quote", quoteId = quote.Id() },
                new { type = "list", style = "numbered", items = new[] { "one", "<em>two</em>" } },
                new { type = "image", url = "https://example.org/a.jpg", alt = "A \"quoted\" alt", caption = "Cap", credit = "Photo: Gethin" },
                new { type = "embed", url = "https://example.org/video" },
                new { type = "sourceList", title = "Sources", sourceIds = new[] { source.Id() } },
            },
        });
        var asked = api.Clock.GetUtcNow();
        var linkResponse = await client.PostAsJsonAsync($"/v1/manage/articles/{article.Id()}/preview-links", new { expiresInMinutes = 30 });
        var link = await linkResponse.AssertSuccessAsync();
        // Thirty minutes from when the link was made: between the request and its answer (a second may tick over between them).
        Assert.InRange(link.GetProperty("expiresAt").GetDateTimeOffset().ToUnixTimeSeconds(),
            asked.AddMinutes(30).ToUnixTimeSeconds(), api.Clock.GetUtcNow().AddMinutes(30).ToUnixTimeSeconds());
        var path = new Uri(link.GetProperty("url").GetString()!).PathAndQuery;
        Assert.StartsWith("/v1/preview/", path, StringComparison.Ordinal);

        var response = await api.CreateClient().GetAsync(path);
        var preview = await response.AssertSuccessAsync();
        Assert.True(response.Headers.CacheControl is { Private: true, NoStore: true });
        Assert.Equal(article.GetProperty("slug").GetString(), preview.GetProperty("slug").GetString());
        Assert.Equal(author.GetProperty("name").GetString(), preview.GetProperty("authors")[0].GetProperty("name").GetString());
        Assert.Equal(source.Id(), preview.GetProperty("sources")[0].Id());
        Assert.Equal("Siân Morgan", preview.GetProperty("body")[1].GetProperty("quote").GetProperty("speaker").GetProperty("name").GetString());
        Assert.False(preview.GetProperty("old").GetBoolean());
        var html = preview.GetProperty("bodyHtml").GetString()!;
        Assert.Contains("<h2>Fish &amp; chips &lt;3</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<blockquote><p>Mae&#x27;r harbwr ar agor.</p><footer>Siân Morgan, Pier manager</footer></blockquote>", html, StringComparison.Ordinal);
        Assert.Contains("<ol><li>one</li><li><em>two</em></li></ol>", html, StringComparison.Ordinal);
        Assert.Contains("alt=\"A &quot;quoted&quot; alt\"", html, StringComparison.Ordinal);
        Assert.Contains("<section class=\"sources\"><h2>Sources</h2>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_or_tampered_preview_tokens_are_404s()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var article = await client.CreateArticleAsync(new { headline = Editorial.Unique("Short lived") });
        var link = await (await client.PostAsync($"/v1/manage/articles/{article.Id()}/preview-links", null)).AssertSuccessAsync();
        var path = new Uri(link.GetProperty("url").GetString()!).PathAndQuery;
        var anonymous = api.CreateClient();
        await (await anonymous.GetAsync(path)).AssertSuccessAsync();

        var tampered = path[..^2] + (path[^2] == 'A' ? "B" : "A") + path[^1];
        await (await anonymous.GetAsync(tampered)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await anonymous.GetAsync("/v1/preview/not-a-token")).AssertProblemAsync(HttpStatusCode.NotFound);
        api.Clock.Advance(TimeSpan.FromMinutes(61));
        await (await anonymous.GetAsync(path)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Revoking_preview_links_stops_every_outstanding_link_like_an_expired_one_and_a_new_link_works()
    {
        var writer = await api.ClientWithScopesAsync("content:write");
        var article = await writer.CreateArticleAsync(new { headline = Editorial.Unique("Leaked draft") });
        var (first, second) = (await writer.PreviewPathAsync(article.Id()), await writer.PreviewPathAsync(article.Id()));
        var anonymous = api.CreateClient();
        await (await anonymous.GetAsync(first)).AssertSuccessAsync();
        var unknown = await (await anonymous.GetAsync("/v1/preview/not-a-token")).AssertProblemAsync(HttpStatusCode.NotFound);

        await (await writer.DeleteAsync($"/v1/manage/articles/{article.Id()}/preview-links")).AssertSuccessAsync(HttpStatusCode.NoContent);

        foreach (var revoked in new[] { first, second })
        {
            var problem = await (await anonymous.GetAsync(revoked)).AssertProblemAsync(HttpStatusCode.NotFound);
            Assert.Equal(unknown.GetProperty("detail").GetString(), problem.GetProperty("detail").GetString());
        }
        await (await anonymous.GetAsync(await writer.PreviewPathAsync(article.Id()))).AssertSuccessAsync();
        await (await writer.DeleteAsync($"/v1/manage/articles/{Guid.NewGuid()}/preview-links")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await anonymous.DeleteAsync($"/v1/manage/articles/{article.Id()}/preview-links")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Archiving_an_article_revokes_its_preview_links_for_good()
    {
        var editor = await api.ClientWithScopesAsync("content:write", "content:publish");
        var article = await editor.CreateArticleAsync(new { headline = Editorial.Unique("Spiked story") });
        var link = await editor.PreviewPathAsync(article.Id());
        var anonymous = api.CreateClient();
        await (await anonymous.GetAsync(link)).AssertSuccessAsync();

        await (await editor.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/articles/{article.Id()}", article.Version())).AssertSuccessAsync(HttpStatusCode.NoContent);
        await (await anonymous.GetAsync(link)).AssertProblemAsync(HttpStatusCode.NotFound);

        var restored = await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{article.Id()}/revisions/1/restore", article.Version() + 1)).AssertSuccessAsync();
        Assert.Equal("draft", restored.GetProperty("status").GetString());
        await (await anonymous.GetAsync(link)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await anonymous.GetAsync(await editor.PreviewPathAsync(article.Id()))).AssertSuccessAsync();
    }

    [Fact]
    public async Task A_preview_link_lasts_at_most_seven_days()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var article = await client.CreateArticleAsync(new { headline = Editorial.Unique("Long lived") });
        await (await client.PostAsJsonAsync($"/v1/manage/articles/{article.Id()}/preview-links", new { expiresInMinutes = 7 * 24 * 60 + 1 })).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await client.PostAsJsonAsync($"/v1/manage/articles/{Guid.NewGuid()}/preview-links", new { })).AssertProblemAsync(HttpStatusCode.NotFound);
    }
}
