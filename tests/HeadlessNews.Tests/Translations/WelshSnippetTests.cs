using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Translations;

/// <summary>Welsh search matches folded words; its snippets mark the words as the text spells them.</summary>
public sealed class WelshSnippetTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_Welsh_search_snippet_marks_the_mutated_form_its_query_word_found()
    {
        var snippet = await SnippetAsync("Cyngerdd", "Bydd cyngerdd mawr yng Nghaernarfon nos Sadwrn, a'r tocynnau ar werth yn y dref.", "caernarfon tref");

        Assert.Contains("yng <mark>Nghaernarfon</mark> nos", snippet, StringComparison.Ordinal);
        Assert.Contains("<mark>dref</mark>", snippet, StringComparison.Ordinal);
        Assert.DoesNotContain("<mark>yng</mark>", snippet, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_snippet_escapes_only_htmls_special_characters_so_accented_letters_stay_letters()
    {
        var snippet = await SnippetAsync("Caffi", "Mae'r caffi newydd yn gwerthu te &amp; bara brith, a dŵr glân o'r ffynnon: 5 &lt; 6.", string.Empty);

        Assert.Contains("te &amp; bara brith, a dŵr glân o&#39;r ffynnon: 5 &lt; 6. <mark>", snippet, StringComparison.Ordinal);
    }

    /// <summary>The snippet of the one Welsh story with <paramref name="bodyHtml"/> that a Welsh search for <paramref name="words"/> finds.</summary>
    private async Task<string?> SnippetAsync(string headline, string bodyHtml, string words)
    {
        var editor = await api.ClientWithScopesAsync("*");
        var marker = "x" + Guid.NewGuid().ToString("N")[..8];
        await editor.CreatePublishedAsync(new { headline = $"{headline} {marker}", language = "cy", body = Editorial.OneParagraph($"{bodyHtml} {marker}") });
        var found = await api.CreateClient().GetJsonAsync($"/v1/search?types=articles&language=cy&q={Uri.EscapeDataString($"{words} {marker}".Trim())}");
        return found.GetProperty("items").EnumerateArray().Single().GetProperty("snippet").GetString();
    }
}
