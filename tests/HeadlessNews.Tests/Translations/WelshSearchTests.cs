using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace HeadlessNews.Tests.Translations;

/// <summary>Welsh words change at the start (mutations); search folds them so a word finds its mutated forms.</summary>
public sealed class WelshSearchTests(ApiFactory api, ITestOutputHelper output) : IClassFixture<ApiFactory>
{
    /// <summary>103 words with their radical (dictionary) form; the forms are made by the mutation rules below.</summary>
    private static readonly string[] Radicals = """
        Caerdydd Cymru cath cyngor car ceffyl capel cae Conwy coed cwm castell cwch Caernarfon cerdd
        pont pen plant pentref pysgod pobl Porthmadog papur parc pris pwll Pwllheli
        tref tad tŷ tafarn tywydd Tywyn tir traeth tân tîm Tremadog trên
        gardd Glannau gwaith gwlad Gwynedd gorsaf gŵyl gwesty glaw gwen gair gwyn
        bara bws Bangor brawd blodau Bethesda bore bwyd Betws bryn
        drws dinas Dinbych dŵr diwrnod Dolgellau dydd dafad Deiniolen drama
        llyfr llan Llandudno llwybr llyn llais llun Llanberis
        mam mynydd môr Môn merch meddyg Menai mis
        rhaglen rhif rhyfel Rhuthun rhew rhan Rhyl
        afon ysgol enw eglwys iaith arian oed uned ardal
        """.Split([' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Soft, nasal and aspirate mutations of a radical (h- before a vowel-initial word).</summary>
    private static IEnumerable<string> Mutations(string radical)
    {
        (string From, string[] To)[] rules =
        [
            ("ll", ["l"]), ("rh", ["r"]), ("c", ["g", "ngh", "ch"]), ("p", ["b", "mh", "ph"]), ("t", ["d", "nh", "th"]),
            ("g", ["", "ng"]), ("b", ["f", "m"]), ("d", ["dd", "n"]), ("m", ["f"]),
        ];
        var lower = radical.ToLowerInvariant();
        var (from, to) = rules.FirstOrDefault(r => lower.StartsWith(r.From, StringComparison.Ordinal), ("", ["h"]));
        return to.Select(initial => initial + lower[from.Length..]);
    }

    private static async Task<List<string>> SearchAsync(HttpClient reader, string q) =>
        [.. (await reader.GetJsonAsync($"/v1/search?types=articles&language=cy&limit=100&q={Uri.EscapeDataString(q)}"))
            .GetProperty("items").EnumerateArray().Select(i => i.GetProperty("slug").GetString()!)];

    [Fact]
    public async Task A_Welsh_word_finds_its_soft_nasal_and_aspirate_mutations_in_Welsh_articles()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var marker = Guid.NewGuid().ToString("N")[..8];
        async Task<string> PublishAsync(string text, string language = "cy") =>
            (await editor.CreatePublishedAsync(new { headline = $"{text} {marker}", body = Editorial.OneParagraph($"{text}."), language })).GetProperty("slug").GetString()!;
        var soft = await PublishAsync("Taith i Gaerdydd");
        var nasal = await PublishAsync("Cyngerdd yng Nghaerdydd");
        var aspirate = await PublishAsync("Abertawe a Chaerdydd");
        var lannau = await PublishAsync("Tywydd ar Lannau Dyfrdwy");
        var dref = await PublishAsync("Siopau'r dref yn cau");
        var english = await PublishAsync("Cardiff and Gaerdydd in English", "en-GB");

        string[] cardiff = [.. new[] { aspirate, nasal, soft }.Order()];
        Assert.Equal(cardiff, (await SearchAsync(reader, $"Caerdydd {marker}")).Order());
        Assert.Equal([lannau], await SearchAsync(reader, $"Glannau {marker}"));
        Assert.Equal([dref], await SearchAsync(reader, $"tref {marker}"));
        Assert.Equal(cardiff, (await SearchAsync(reader, $"Nghaerdydd {marker}")).Order());
        Assert.DoesNotContain(english, await SearchAsync(reader, $"Gaerdydd {marker}"));
        var list = await reader.GetStringAsync($"/v1/articles?language=cy&q={Uri.EscapeDataString($"Caerdydd {marker}")}");
        Assert.Contains(soft, list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Welsh_quote_is_found_by_a_word_of_its_English_rendering_and_an_English_one_by_a_mutated_word_of_its_Welsh_translation()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var marker = Guid.NewGuid().ToString("N")[..8];
        var welsh = await editor.CreateAsync("/v1/manage/quotes", new
        {
            text = $"Mae'r bont ar gau {marker}", speaker = new { name = "Siân Morgan" }, language = "cy",
            translations = new Dictionary<string, object> { ["en"] = new { text = $"The bridges are closed {marker}" } },
        });
        var english = await editor.CreateAsync("/v1/manage/quotes", new
        {
            text = $"The council meets in Cardiff {marker}", speaker = new { name = "Huw Jones" }, language = "en-GB",
            translations = new Dictionary<string, object> { ["cy"] = new { text = $"Mae'r cyngor yn cwrdd yng Nghaerdydd {marker}" } },
        });
        var body = new object[] { new { type = "quote", quoteId = welsh.Id() }, new { type = "quote", quoteId = english.Id() } };
        await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Menai bridge closed"), body });

        async Task<List<string>> FoundAsync(string url) =>
            [.. (await reader.GetJsonAsync(url)).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!)];
        // "bridge" is stemmed as English finds it in "bridges"; "Caerdydd" is folded as Welsh finds "Nghaerdydd".
        Assert.Equal([welsh.Id()], await FoundAsync($"/v1/quotes?q={Uri.EscapeDataString($"bridge {marker}")}"));
        Assert.Equal([welsh.Id()], await FoundAsync($"/v1/search?types=quotes&q={Uri.EscapeDataString($"bridge {marker}")}"));
        Assert.Equal([english.Id()], await FoundAsync($"/v1/quotes?q={Uri.EscapeDataString($"Caerdydd {marker}")}"));
        Assert.Equal([english.Id()], await FoundAsync($"/v1/search?types=quotes&q={Uri.EscapeDataString($"Caerdydd {marker}")}"));
    }

    [Fact]
    public async Task A_Welsh_draft_is_never_found_by_search_until_it_is_published()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var marker = Guid.NewGuid().ToString("N")[..8];
        var english = await editor.CreatePublishedAsync(new { headline = $"Lifeboat crew honoured {marker}", body = Editorial.OneParagraph("A rescue off Moelfre.") });
        var draft = await (await editor.PostJsonAsync($"/v1/manage/articles/{english.Id()}/translations", new { language = "cy", headline = $"Anrhydeddu criw'r bad achub ym Moelfre {marker}" }))
            .AssertSuccessAsync(System.Net.HttpStatusCode.Created);
        string[] searches = [$"/v1/search?q={marker}", $"/v1/search?language=cy&q={marker}", $"/v1/search?q=Moelfre%20{marker}", $"/v1/articles?q={marker}&limit=100", $"/v1/articles?language=cy&q={marker}"];

        foreach (var url in searches)
        {
            Assert.DoesNotContain(draft.Id(), await reader.GetStringAsync(url), StringComparison.Ordinal);
        }

        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{draft.Id()}/publish", draft.Version(), new { })).AssertSuccessAsync();
        Assert.Contains(draft.Id(), await reader.GetStringAsync($"/v1/search?language=cy&q={marker}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Welsh_folding_finds_at_least_95_percent_of_200_mutated_forms_with_at_most_5_percent_unrelated_results()
    {
        var forms = Radicals.SelectMany(r => Mutations(r).Select(form => (Radical: r, Form: form))).ToList();
        Assert.True(forms.Count >= 200, $"The test set has {forms.Count} forms.");
        var corpus = forms.Concat(Radicals.Select(r => (Radical: r, Form: r))).ToList();

        var matches = await api.WithDbAsync(db => db.Database.SqlQueryRaw<MatchRow>("""
            SELECT q.radical AS "Query", d.radical AS "Owner", d.form AS "Form"
              FROM unnest(@radicals) AS q(radical)
              JOIN unnest(@owners, @forms) AS d(radical, form)
                ON to_tsvector('simple', hn_welsh_fold(hn_unaccent(d.form))) @@ websearch_to_tsquery('simple', hn_welsh_fold(hn_unaccent(q.radical)))
            """,
            new Npgsql.NpgsqlParameter("radicals", Radicals), new Npgsql.NpgsqlParameter("owners", corpus.Select(c => c.Radical).ToArray()),
            new Npgsql.NpgsqlParameter("forms", corpus.Select(c => c.Form).ToArray())).ToListAsync());

        var found = forms.Count(f => matches.Any(m => m.Query == f.Radical && m.Owner == f.Radical && m.Form == f.Form));
        var unrelated = matches.Where(m => m.Query != m.Owner).ToList();
        output.WriteLine($"recall {found}/{forms.Count}; unrelated {unrelated.Count} of {matches.Count} results: {string.Join(", ", unrelated.Select(u => $"{u.Query}→{u.Form}"))}");
        Assert.True(found >= forms.Count * 0.95, $"Recall {found}/{forms.Count}.");
        Assert.True(unrelated.Count <= matches.Count * 0.05, $"{unrelated.Count} of {matches.Count} results are unrelated.");
    }

    private sealed record MatchRow(string Query, string Owner, string Form);
}
