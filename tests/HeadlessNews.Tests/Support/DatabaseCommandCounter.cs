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

    public int Commands => Volatile.Read(ref _commands);

    public int Transactions => Volatile.Read(ref _transactions);

    public void Reset()
    {
        Interlocked.Exchange(ref _commands, 0);
        Interlocked.Exchange(ref _transactions, 0);
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

    private void Counted(ref int counter)
    {
        if (counts())
        {
            Interlocked.Increment(ref counter);
        }
    }
}
