using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>
/// Stamps the idempotency record of the request a context serves in the same transaction as the request's own writes.
/// The response is stored only after they commit; a process that dies in between leaves a key whose work is done, and a
/// same-key retry must not do it again.
/// </summary>
internal sealed class IdempotencyCommitMarker(TimeProvider clock) : DbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, HeldKey> _held = [];

    public void Hold(DbContext context, Guid apiKeyId, string path, string key, Guid bootId) =>
        _held.AddOrUpdate(context, new HeldKey(apiKeyId, path, key, bootId));

    public void Release(DbContext context) => _held.Remove(context);

    public override async ValueTask<InterceptionResult> TransactionCommittingAsync(
        DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context && _held.TryGetValue(context, out var held))
        {
            await using var command = transaction.Connection!.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "UPDATE idempotency_records SET committed_at = $1 WHERE api_key_id = $2 AND path = $3 AND key = $4 AND owner_boot_id = $5";
            foreach (var value in new object[] { clock.GetUtcNow(), held.ApiKeyId, held.Path, held.Key, held.BootId })
            {
                var parameter = command.CreateParameter();
                parameter.Value = value;
                command.Parameters.Add(parameter);
            }
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        return result;
    }

    private sealed record HeldKey(Guid ApiKeyId, string Path, string Key, Guid BootId);
}
