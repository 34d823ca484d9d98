using HeadlessNews.Tests.Support;
using Npgsql;

namespace HeadlessNews.Tests.Delivery;

/// <summary>
/// The functions every written row's search vectors and search-terms index are computed with (see the
/// SearchFunctionsPlannedOnce migration): PL/pgSQL, so a write does not parse and plan them again, with the results the
/// SQL versions gave (the indexes built with those stay valid).
/// </summary>
public sealed class SearchFunctionsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task The_functions_a_write_calls_are_plpgsql_so_no_statement_plans_them_again()
    {
        var languages = await QueryAsync<string>("""
            SELECT p.proname || ' ' || l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
             WHERE p.proname IN ('hn_unaccent', 'hn_welsh_fold', 'hn_search_terms', 'hn_translated_text_vector') ORDER BY 1
            """);
        Assert.Equal(["hn_search_terms plpgsql", "hn_translated_text_vector plpgsql", "hn_unaccent plpgsql", "hn_welsh_fold plpgsql"], languages);
    }

    [Theory]
    [InlineData("Llanfair Pwllheli café", "Llanfair Pwllheli cafe")]
    [InlineData("Gŵyl y Môr, Tŷ'r Ysgol", "Gwyl y Mor, Ty'r Ysgol")]
    public async Task Unaccent_folds_accents_as_the_unaccent_dictionary_does(string text, string expected)
    {
        Assert.Equal(expected, Assert.Single(await QueryAsync<string>("SELECT hn_unaccent(@text)", ("text", text))));
    }

    [Theory]
    [InlineData("yng Nghaerdydd", "  aerdydd")]
    [InlineData("i Gaerdydd a Chaerdydd", "  aerdydd   aerdydd")]
    [InlineData("Pont Llan Rhyl", "Pont lan ryl")]
    [InlineData("ffordd", "Fordd")]
    public async Task Welsh_fold_reduces_each_mutation_family_to_one_initial(string text, string expected)
    {
        Assert.Equal(expected.ToLowerInvariant(), Assert.Single(await QueryAsync<string>("SELECT hn_welsh_fold(@text)", ("text", text))));
    }

    [Fact]
    public async Task Search_terms_prefix_each_lexeme_with_the_language_class_and_the_month_in_utc()
    {
        var english = await QueryAsync<string[]>("SELECT hn_search_terms(to_tsvector('english', 'Harbour walls'), '2026-11-30 23:30:00-02', 'en')");
        var welsh = await QueryAsync<string[]>("SELECT hn_search_terms(to_tsvector('simple', 'harbwr'), '2026-12-01 00:10:00+00', 'cy')");
        var empty = await QueryAsync<string[]>("SELECT hn_search_terms(''::tsvector, now(), 'en')");

        Assert.Equal(["e202612 harbour", "e202612 wall"], Assert.Single(english));
        Assert.Equal(["c202612 harbwr"], Assert.Single(welsh));
        Assert.Empty(Assert.Single(empty));
    }

    [Fact]
    public async Task A_translated_text_vector_holds_each_translation_in_its_language_and_none_without_translations()
    {
        var vectors = await QueryAsync<string>("""
            SELECT hn_translated_text_vector(t, 'text', 'A', 5000)::text
              FROM (VALUES ('{}'::jsonb), ('{"cy": {"text": "yng Nghaerdydd"}, "en": {"text": "Harbours"}}'::jsonb)) v(t)
            """);

        Assert.Equal(["", "'aerdydd':1A 'harbour':2A"], vectors);
    }

    private async Task<List<T>> QueryAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetFieldValue<T>(0));
        }
        return rows;
    }
}
