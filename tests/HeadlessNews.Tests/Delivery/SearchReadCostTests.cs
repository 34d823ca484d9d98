using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Delivery;

/// <summary>What a search reads: candidates are found through the index and ranked from in-row columns; whole vectors stay in TOAST.</summary>
public sealed class SearchReadCostTests(UncachedApiFactory api) : IClassFixture<UncachedApiFactory>
{
    [Fact]
    public async Task A_word_stemmed_differently_in_English_and_Welsh_is_searched_without_reading_each_matchs_whole_vector()
    {
        var editor = await api.ClientWithScopesAsync("*");
        // English stems "…ings" to its root, Welsh folding keeps it whole: the two queries differ, so an OR of them could not
        // be simplified away. A body of distinct words makes each article's full vector large enough to live in TOAST.
        var word = $"qzo{Guid.NewGuid().ToString("N")[..6]}ings";
        const int matches = 40;
        for (var i = 0; i < matches; i++)
        {
            var filler = string.Join(' ', Enumerable.Range(0, 400).Select(_ => Guid.NewGuid().ToString("N")[..10]));
            await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Pier works"), body = Editorial.OneParagraph($"The {word} began. {filler}") });
        }
        // The writes' block counts reach the statistics with their inserted-row counts.
        await Eventually.TrueAsync(async () => await StatAsync("SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'published_articles'") >= matches,
            "the inserts are in the statistics");
        var scans = await StatAsync("SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'ix_published_articles_search'");
        var toastBlocks = await ToastBlocksAsync();

        var hits = (await api.CreateClient().GetJsonAsync($"/v1/search?q={word}&types=articles&limit=1")).GetProperty("items").GetArrayLength();
        await Eventually.TrueAsync(async () => await StatAsync("SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'ix_published_articles_search'") > scans,
            "the search is in the statistics");

        Assert.Equal(1, hits);
        // The page's one snippet text is read from TOAST; re-checking every match's vector read each of the 40.
        Assert.InRange(await ToastBlocksAsync() - toastBlocks, 0, matches / 2);
    }

    private Task<long> ToastBlocksAsync() => StatAsync(
        "SELECT coalesce(toast_blks_hit, 0) + coalesce(toast_blks_read, 0) FROM pg_statio_user_tables WHERE relname = 'published_articles'");

    private Task<long> StatAsync(string sql) => api.WithDbAsync(db => db.Database.SqlQueryRaw<long>($"SELECT ({sql}) AS \"Value\"").SingleAsync());
}
