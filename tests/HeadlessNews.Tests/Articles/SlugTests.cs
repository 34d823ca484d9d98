using System.Net;
using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Infrastructure.Text;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Articles;

public sealed class SlugTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("Pont-y-Pŵl: Côr yn ennill!", "pont-y-pwl-cor-yn-ennill")]
    [InlineData("Tŷ Hyll reopens", "ty-hyll-reopens")]
    [InlineData("Ysgol Gymraeg Brynŷ â Llŷn", "ysgol-gymraeg-bryny-a-llyn")]
    [InlineData("Café owner's £5,000 prize", "cafe-owner-s-5-000-prize")]
    [InlineData("Straße & Øresund", "strasse-and-oresund")]
    [InlineData("  --  ", "")]
    public void Slugs_transliterate_accents_and_welsh_letters(string text, string slug) => Assert.Equal(slug, Slugs.From(text));

    [Fact]
    public void Text_that_cannot_be_normalised_still_makes_a_slug()
    {
        Assert.Equal("menai-bridge", Slugs.From("Menai\uFFFEBridge"));
        Assert.Equal("pont-y-pwl", Slugs.From("Pont\uD800y\uDC00Pŵl"));
        Assert.Equal("caf", Slugs.From("Caf\uD800"));
        Assert.Equal("", Slugs.From("\uFFFE\uFFFF\uFDD0"));
    }

    [Fact]
    public async Task A_slug_is_generated_from_the_headline_and_kept_unique()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var token = Guid.NewGuid().ToString("N")[..6];
        var first = await client.CreateArticleAsync(new { headline = $"Gŵyl Fwyd Caernarfon {token}" });
        var second = await client.CreateArticleAsync(new { headline = $"Gŵyl fwyd Caernarfon {token}!" });
        Assert.Equal($"gwyl-fwyd-caernarfon-{token}", first.GetProperty("slug").GetString());
        Assert.Equal($"gwyl-fwyd-caernarfon-{token}-2", second.GetProperty("slug").GetString());
    }

    [Fact]
    public async Task Changing_a_slug_keeps_the_former_one_for_redirects_and_reserves_it()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var article = await client.CreateArticleAsync(new { headline = Editorial.Unique("Harbour fees") });
        var url = $"/v1/manage/articles/{article.Id()}";
        var former = article.GetProperty("slug").GetString()!;
        var renamed = "harbour-fees-" + Guid.NewGuid().ToString("N")[..8];
        var edited = await (await client.SendWithIfMatchAsync(HttpMethod.Put, url, 1, new { headline = "Harbour fees", slug = renamed })).AssertSuccessAsync();
        Assert.Equal(renamed, edited.GetProperty("slug").GetString());
        var history = await api.WithDbAsync(db => db.Set<ArticleSlugHistory>().Where(h => h.ArticleId == Guid.Parse(article.Id())).Select(h => h.Slug).ToListAsync());
        Assert.Equal([former], history);

        var other = await client.CreateArticleAsync(new { headline = Editorial.Unique("Another") });
        await (await client.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{other.Id()}", 1, new { headline = "Another", slug = former })).AssertProblemAsync(HttpStatusCode.Conflict);

        var back = await (await client.SendWithIfMatchAsync(HttpMethod.Put, url, 2, new { headline = "Harbour fees", slug = former })).AssertSuccessAsync();
        Assert.Equal(former, back.GetProperty("slug").GetString());
        var after = await api.WithDbAsync(db => db.Set<ArticleSlugHistory>().Where(h => h.ArticleId == Guid.Parse(article.Id())).Select(h => h.Slug).ToListAsync());
        Assert.Equal([renamed], after);
    }

    [Fact]
    public async Task A_put_without_a_slug_keeps_the_current_slug()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var article = await client.CreateArticleAsync(new { headline = Editorial.Unique("Keep my slug") });
        var edited = await (await client.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{article.Id()}", 1, new { headline = "A whole new headline" })).AssertSuccessAsync();
        Assert.Equal(article.GetProperty("slug").GetString(), edited.GetProperty("slug").GetString());
    }
}
