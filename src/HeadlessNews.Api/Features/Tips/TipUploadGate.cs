namespace HeadlessNews.Api.Features.Tips;

/// <summary>
/// How many tips with attachments one node reads, cleans, seals and stores at once (<see cref="TipsOptions.MaxConcurrentUploads"/>):
/// each holds one attachment at a time in memory for that (up to 10 MB, its cleaned and its sealed copy). Until a tip is let in, the form
/// reader keeps its files in temporary files on disk, so a tip waiting here costs a connection and disk, not memory.
/// </summary>
public sealed class TipUploadGate(IOptions<TipsOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentUploads);

    /// <summary>A slot to dispose when the tip is stored or refused; null when none came free within <see cref="TipsOptions.UploadQueueSeconds"/>.</summary>
    public async Task<IDisposable?> TryEnterAsync(CancellationToken cancellationToken) =>
        await _slots.WaitAsync(TimeSpan.FromSeconds(options.Value.UploadQueueSeconds), cancellationToken) ? new Slot(_slots) : null;

    public void Dispose() => _slots.Dispose();

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                try
                {
                    slots.Release();
                }
                catch (ObjectDisposedException)
                {
                    // A tip finishing while the host stops: the gate is gone with it.
                }
            }
        }
    }
}
