using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Npgsql;

namespace HeadlessNews.Tests.Sections;

public sealed class SectionAndAuthorTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_section_has_crud_with_a_generated_slug_and_etags()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var token = Guid.NewGuid().ToString("N")[..6];
        var response = await client.PostAsJsonAsync("/v1/manage/sections", new { name = $"Chwaraeon Môn {token}", description = "Anglesey sport" });
        var section = await response.AssertSuccessAsync(HttpStatusCode.Created);
        Assert.Equal($"chwaraeon-mon-{token}", section.GetProperty("slug").GetString());
        Assert.Equal("\"1\"", response.Headers.ETag!.Tag);
        Assert.Equal($"/v1/manage/sections/{section.Id()}", response.Headers.Location!.OriginalString);

        var url = $"/v1/manage/sections/{section.Id()}";
        var edited = await (await client.SendWithIfMatchAsync(HttpMethod.Put, url, 1, new { name = "Anglesey sport", slug = $"anglesey-sport-{token}" })).AssertSuccessAsync();
        Assert.Equal($"anglesey-sport-{token}", edited.GetProperty("slug").GetString());
        Assert.Equal(JsonNull, edited.GetProperty("description").ValueKind);
        await (await client.SendWithIfMatchAsync(HttpMethod.Put, url, 1, new { name = "Stale" })).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Contains((await client.GetJsonAsync("/v1/manage/sections")).GetProperty("items").EnumerateArray(), s => s.Id() == section.Id());
        await (await client.SendWithIfMatchAsync(HttpMethod.Delete, url, 2)).AssertSuccessAsync(HttpStatusCode.NoContent);
        await (await client.GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Duplicate_and_malformed_slugs_are_refused()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var slug = "weather-" + Guid.NewGuid().ToString("N")[..6];
        await client.CreateAsync("/v1/manage/sections", new { name = "Weather", slug });
        await (await client.PostAsJsonAsync("/v1/manage/sections", new { name = "Weather again", slug })).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await client.PostAsJsonAsync("/v1/manage/sections", new { name = "Weather", slug = "Weather Now" })).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await client.PostAsJsonAsync("/v1/manage/authors", new { name = "" })).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Sections_and_authors_in_use_cannot_be_deleted()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var section = await client.CreateSectionAsync();
        var author = await client.CreateAuthorAsync();
        var headline = Editorial.Unique("Filed story");
        await client.CreateArticleAsync(new { headline, section = section.GetProperty("slug").GetString(), authors = new[] { author.GetProperty("slug").GetString() } });
        var problem = await (await client.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/sections/{section.Id()}", 1)).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains(headline, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await (await client.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/authors/{author.Id()}", 1)).AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task An_author_has_a_role_and_bio_and_needs_if_match()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var author = await client.CreateAsync("/v1/manage/authors", new { name = Editorial.Unique("Nia Roberts"), role = "News editor", bio = "Edits the daily list." });
        Assert.Equal("News editor", author.GetProperty("role").GetString());
        var url = $"/v1/manage/authors/{author.Id()}";
        await (await client.SendWithIfMatchAsync(HttpMethod.Put, url, null, new { name = "Nia" })).AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        var edited = await (await client.SendWithIfMatchAsync(HttpMethod.Put, url, 1, new { name = "Nia Roberts", role = "Editor" })).AssertSuccessAsync();
        Assert.Equal("Editor", edited.GetProperty("role").GetString());
        Assert.Equal(author.GetProperty("slug").GetString(), edited.GetProperty("slug").GetString());
    }

    [Fact]
    public async Task Delivered_sections_and_authors_are_keyset_pages_that_follow_next_and_refuse_a_bad_limit_or_cursor()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var sections = new List<string>();
        var authors = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            sections.Add((await editor.CreateSectionAsync()).GetProperty("slug").GetString()!);
            authors.Add((await editor.CreateAuthorAsync()).GetProperty("slug").GetString()!);
            await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Ferry timetable"), section = sections[^1], authors = new[] { authors[^1] }, body = Editorial.OneParagraph() });
        }

        foreach (var (list, created) in new[] { ("/v1/sections", sections), ("/v1/authors", authors) })
        {
            await AssertNewestFirstPagesAsync(reader, list, created, item => item.GetProperty("slug").GetString()!);
        }
    }

    [Fact]
    public async Task Managed_sections_and_authors_are_keyset_pages_most_recently_updated_first_that_follow_next_and_refuse_a_bad_limit_or_cursor()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var sections = new List<string>();
        var authors = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            sections.Add((await editor.CreateSectionAsync()).Id());
            authors.Add((await editor.CreateAuthorAsync()).Id());
        }

        foreach (var (list, created) in new[] { ("/v1/manage/sections", sections), ("/v1/manage/authors", authors) })
        {
            await AssertNewestFirstPagesAsync(editor, list, created, item => item.Id());
        }
    }

    /// <summary>
    /// Follows <paramref name="list"/>'s pages of two by <c>next</c> and its Link header: each item once, the last one
    /// <paramref name="created"/> first, all of them there; a bad limit or cursor is a 400 problem.
    /// </summary>
    private static async Task AssertNewestFirstPagesAsync(HttpClient client, string list, List<string> created, Func<JsonElement, string> key)
    {
        var seen = new List<string>();
        var url = $"{list}?limit=2";
        while (true)
        {
            var response = await client.GetAsync(url);
            var page = await response.AssertSuccessAsync();
            var items = page.GetProperty("items").EnumerateArray().Select(key).ToList();
            Assert.InRange(items.Count, 1, 2);
            seen.AddRange(items);
            if (page.GetProperty("next").GetString() is not { } next)
            {
                Assert.False(response.Headers.Contains("Link"));
                break;
            }
            var link = Assert.Single(response.Headers.GetValues("Link"));
            Assert.EndsWith("; rel=\"next\"", link, StringComparison.Ordinal);
            url = link[1..link.IndexOf('>', StringComparison.Ordinal)];
            Assert.Contains($"cursor={Uri.EscapeDataString(next)}", url, StringComparison.Ordinal);
        }
        Assert.Equal(created[^1], seen[0]);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.All(created, item => Assert.Contains(item, seen));
        foreach (var bad in new[] { "limit=0", "limit=101", "limit=abc", "cursor=not-a-cursor" })
        {
            await (await client.GetAsync($"{list}?{bad}")).AssertProblemAsync(HttpStatusCode.BadRequest);
        }
    }

    [Theory]
    [InlineData("sections", "created_at")]
    [InlineData("sections", "updated_at")]
    [InlineData("authors", "created_at")]
    [InlineData("authors", "updated_at")]
    public async Task A_keyset_page_of_sections_or_authors_reads_an_index_in_its_order_instead_of_sorting_the_table(string table, string order)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off", connection))
        {
            await off.ExecuteNonQueryAsync();
        }
        // A page as the delivery (created_at) and management (updated_at) lists ask for it. (On a table this small the planner
        // answers a cursor's OR condition from a bitmap and sorts the few rows; the first page shows which order is indexed.)
        await using var explain = new NpgsqlCommand($"EXPLAIN SELECT * FROM {table} ORDER BY {order} DESC, id DESC LIMIT 21", connection);
        var plan = string.Join('\n', await ReadLinesAsync(explain));
        Assert.Contains($"ix_{table}_{order}_id", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Sort", plan, StringComparison.Ordinal);

        static async Task<List<string>> ReadLinesAsync(NpgsqlCommand command)
        {
            var lines = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
            return lines;
        }
    }

    [Fact]
    public async Task Publishing_and_unpublishing_the_only_article_of_a_section_and_author_changes_their_cached_lists_at_once()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var section = (await editor.CreateSectionAsync()).GetProperty("slug").GetString()!;
        var author = (await editor.CreateAuthorAsync()).GetProperty("slug").GetString()!;
        var draft = await editor.CreateArticleAsync(new { headline = Editorial.Unique("Bus timetable changes"), section, authors = new[] { author }, body = Editorial.OneParagraph() });
        // How many of the section list, the author list and the author's page show them (each read twice: the second from the cache).
        async Task<int> ListedAsync()
        {
            var listed = 0;
            for (var read = 0; read < 2; read++)
            {
                listed = ((await reader.GetStringAsync("/v1/sections")).Contains($"\"{section}\"", StringComparison.Ordinal) ? 1 : 0)
                    + ((await reader.GetStringAsync("/v1/authors")).Contains($"\"{author}\"", StringComparison.Ordinal) ? 1 : 0)
                    + ((await reader.GetAsync($"/v1/authors/{author}")).StatusCode == HttpStatusCode.OK ? 1 : 0);
            }
            return listed;
        }

        Assert.Equal(0, await ListedAsync());
        var published = await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{draft.Id()}/publish", draft.Version(), new { })).AssertSuccessAsync();
        Assert.Equal(3, await ListedAsync());
        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{draft.Id()}/unpublish", published.Version(), new { })).AssertSuccessAsync();
        Assert.Equal(0, await ListedAsync());
    }

    private const System.Text.Json.JsonValueKind JsonNull = System.Text.Json.JsonValueKind.Null;
}
