using HeadlessNews.Api.Features.Delivery;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Delivery;

/// <summary>English search snippets are marked in the API, word for word as PostgreSQL's ts_headline marked them.</summary>
public sealed class EnglishHighlighterTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const char Start = '\u0002';
    private const char End = '\u0003';

    private static readonly string[] Texts =
    [
        "Residents of Conwy were consulted on Tuesday about the flooded harbour walls; councillors said consulting them earlier would have helped.",
        "The city's flooding plans, and those of other cities along the coast, were agreed at a meeting that agreed nothing else.",
        "Dying trees on the quay are being felled, lying where they fell, tied together. The skies over Llandudno stayed grey as the felling crews worked generously long hours.",
        "Lifeboat volunteers (RNLI) launched twice: a kayaker and a 12-year-old swimmer were brought ashore by the crew's inshore boat.",
        "Happily, the ferry timetable for 2027 keeps the early sailings; an earlier draft had dropped them, angering commuters happier with dawn crossings.",
        "Running repairs to the sea-wall ran over budget, the runner-up bidder claimed, while the contractor's runners ran out of materials.",
        "Overnight closures of the A55 at junction 12 move to the week of the 14th; the diversion signs name route zyg1e82ce and routes beyond.",
        "Organisers organised an organisation of relational databases; the relationship between the sensational and the national was discussed nationally.",
    ];

    public static TheoryData<string> Queries => new()
    {
        "consult", "flooded harbour", "city", "cities agree", "dying", "sky", "generous", "lifeboat crew", "2027 early", "happy ferry",
        "run", "runners", "sea wall", "organisation", "national relations", "felling tree", "Conwy", "year old swimmer", "boats", "\"harbour walls\"",
        "ferry or lifeboat", "lying tied", "A55 closures", "zyg1e82ce", "14th junction 12", "route",
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task An_english_snippet_is_marked_word_for_word_as_ts_headline_marks_it(string query)
    {
        var lexemes = await api.WithDbAsync(db => db.Database.SqlQuery<string>($"""
            SELECT DISTINCT replace(m[1], '''''', '''') AS "Value"
              FROM regexp_matches(querytree(websearch_to_tsquery('english', hn_unaccent({query})))::text, '''((?:[^'']|'''')*)''', 'g') m
            """).ToListAsync());
        Assert.NotEmpty(lexemes);
        var highlighter = new EnglishHighlighter(lexemes);
        var anyMarked = false;
        foreach (var text in Texts)
        {
            var expected = await api.WithDbAsync(db => db.Database.SqlQuery<string>($"""
                SELECT ts_headline('english', {text}, websearch_to_tsquery('english', hn_unaccent({query})),
                                   'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', HighlightAll=true') AS "Value"
                """).SingleAsync());
            Assert.Equal(expected, highlighter.Mark(text, Start, End));
            anyMarked |= expected.Contains(Start, StringComparison.Ordinal);
        }
        Assert.True(anyMarked, $"'{query}' marks nothing in the texts: the comparison would prove nothing");
    }

    [Fact]
    public void A_word_is_marked_without_its_accents_as_it_was_indexed()
    {
        var highlighter = new EnglishHighlighter(["cafe", "mor"]);

        Assert.Equal("The <café> on the <Môr> promenade", highlighter.Mark("The café on the Môr promenade", '<', '>'));
    }

    [Fact]
    public async Task A_search_for_an_inflected_word_marks_each_form_of_it_in_the_snippet()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var marker = "x" + Guid.NewGuid().ToString("N")[..8];
        await editor.CreatePublishedAsync(new
        {
            headline = $"Harbour works {marker}",
            body = Editorial.OneParagraph($"Councillors consulted residents {marker} before consulting the harbour board; the consultation closes in May."),
        });

        var hit = (await api.CreateClient().GetJsonAsync($"/v1/search?types=articles&q={Uri.EscapeDataString($"consulting {marker}")}"))
            .GetProperty("items").EnumerateArray().Single();

        Assert.Equal($"Councillors <mark>consulted</mark> residents <mark>{marker}</mark> before <mark>consulting</mark> the harbour board; the <mark>consultation</mark> closes in May.",
            hit.GetProperty("snippet").GetString());
    }
}
