using System.Diagnostics;

namespace HeadlessNews.Tests.Support;

/// <summary>The one way tests wait: poll a condition until it holds, failing at a deadline (never a fixed sleep).</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, double seconds = 10)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(seconds), $"Timed out after {seconds} s waiting for: {what}");
            await Task.Delay(50); // the poll interval of this one waiting helper, not a wait for an outcome
        }
    }

    public static Task TrueAsync(Func<bool> condition, string what, double seconds = 10) =>
        TrueAsync(() => Task.FromResult(condition()), what, seconds);
}
