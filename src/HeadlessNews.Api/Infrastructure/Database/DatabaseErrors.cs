using System.Net.Sockets;
using Npgsql;

namespace HeadlessNews.Api.Infrastructure.Database;

/// <summary>
/// Recognises constraint violations that a concurrent request can cause between our checks and the commit, and
/// connections that died under a request.
/// </summary>
public static class DatabaseErrors
{
    public static bool IsUniqueViolation(this DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>A unique violation of the named constraint or index (a table with several tells them apart).</summary>
    public static bool IsUniqueViolation(this DbUpdateException exception, string constraint) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique && unique.ConstraintName == constraint;

    public static bool IsForeignKeyViolation(this DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation };

    /// <summary>
    /// The connection the work ran on was dead: the server ended it (57P01 administrator shutdown, 57P02 crash
    /// shutdown, 08xxx) or its socket failed. A pooled connection of a restarted server fails like this once; a fresh
    /// connection may well succeed. Timeouts are not among these: doing slow work again only makes it slower.
    /// </summary>
    public static bool IsBrokenConnection(this Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current switch
            {
                PostgresException postgres => postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                    || postgres.SqlState.StartsWith("08", StringComparison.Ordinal),
                NpgsqlException { InnerException: IOException or SocketException } => true,
                _ => false,
            })
            {
                return true;
            }
        }
        return false;
    }
}
