using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace HeadlessNews.Tests.Support;

/// <summary>
/// Counts the commands and transactions EF Core sends while <paramref name="counts"/> holds, so a test measures its own
/// work and not the background services running beside it.
/// </summary>
public sealed class DatabaseCommandCounter(Func<bool> counts) : DbCommandInterceptor, IDbTransactionInterceptor
{
    private int _commands;
    private int _transactions;
    private int _savepoints;

    public int Commands => Volatile.Read(ref _commands);

    public int Transactions => Volatile.Read(ref _transactions);

    /// <summary>Savepoints created and released (each a round trip, though not a command EF Core counts as one).</summary>
    public int Savepoints => Volatile.Read(ref _savepoints);

    public void Reset()
    {
        Interlocked.Exchange(ref _commands, 0);
        Interlocked.Exchange(ref _transactions, 0);
        Interlocked.Exchange(ref _savepoints, 0);
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Counted(ref _commands);
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Counted(ref _commands);
        return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Counted(ref _commands);
        return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
    }

    public ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        Counted(ref _transactions);
        return ValueTask.FromResult(result);
    }

    public ValueTask<InterceptionResult> CreatingSavepointAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        Counted(ref _savepoints);
        return ValueTask.FromResult(result);
    }

    public ValueTask<InterceptionResult> ReleasingSavepointAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        Counted(ref _savepoints);
        return ValueTask.FromResult(result);
    }

    private void Counted(ref int counter)
    {
        if (counts())
        {
            Interlocked.Increment(ref counter);
        }
    }
}
