using Npgsql;
using NpgsqlTypes;

namespace HeadlessNews.Api.Features.Tips;

/// <summary>
/// A tip's attachments, cleaned and sealed, each in a temporary file deleted when this is disposed, until they are stored
/// with the tip: memory holds the one being cleaned, not all of them. What is written to disk is already sealed.
/// </summary>
public sealed class SealedAttachments : IAsyncDisposable
{
    private readonly List<(FileStream File, string ContentType, long Length)> _files = [];

    public async Task AddAsync(string contentType, long length, byte[] sealedContent, CancellationToken cancellationToken)
    {
        var file = new FileStream(Path.Combine(Path.GetTempPath(), Path.GetRandomFileName()), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, bufferSize: 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        _files.Add((file, contentType, length));
        await file.WriteAsync(sealedContent, cancellationToken);
    }

    /// <summary>Inserts them in the order they were added, positions from 1, each streamed from its file.</summary>
    public async Task StoreAsync(HeadlessNewsDbContext db, Guid tipId, CancellationToken cancellationToken)
    {
        foreach (var ((file, contentType, length), position) in _files.Select((f, i) => (f, i + 1)))
        {
            file.Position = 0;
            var content = new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = file };
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"INSERT INTO tip_attachments (id, tip_id, position, content_type, length, sealed_content) VALUES ({Guid.NewGuid()}, {tipId}, {position}, {contentType}, {length}, {content})",
                cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (file, _, _) in _files)
        {
            await file.DisposeAsync();
        }
    }
}
