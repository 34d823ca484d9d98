using System.Text.Json.Nodes;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Notices;
using HeadlessNews.Tests.Support;
using Npgsql;

namespace HeadlessNews.Tests.Translations;

/// <summary>
/// pg_restore creates and fills tables with an empty search_path, computing the generated search vectors as it goes: the
/// functions those call must find each other by their schema (see the SearchFunctionsRestorable migration), or a
/// restored dump has no notices table.
/// </summary>
public sealed class RestorableTranslationVectorTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Translated_notices_and_quotes_get_their_vectors_with_an_empty_search_path_as_a_restore_has()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var notice = NoticeRequests.Valid();
        notice["translations"] = new JsonObject { ["cy"] = new JsonObject { ["title"] = "Cais cynllunio yng Nghonwy", ["body"] = "<p>Estyniad deulawr.</p>" } };
        var noticeId = (await editor.CreateAsync(notice)).GetProperty("id").GetGuid();
        var quoteId = (await editor.CreateAsync("/v1/manage/quotes", new
        {
            text = "We reopen on Saturday.", speaker = new { name = "Siân Morgan" }, translations = new Dictionary<string, object> { ["cy"] = new { text = "Rydym yn agor ddydd Sadwrn" } },
        })).GetProperty("id").GetGuid();

        // Unpooled: the empty search_path must not reach the API's connections.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(api.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var update = new NpgsqlCommand("""
            SET search_path = '';
            UPDATE public.notices SET title = title WHERE id = @notice;
            UPDATE public.quotes SET text = text WHERE id = @quote;
            """, connection);
        update.Parameters.AddWithValue("notice", noticeId);
        update.Parameters.AddWithValue("quote", quoteId);
        await update.ExecuteNonQueryAsync();
        await using var read = new NpgsqlCommand(
            "SELECT (SELECT search_vector::text FROM public.notices WHERE id = @notice), (SELECT search::text FROM public.quotes WHERE id = @quote)", connection);
        read.Parameters.AddWithValue("notice", noticeId);
        read.Parameters.AddWithValue("quote", quoteId);
        await using var reader = await read.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());

        Assert.Contains("'onwy'", reader.GetString(0), StringComparison.Ordinal);
        Assert.Contains("'sadwrn'", reader.GetString(1), StringComparison.Ordinal);
    }
}
