using System.Net;
using System.Text;
using System.Text.Json;
using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Delivery;

/// <summary>
/// What a writer sends is bounded by the request limit; what readers are answered must be bounded too, although safe HTML
/// and JSON escaping make a body of ampersands ten times its size (<c>&amp;</c> is <c>&amp;amp;</c>, then <c>\u0026amp;</c>).
/// </summary>
public sealed class ResponseSizeTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    /// <summary>A body of <paramref name="blocks"/> paragraphs of 19,000 ampersands, sent as they are (a serialiser would escape them).</summary>
    private static StringContent Ampersands(string headline, int blocks, string tag) => new(
        $$"""{"headline":"{{headline}}","tags":["{{tag}}"],"body":[{{string.Join(",", Enumerable.Repeat($$"""{"type":"paragraph","html":"{{new string('&', 19_000)}}"}""", blocks))}}]}""",
        Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_body_that_safe_html_makes_over_two_megabytes_is_a_400_and_creates_nothing()
    {
        var editor = await api.ClientWithScopesAsync("content:write");
        var headline = Editorial.Unique("Ampersands");

        var problem = await (await editor.PostAsync("/v1/manage/articles", Ampersands(headline, 12, "amp"))).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Contains("at most 2,097,152", problem.GetProperty("errors").GetProperty("body")[0].GetString(), StringComparison.Ordinal);
        Assert.False(await api.WithDbAsync(db => db.Set<Article>().AnyAsync(a => a.Headline == headline)));
    }

    [Fact]
    public async Task A_page_of_articles_with_their_bodies_stops_at_eight_megabytes_and_the_next_page_goes_on_from_there()
    {
        var editor = await api.ClientWithScopesAsync("content:write", "content:publish");
        var tag = Editorial.Unique("heavy").ToLowerInvariant().Replace(' ', '-');
        var published = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var draft = await (await editor.PostAsync("/v1/manage/articles", Ampersands(Editorial.Unique($"Heavy {i}"), 10, tag))).AssertSuccessAsync(HttpStatusCode.Created);
            await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{draft.Id()}/publish", 1, new { })).AssertSuccessAsync();
            published.Insert(0, draft.Id());
        }
        var reader = api.CreateClient();

        // Each article is ~1.9 MB of JSON: five fit in 8 MiB, the sixth would not.
        var first = await reader.GetAsync($"/v1/articles?tag={tag}&include=body&limit=100");
        var page = await first.AssertSuccessAsync();
        Assert.InRange(first.Content.Headers.ContentLength ?? (await first.Content.ReadAsByteArrayAsync()).Length, 9_000_000, 10_500_000);
        Assert.Equal(published[..5], page.GetProperty("items").EnumerateArray().Select(a => a.Id()));
        var next = page.GetProperty("next").GetString();
        Assert.NotNull(next);

        var rest = await reader.GetJsonAsync($"/v1/articles?tag={tag}&include=body&limit=100&cursor={Uri.EscapeDataString(next)}");
        Assert.Equal(published[5..], rest.GetProperty("items").EnumerateArray().Select(a => a.Id()));
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("next").ValueKind);
    }
}
