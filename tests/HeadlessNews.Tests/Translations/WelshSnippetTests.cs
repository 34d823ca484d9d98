using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Translations;

/// <summary>Welsh search matches folded words; its snippets mark the words as the text spells them.</summary>
public sealed class WelshSnippetTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_Welsh_search_snippet_marks_the_mutated_form_its_query_word_found()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var marker = "x" + Guid.NewGuid().ToString("N")[..8];
        await editor.CreatePublishedAsync(new
        {
            headline = $"Cyngerdd {marker}", language = "cy",
            body = Editorial.OneParagraph($"Bydd cyngerdd mawr yng Nghaernarfon nos Sadwrn, a'r tocynnau ar werth yn y dref. {marker}"),
        });

        var hit = (await api.CreateClient().GetJsonAsync($"/v1/search?types=articles&language=cy&q={Uri.EscapeDataString($"caernarfon tref {marker}")}"))
            .GetProperty("items").EnumerateArray().Single();

        var snippet = hit.GetProperty("snippet").GetString();
        Assert.Contains("yng <mark>Nghaernarfon</mark> nos", snippet, StringComparison.Ordinal);
        Assert.Contains("<mark>dref</mark>", snippet, StringComparison.Ordinal);
        Assert.DoesNotContain("<mark>yng</mark>", snippet, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_snippet_escapes_only_htmls_special_characters_so_accented_letters_stay_letters()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var marker = "x" + Guid.NewGuid().ToString("N")[..8];
        await editor.CreatePublishedAsync(new
        {
            headline = $"Caffi {marker}", language = "cy",
            body = Editorial.OneParagraph($"Mae'r caffi newydd yn gwerthu te &amp; bara brith, a dŵr glân o'r ffynnon: 5 &lt; 6. {marker}"),
        });

        var snippet = (await api.CreateClient().GetJsonAsync($"/v1/search?types=articles&language=cy&q={marker}"))
            .GetProperty("items").EnumerateArray().Single().GetProperty("snippet").GetString();

        Assert.Contains("te &amp; bara brith, a dŵr glân o&#39;r ffynnon: 5 &lt; 6. <mark>", snippet, StringComparison.Ordinal);
    }
}
