using System.Net;
using System.Net.Http.Json;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessNews.Tests.Delivery;

/// <summary>Counts the commands PUT requests send to PostgreSQL through EF Core (background services' are not theirs).</summary>
public sealed class CommandCountingApiFactory : ApiFactory
{
    public DatabaseCommandCounter Commands => Services.GetRequiredService<DatabaseCommandCounter>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddHttpContextAccessor()
            .AddSingleton(provider => new DatabaseCommandCounter(() => provider.GetRequiredService<IHttpContextAccessor>().HttpContext?.Request.Method == HttpMethods.Put))
            .ConfigureDbContext<HeadlessNewsDbContext>((provider, options) => options.AddInterceptors(provider.GetRequiredService<DatabaseCommandCounter>())));
    }
}

/// <summary>A change to content many articles use is refreshed in batches, and evicts only those articles' cached pages.</summary>
public sealed class ReadModelRefreshTests(CommandCountingApiFactory api) : IClassFixture<CommandCountingApiFactory>
{
    [Fact]
    public async Task Renaming_a_section_or_author_costs_the_same_few_commands_for_five_articles_as_for_fifty()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var (fewSection, fewAuthor) = await FiledAsync(editor, 5);
        var (manySection, manyAuthor) = await FiledAsync(editor, 50);

        // Find, check visibility, save with its event, relabel the read model, tell the change feed which articles it
        // changed: no query per article, nor per relation.
        var sectionCost = await RenameCostAsync(editor, "sections", fewSection);
        Assert.InRange(sectionCost, 1, 10);
        Assert.Equal(sectionCost, await RenameCostAsync(editor, "sections", manySection));
        var authorCost = await RenameCostAsync(editor, "authors", fewAuthor);
        Assert.InRange(authorCost, 1, 10);
        Assert.Equal(authorCost, await RenameCostAsync(editor, "authors", manyAuthor));
    }

    [Fact]
    public async Task An_author_given_a_new_slug_name_and_role_shows_them_on_every_delivered_shape_of_their_articles()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var author = await (await editor.PostAsJsonAsync("/v1/manage/authors", new { slug = $"sian-{Guid.NewGuid():N}", name = "Siân Morgan", role = "Reporter" }))
            .AssertSuccessAsync(HttpStatusCode.Created);
        var colleague = await editor.CreateAuthorAsync();
        var bylines = new[] { author.GetProperty("slug").GetString(), colleague.GetProperty("slug").GetString() };
        var slug = (await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Pier reopens"), authors = bylines, body = Editorial.OneParagraph() }))
            .GetProperty("slug").GetString()!;
        var reader = api.CreateClient();
        await reader.GetAsync($"/v1/articles/{slug}");

        var renamed = $"sam-{Guid.NewGuid():N}";
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/authors/{author.Id()}", author.Version(),
            new { slug = renamed, name = "Siân \"Sam\" Ó Morgan <b>" })).AssertSuccessAsync();

        var article = await reader.GetJsonAsync($"/v1/articles/{slug}");
        var listed = Assert.Single((await reader.GetJsonAsync($"/v1/articles?author={renamed}&include=body")).GetProperty("items").EnumerateArray());
        foreach (var shown in new[] { article, listed })
        {
            var first = shown.GetProperty("authors")[0];
            Assert.Equal(renamed, first.GetProperty("slug").GetString());
            Assert.Equal("Siân \"Sam\" Ó Morgan <b>", first.GetProperty("name").GetString());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, first.GetProperty("role").ValueKind);
            Assert.Equal(colleague.GetProperty("name").GetString(), shown.GetProperty("authors")[1].GetProperty("name").GetString());
        }
        Assert.Empty((await reader.GetJsonAsync($"/v1/articles?author={author.GetProperty("slug").GetString()}")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Renaming_a_section_evicts_the_cached_pages_of_its_articles_and_no_others()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var (section, _) = await FiledAsync(editor, 2);
        var inside = await PublishedSlugsAsync(editor, section);
        var outside = (await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Pier reopens"), body = Editorial.OneParagraph() })).GetProperty("slug").GetString()!;
        var reader = api.CreateClient();
        foreach (var slug in inside.Append(outside))
        {
            await reader.GetAsync($"/v1/articles/{slug}");
        }

        var renamed = Editorial.Unique("Renamed");
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/sections/{section.Id()}", section.Version(),
            new { name = renamed, slug = section.GetProperty("slug").GetString() })).AssertSuccessAsync();

        foreach (var slug in inside)
        {
            var page = await reader.GetAsync($"/v1/articles/{slug}");
            Assert.Null(page.Headers.Age);
            Assert.Contains(renamed, await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var untouched = await reader.GetAsync($"/v1/articles/{outside}");
        Assert.Equal(HttpStatusCode.OK, untouched.StatusCode);
        Assert.NotNull(untouched.Headers.Age);
    }

    /// <summary>A new section and author with <paramref name="count"/> published articles filed under and bylined to them.</summary>
    private static async Task<(System.Text.Json.JsonElement Section, System.Text.Json.JsonElement Author)> FiledAsync(HttpClient editor, int count)
    {
        var section = await editor.CreateSectionAsync();
        var author = await editor.CreateAuthorAsync();
        var quote = await editor.CreateQuoteAsync();
        var source = await editor.CreateSourceAsync();
        for (var i = 0; i < count; i++)
        {
            await editor.CreatePublishedAsync(new
            {
                headline = Editorial.Unique("Harbour works"),
                section = section.GetProperty("slug").GetString(),
                authors = new[] { author.GetProperty("slug").GetString() },
                tags = new[] { "harbour", Editorial.Unique("tag") },
                places = new[] { "Conwy" },
                sourceIds = new[] { source.Id() },
                body = new object[] { new { type = "paragraph", html = "Work starts on Monday." }, new { type = "quote", quoteId = quote.Id() } },
            });
        }
        return (section, author);
    }

    private static async Task<string[]> PublishedSlugsAsync(HttpClient editor, System.Text.Json.JsonElement section) =>
        [.. (await editor.GetJsonAsync($"/v1/manage/articles?section={section.GetProperty("slug").GetString()}")).GetProperty("items").EnumerateArray()
            .Select(a => a.GetProperty("slug").GetString()!)];

    /// <summary>How many commands renaming the section or author sent to the database.</summary>
    private async Task<int> RenameCostAsync(HttpClient editor, string collection, System.Text.Json.JsonElement entity)
    {
        var url = $"/v1/manage/{collection}/{entity.Id()}";
        var current = await editor.GetJsonAsync(url);
        var before = api.Commands.Commands;
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, url, current.Version(),
            new { name = Editorial.Unique("Renamed"), slug = entity.GetProperty("slug").GetString() })).AssertSuccessAsync();
        return api.Commands.Commands - before;
    }
}
