using HeadlessNews.Api.Features.Imports;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessNews.Tests.Imports;

/// <summary>Counts the commands and transactions an import sends to PostgreSQL (only while the test's import runs).</summary>
public sealed class ImportCostApiFactory : ApiFactory
{
    public ImportCostCounter Cost => Services.GetRequiredService<ImportCostCounter>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<ImportCostCounter>()
            .ConfigureDbContext<HeadlessNewsDbContext>((provider, options) => options.AddInterceptors(provider.GetRequiredService<ImportCostCounter>().Interceptor)));
    }
}

/// <summary>Counts what an import the test runs (and nothing running beside it) sends.</summary>
public sealed class ImportCostCounter
{
    private static readonly AsyncLocal<bool> Counting = new();

    public DatabaseCommandCounter Interceptor { get; } = new(() => Counting.Value);

    public async Task<ImportCost> MeasureAsync(Func<Task> work)
    {
        Interceptor.Reset();
        Counting.Value = true;
        try
        {
            await work();
        }
        finally
        {
            Counting.Value = false;
        }
        return new ImportCost(Interceptor.Commands, Interceptor.Transactions, Interceptor.Savepoints);
    }
}

/// <param name="Savepoints">Savepoints created and released: round trips too.</param>
public sealed record ImportCost(int Commands, int Transactions, int Savepoints)
{
    public int RoundTrips => Commands + Savepoints;
}

/// <summary>
/// An import's database work per post is a constant: no transaction of its own (each post is all or nothing inside its
/// chunk's one transaction), a fixed number of commands; a re-run checks posts a chunk at a time.
/// </summary>
public sealed class WordPressImportCostTests(ImportCostApiFactory api) : IClassFixture<ImportCostApiFactory>
{
    [Fact]
    public async Task A_published_post_is_one_article_write_and_a_rerun_asks_once_per_chunk_not_once_per_post()
    {
        var few = await GeneratedWxr.WriteAsync(NewRun(), 10);
        var many = await GeneratedWxr.WriteAsync(NewRun(), 40);
        var first10 = await CostAsync(few);
        var first40 = await CostAsync(many);

        // Authors, the section and the tag come once per run either way; each further post is its article's one write
        // (created published, with its source and old URLs), in the chunk's transaction: no transaction more, a fixed
        // handful of commands.
        Assert.InRange(first40.Transactions - first10.Transactions, 0, 1);
        Assert.InRange(first40.Transactions, 1, 3);
        Assert.InRange((first40.Commands - first10.Commands) / 30.0, 1, 24);

        // Nothing changed: one look-up per chunk of posts, however many posts, and no savepoint for a post that writes nothing.
        var again10 = await CostAsync(few);
        var again40 = await CostAsync(many);
        Assert.InRange(again40.RoundTrips - again10.RoundTrips, -2, 2);
        Assert.InRange(again40.Transactions - again10.Transactions, -2, 2);
    }

    [Fact]
    public async Task A_published_post_in_a_chunk_is_a_handful_of_round_trips_not_a_savepoint_per_save_and_a_query_per_reference()
    {
        var first10 = await CostAsync(await GeneratedWxr.WriteAsync(NewRun(), 10));
        var first40 = await CostAsync(await GeneratedWxr.WriteAsync(NewRun(), 40));

        // Each further post: its savepoint (taken with the release of the one before), the slug check, and one save of its
        // article with its source and old URLs (no savepoint around it). Its section, author and tag were found by the post
        // before it, and the slug lock is the chunk's.
        Assert.InRange((first40.RoundTrips - first10.RoundTrips) / 30.0, 1, 3);
    }

    internal static string NewRun() => "c" + Guid.NewGuid().ToString("N")[..8];

    private async Task<ImportCost> CostAsync(string file)
    {
        await api.WithDbAsync(_ => Task.FromResult(0));
        using var output = new StringWriter();
        var exit = 0;
        var cost = await api.Cost.MeasureAsync(async () =>
            exit = await WordPressImportCommand.RunAsync(api.Services, ["import", "wordpress", file, "--media", "skip"], output));
        Assert.True(exit == 0, output.ToString());
        Assert.Contains($"posts        created", output.ToString(), StringComparison.Ordinal);
        return cost;
    }
}
