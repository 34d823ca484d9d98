using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Delivery;

/// <summary>Search runs a statement holding only the types asked: each subset must still find exactly its types.</summary>
public sealed class SearchTypesTests(UncachedApiFactory api) : IClassFixture<UncachedApiFactory>
{
    [Fact]
    public async Task Each_set_of_types_finds_exactly_those_types_and_none_asked_finds_all_four()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var word = "tyq" + Guid.NewGuid().ToString("N")[..6];
        var quote = await editor.CreateQuoteAsync($"The {word} ferry will sail again in the spring.");
        var source = await editor.CreateAsync("/v1/manage/sources", new { kind = "report", title = $"Ferry {word} review", publisher = "Harbour Board" });
        await editor.CreatePublishedAsync(new
        {
            headline = $"Ferry {word} returns to Holyhead",
            body = new object[] { new { type = "paragraph", html = "The crossing resumes." }, new { type = "quote", quoteId = quote.Id() } },
            sourceIds = new[] { source.Id() },
        });
        var notice = await editor.CreateAsync("/v1/manage/notices", new
        {
            reference = Editorial.Unique("IOA/2026"),
            category = "traffic_and_roads",
            title = $"Ferry {word} terminal road closure",
            body = "<p>The terminal road will be closed for resurfacing.</p>",
            issuer = new { name = "Isle of Anglesey County Council" },
        });
        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/notices/{notice.Id()}/publish", notice.Version(), new { })).AssertSuccessAsync();
        var reader = api.CreateClient();

        async Task<string[]> TypesFound(string? types) =>
            [.. (await reader.GetJsonAsync($"/v1/search?q={word}{(types is null ? "" : $"&types={types}")}")).GetProperty("items")
                .EnumerateArray().Select(hit => hit.GetProperty("type").GetString()!).Order()];

        Assert.Equal(["article", "notice", "quote", "source"], await TypesFound(null));
        Assert.Equal(["quote", "source"], await TypesFound("sources,quotes"));
        Assert.Equal(["article", "notice"], await TypesFound("notices,articles"));
        Assert.Equal(["quote"], await TypesFound("quotes,quotes"));
        Assert.Equal(["notice"], await TypesFound("notices"));
    }
}
