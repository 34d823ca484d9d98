namespace HeadlessNews.Api.Infrastructure.Database;

/// <summary>
/// Database work that must still happen after the request that needed it has been answered, though the database was
/// away at the time (a cache eviction broadcast, settling an idempotency key): tried again in the background, with
/// back-off of at most <see cref="MaxDelay"/>, until it succeeds, the process stops, or <see cref="GiveUpAfter"/> passes.
/// </summary>
public sealed class DatabaseRetries(IHostApplicationLifetime lifetime, ILogger<DatabaseRetries> logger)
{
    /// <summary>The longest wait between tries: work left undone outlives the database's return by at most this.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(2);

    /// <summary>Starts retrying <paramref name="attempt"/> and returns at once; <paramref name="finished"/> runs when it succeeds or is given up.</summary>
    public void KeepTrying(string what, Func<CancellationToken, Task> attempt, Action? finished = null) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await RetryAsync(what, attempt, lifetime.ApplicationStopping);
            }
            finally
            {
                finished?.Invoke();
            }
        });

    private async Task RetryAsync(string what, Func<CancellationToken, Task> attempt, CancellationToken stopping)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var delay = FirstDelay;
        for (var tries = 1; ; tries++)
        {
            try
            {
                // Real time, not the injected clock: a back-off is not a business time.
                await Task.Delay(delay, stopping);
                await attempt(stopping);
                logger.LogInformation("{What}: done after {Tries} tries in the background", what, tries);
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                logger.LogWarning("{What}: not done, the process is stopping", what);
                return;
            }
            catch (Exception e) when (waited.Elapsed < GiveUpAfter)
            {
                logger.LogDebug(e, "{What}: try {Tries} failed", what, tries);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
            catch (Exception e)
            {
                logger.LogError(e, "{What}: given up after {Tries} tries in {Elapsed}", what, tries, waited.Elapsed);
                return;
            }
        }
    }
}
