using System.Net;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Delivery;

/// <summary>What one anonymous request can make the database do through <c>q</c>, and what a shared answer carries.</summary>
public sealed class SearchLimitTests(UncachedApiFactory api) : IClassFixture<UncachedApiFactory>
{
    public static TheoryData<string> RoutesTakingQ => new() { "/v1/search", "/v1/articles", "/v1/quotes", "/v1/sources", "/v1/notices" };

    [Theory]
    [MemberData(nameof(RoutesTakingQ))]
    public async Task A_query_of_more_than_eight_words_is_a_400_naming_q(string route)
    {
        var problem = await (await api.CreateClient().GetAsync($"{route}?q=one%20two%20three%20four%20five%20six%20seven%20eight%20nine"))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("q", out _), problem.ToString());
    }

    [Theory]
    [MemberData(nameof(RoutesTakingQ))]
    public async Task A_query_longer_than_200_characters_is_a_400_naming_q(string route)
    {
        var problem = await (await api.CreateClient().GetAsync($"{route}?q={new string('a', 201)}")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("q", out _), problem.ToString());
    }

    [Theory]
    [MemberData(nameof(RoutesTakingQ))]
    public async Task Eight_words_with_phrases_or_and_exclusions_are_searched(string route)
    {
        var q = Uri.EscapeDataString("\"harbour wall\" or pier -ferry Llandudno Conwy bridge");
        await (await api.CreateClient().GetAsync($"{route}?q={q}")).AssertSuccessAsync();
    }

    [Fact]
    public async Task A_snippet_is_cut_from_the_first_4000_characters_of_the_text()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var word = "snp" + Guid.NewGuid().ToString("N")[..6];
        var filler = Enumerable.Range(0, 40).Select(i => new
        {
            type = "paragraph",
            html = $"Paragraph {i}: the town council heard from residents about parking, bins, buses and the summer carnival before moving on.",
        });
        var deep = await editor.CreatePublishedAsync(new
        {
            headline = Editorial.Unique("Long council minutes"),
            body = (object[])[.. filler, new { type = "paragraph", html = $"Finally, the {word} appeared at the very end." }],
        });

        var hit = Assert.Single((await api.CreateClient().GetJsonAsync($"/v1/search?q={word}&types=articles")).GetProperty("items").EnumerateArray());
        Assert.Equal(deep.Id(), hit.Id());
        var snippet = hit.GetProperty("snippet").GetString()!;
        Assert.DoesNotContain("<mark>", snippet, StringComparison.Ordinal);
        Assert.StartsWith("Paragraph 0", snippet, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_match_two_thousand_characters_in_is_marked_in_a_snippet_cut_around_it()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var word = "mid" + Guid.NewGuid().ToString("N")[..6];
        var filler = Enumerable.Range(0, 18).Select(i => new
        {
            type = "paragraph",
            html = $"Paragraph {i}: the town council heard from residents about parking, bins, buses and the summer carnival before moving on.",
        });
        var story = await editor.CreatePublishedAsync(new
        {
            headline = Editorial.Unique("Long council minutes"),
            body = (object[])[.. filler, new { type = "paragraph", html = $"Then the {word} was raised by a councillor. Any other business followed." }],
        });

        var hit = Assert.Single((await api.CreateClient().GetJsonAsync($"/v1/search?q={word}&types=articles")).GetProperty("items").EnumerateArray());
        Assert.Equal(story.Id(), hit.Id());
        var snippet = hit.GetProperty("snippet").GetString()!;
        Assert.Contains($"<mark>{word}</mark> was raised", snippet, StringComparison.Ordinal);
        Assert.DoesNotContain("Paragraph 0:", snippet, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_snippet_is_cut_around_the_first_match_even_when_it_starts_a_sentence()
    {
        var editor = await api.ClientWithScopesAsync("*");
        // Letters only (a word with a digit is indexed unstemmed), none a suffix the English stemmer takes off.
        var word = "pupil" + string.Concat(Guid.NewGuid().ToByteArray()[..6].Select(b => "bdfghkmpw"[b % 9])) + "k";
        var filler = Enumerable.Range(0, 8).Select(i => $"Paragraph {i}: the school governors heard about the roof, the minibus and the summer fair before moving on.");
        var later = Enumerable.Range(8, 12).Select(i => $"Paragraph {i}: the head teacher reported on the new library and the playground markings.");
        await editor.CreatePublishedAsync(new
        {
            headline = Editorial.Unique("School governors meet"),
            body = filler.Append($"{char.ToUpperInvariant(word[0])}{word[1..]}s planted five hundred trees on the hillside.")
                .Concat(later).Append($"One {word} said the wood would outlive them all.")
                .Select(html => new { type = "paragraph", html }).ToArray(),
        });

        var hit = Assert.Single((await api.CreateClient().GetJsonAsync($"/v1/search?q={word}s&types=articles")).GetProperty("items").EnumerateArray());

        Assert.Contains($"<mark>{char.ToUpperInvariant(word[0])}{word[1..]}s</mark> planted five hundred trees", hit.GetProperty("snippet").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_snippet_cut_around_a_match_deep_in_the_text_starts_and_ends_on_whole_words()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var word = "cut" + Guid.NewGuid().ToString("N")[..6];
        var paragraphs = Enumerable.Range(0, 18)
            .Select(i => $"Paragraph {i}: the town councillors heard from residents about parking, bins, buses and the summer carnival before moving on.")
            .Append($"Then the {word} was raised by a councillor, and the neighbourhood watch coordinator answered questions about streetlights.")
            .Concat(Enumerable.Range(18, 6).Select(i => $"Paragraph {i}: the committee adjourned for refreshments before the transportation subcommittee reconvened."))
            .ToList();
        await editor.CreatePublishedAsync(new
        {
            headline = Editorial.Unique("Long council minutes"),
            body = paragraphs.Select(html => new { type = "paragraph", html }).ToArray(),
        });

        var hit = Assert.Single((await api.CreateClient().GetJsonAsync($"/v1/search?q={word}&types=articles")).GetProperty("items").EnumerateArray());
        var snippet = hit.GetProperty("snippet").GetString()!;
        Assert.Contains($"<mark>{word}</mark> was raised", snippet, StringComparison.Ordinal);
        var words = paragraphs.SelectMany(p => p.Split(' ')).ToHashSet();
        Assert.All(snippet.Replace("<mark>", "", StringComparison.Ordinal).Replace("</mark>", "", StringComparison.Ordinal).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries),
            token => Assert.Contains(token, words));
    }

    [Fact]
    public async Task A_next_link_carries_only_the_parameters_the_route_defines()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var section = await editor.CreateSectionAsync();
        var slug = section.GetProperty("slug").GetString()!;
        for (var i = 0; i < 2; i++)
        {
            await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Pier repairs"), body = Editorial.OneParagraph(), section = slug });
        }

        var response = await api.CreateClient().GetAsync($"/v1/articles?section={slug}&limit=1&utm_source=newsletter&fbclid=abc");
        await response.AssertSuccessAsync();
        var link = string.Join(',', response.Headers.GetValues("Link"));
        Assert.Contains($"section={slug}", link, StringComparison.Ordinal);
        Assert.Contains("limit=1", link, StringComparison.Ordinal);
        Assert.DoesNotContain("utm_source", link, StringComparison.Ordinal);
        Assert.DoesNotContain("fbclid", link, StringComparison.Ordinal);
    }
}
