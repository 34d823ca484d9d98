using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace HeadlessNews.Tests.Foundation;

public sealed class ConnectionDefaultsTests
{
    [Fact]
    public void A_connection_string_that_says_nothing_gets_the_timeouts_preparation_no_reset_and_buffers()
    {
        var builder = new NpgsqlConnectionStringBuilder("Host=db.example;Username=news;Database=news");

        DatabaseEndpoint.ApplyDefaults(builder, commandTimeoutSeconds: 15, timeoutSeconds: 5);

        Assert.Equal(15, builder.CommandTimeout);
        Assert.Equal(5, builder.Timeout);
        Assert.Equal(64, builder.MaxAutoPrepare);
        Assert.True(builder.NoResetOnClose);
        Assert.Equal(DatabaseEndpoint.MaxPoolSize, builder.MaxPoolSize);
        Assert.Equal(65536, builder.ReadBufferSize);
        Assert.Equal("-c jit=off", builder.Options);
    }

    [Fact]
    public void What_the_connection_string_says_wins_however_it_spells_the_keyword()
    {
        // Behind PgBouncer in transaction mode an operator turns preparation off and keeps the reset.
        var builder = new NpgsqlConnectionStringBuilder("Host=db.example;CommandTimeout=40;timeout=9;Max Auto Prepare=0;No Reset On Close=false;Maximum Pool Size=150;ReadBufferSize=8192;Options=-c work_mem=64MB");

        DatabaseEndpoint.ApplyDefaults(builder, commandTimeoutSeconds: 15, timeoutSeconds: 5);

        Assert.Equal(40, builder.CommandTimeout);
        Assert.Equal(9, builder.Timeout);
        Assert.Equal(0, builder.MaxAutoPrepare);
        Assert.False(builder.NoResetOnClose);
        Assert.Equal(150, builder.MaxPoolSize);
        Assert.Equal(8192, builder.ReadBufferSize);
        Assert.Equal("-c work_mem=64MB", builder.Options);
    }
}

public sealed class ConnectionSessionTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task The_APIs_connections_run_without_PostgreSQLs_JIT_compiler()
    {
        var jit = await api.WithDbAsync(db => db.Database.SqlQueryRaw<string>("SELECT current_setting('jit') AS \"Value\"").SingleAsync());

        Assert.Equal("off", jit);
    }
}
