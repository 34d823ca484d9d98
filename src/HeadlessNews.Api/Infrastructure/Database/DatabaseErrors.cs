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
    /// shutdown, 08xxx but a protocol violation, which would only fail again) or its socket failed. A pooled connection of a
    /// restarted server fails like this once; a fresh connection may well succeed. Timeouts are not among these: doing slow
    /// work again only makes it slower.
    /// </summary>
    public static bool IsBrokenConnection(this Exception exception) => Chain(exception).Any(e => e switch
    {
        PostgresException postgres => postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
            || (postgres.SqlState.StartsWith("08", StringComparison.Ordinal) && postgres.SqlState != PostgresErrorCodes.ProtocolViolation),
        NpgsqlException { InnerException: IOException or SocketException } => true,
        _ => false,
    });

    /// <summary>
    /// The server went away or cannot take connections yet (starting up, shutting down, restarting): whatever was being
    /// written did not commit, and the same work later may well succeed. A timeout or a refused statement is not this.
    /// </summary>
    public static bool IsServerGone(this Exception exception) =>
        exception.IsBrokenConnection() || Chain(exception).Any(e => e is PostgresException { SqlState: PostgresErrorCodes.CannotConnectNow });

    /// <summary>
    /// The database cannot serve the request now, for a reason of its own rather than the request's: gone (see
    /// <see cref="IsServerGone"/>), out of connections, cancelled by an operator or a timeout, or a transient failure.
    /// </summary>
    public static bool IsDatabaseUnavailable(this Exception exception) => exception.IsServerGone() || Chain(exception).Any(e => e switch
    {
        PostgresException pg => pg.SqlState is PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.QueryCanceled,
        NpgsqlException { IsTransient: true } => true,
        SocketException or TimeoutException or EndOfStreamException => true,
        _ => false,
    });

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }
}
