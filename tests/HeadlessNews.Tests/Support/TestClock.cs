using HeadlessNews.Api.Infrastructure.Database;

namespace HeadlessNews.Tests.Support;

/// <summary>The API's clock plus an offset the test controls, so timers still fire while a test moves "now".</summary>
public sealed class TestClock : PostgresClock
{
    private TimeSpan _offset;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;

    public void Advance(TimeSpan by) => _offset += by;

    /// <summary>Moves now to <paramref name="instant"/> (it keeps running from there).</summary>
    public void Set(DateTimeOffset instant) => _offset = instant - base.GetUtcNow();
}
