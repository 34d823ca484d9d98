using System.Net;
using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Foundation;

/// <summary>Sections, authors, quotes and sources share one read-and-conditional-write path; each must behave the same.</summary>
public sealed class VersionedResourceTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    public static TheoryData<string, string> Kinds => new()
    {
        { "sections", "section" },
        { "authors", "author" },
        { "quotes", "quote" },
        { "sources", "source" },
    };

    private static Task<JsonElement> CreateAsync(HttpClient client, string collection) => collection switch
    {
        "sections" => client.CreateSectionAsync(),
        "authors" => client.CreateAuthorAsync(),
        "quotes" => client.CreateQuoteAsync(),
        _ => client.CreateSourceAsync(),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Reads_carry_the_version_as_etag_and_writes_need_a_current_if_match(string collection, string kind)
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var created = await CreateAsync(client, collection);
        var url = $"/v1/manage/{collection}/{created.Id()}";

        var read = await client.GetAsync(url);
        await read.AssertSuccessAsync();
        Assert.Equal("\"1\"", read.Headers.ETag!.Tag);
        Assert.True(read.Headers.CacheControl is { Private: true, NoStore: true }, $"Cache-Control: {read.Headers.CacheControl}");

        var refusal = await client.DeleteAsync(url);
        await refusal.AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        Assert.True(refusal.Headers.CacheControl is { Private: true, NoStore: true }, $"Cache-Control: {refusal.Headers.CacheControl}");
        var anonymous = await api.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.True(anonymous.Headers.CacheControl is { Private: true, NoStore: true }, $"Cache-Control: {anonymous.Headers.CacheControl}");
        await (await client.SendWithIfMatchAsync(HttpMethod.Delete, url, 7)).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        foreach (var notOneVersion in new[] { "*", "\"1\", \"2\"", "\"one\"" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, url);
            request.Headers.TryAddWithoutValidation("If-Match", notOneVersion);
            var refused = await (await client.SendAsync(request)).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
            Assert.Equal(1, refused.GetProperty("currentVersion").GetInt32());
        }
        await (await client.GetAsync(url)).AssertSuccessAsync();
        // A proxy that compressed the read may have weakened its ETag; it still names version 1.
        using var weakened = new HttpRequestMessage(HttpMethod.Delete, url);
        weakened.Headers.TryAddWithoutValidation("If-Match", "W/\"1\"");
        await (await client.SendAsync(weakened)).AssertSuccessAsync(HttpStatusCode.NoContent);

        var missing = await (await client.GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal($"No {kind} has id {created.Id()}.", missing.GetProperty("detail").GetString());
        await (await client.SendWithIfMatchAsync(HttpMethod.Delete, url, 1)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("quotes")]
    [InlineData("sources")]
    public async Task Lists_page_most_recently_updated_first_without_repeating_or_skipping(string collection)
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var created = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            created.Add((await CreateAsync(client, collection)).Id());
        }
        var seen = new List<string>();
        var url = $"/v1/manage/{collection}?limit=2";
        while (seen.Count < 3)
        {
            var page = await client.GetJsonAsync(url);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(item => item.Id()));
            url = $"/v1/manage/{collection}?limit=2&cursor={page.GetProperty("next").GetString()}";
        }
        created.Reverse();
        Assert.Equal(created, seen.Take(3));
        await (await client.GetAsync($"/v1/manage/{collection}?cursor=forged.cursor")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }
}
