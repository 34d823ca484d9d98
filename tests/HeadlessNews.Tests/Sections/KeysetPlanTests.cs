using System.Collections.Concurrent;
using System.Data.Common;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HeadlessNews.Tests.Sections;

/// <summary>Keeps the SQL and parameters of the queries EF Core sends for requests that follow a cursor (a list's later pages).</summary>
public sealed class CursorQueryCapturingApiFactory : ApiFactory
{
    public ConcurrentQueue<(string Sql, NpgsqlParameter[] Parameters)> CursorQueries => Services.GetRequiredService<CursorQueries>().Captured;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddHttpContextAccessor()
            .AddSingleton(provider => new CursorQueries(provider.GetRequiredService<IHttpContextAccessor>()))
            .ConfigureDbContext<HeadlessNewsDbContext>((provider, options) => options.AddInterceptors(provider.GetRequiredService<CursorQueries>())));
    }
}

public sealed class CursorQueries(IHttpContextAccessor http) : DbCommandInterceptor
{
    public ConcurrentQueue<(string Sql, NpgsqlParameter[] Parameters)> Captured { get; } = new();

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (http.HttpContext?.Request.Query.ContainsKey("cursor") == true)
        {
            Captured.Enqueue((command.CommandText, [.. command.Parameters.Cast<NpgsqlParameter>().Select(p => p.Clone())]));
        }
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }
}

public sealed class KeysetPlanTests(CursorQueryCapturingApiFactory api) : IClassFixture<CursorQueryCapturingApiFactory>
{
    [Theory]
    [InlineData("sections")]
    [InlineData("authors")]
    public async Task A_later_page_starts_its_index_scan_at_the_cursor_with_a_row_comparison(string table)
    {
        var editor = await api.ClientWithScopesAsync("content:write");
        for (var i = 0; i < 3; i++)
        {
            await (table == "sections" ? editor.CreateSectionAsync() : editor.CreateAuthorAsync());
        }
        var next = (await editor.GetJsonAsync($"/v1/manage/{table}?limit=2")).GetProperty("next").GetString()!;
        api.CursorQueries.Clear();
        await (await editor.GetAsync($"/v1/manage/{table}?limit=2&cursor={Uri.EscapeDataString(next)}")).AssertSuccessAsync();
        var (sql, parameters) = Assert.Single(api.CursorQueries, q => q.Sql.Contains($"FROM {table}", StringComparison.Ordinal));

        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off", connection))
        {
            await off.ExecuteNonQueryAsync();
        }
        await using var explain = new NpgsqlCommand("EXPLAIN " + sql, connection);
        explain.Parameters.AddRange(parameters);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }
        // The cursor bounds the scan (an OR condition would only filter it): it reads the page's rows and no others.
        Assert.Contains(plan, line => line.Contains($"ix_{table}_updated_at_id", StringComparison.Ordinal));
        Assert.Contains(plan, line => line.Contains("Index Cond: (ROW(", StringComparison.Ordinal) && line.Contains("updated_at, ", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("Sort", StringComparison.Ordinal) || line.Contains("Filter", StringComparison.Ordinal));
    }
}
