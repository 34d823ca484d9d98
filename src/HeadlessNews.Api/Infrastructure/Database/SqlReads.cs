using Npgsql;

namespace HeadlessNews.Api.Infrastructure.Database;

/// <summary>
/// Parameterised SQL read straight from a <see cref="ReadDatabase.DataSource"/> (so the read database's replica routing
/// still applies), for the hottest delivery reads and for SQL that LINQ cannot express. Measured on the latest-articles
/// list, EF's per-execution work (expression hashing, parameter extraction, a delegate created for every run) cost more
/// CPU than PostgreSQL's own.
/// </summary>
public static class SqlReads
{
    public static async Task<List<T>> ReadAsync<T>(this NpgsqlDataSource dataSource, string sql, IEnumerable<NpgsqlParameter> parameters,
        Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(parameter);
        }
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }
        return rows;
    }
}
