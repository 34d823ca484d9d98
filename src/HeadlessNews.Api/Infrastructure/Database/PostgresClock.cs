namespace HeadlessNews.Api.Infrastructure.Database;

/// <summary>
/// The system clock at PostgreSQL's precision, whole microseconds: an instant the API answers with at once (a create's
/// <c>createdAt</c>) is then the instant every later read of it answers with, not one with a seventh decimal more.
/// </summary>
public class PostgresClock : TimeProvider
{
    public static readonly PostgresClock Instance = new();

    public override DateTimeOffset GetUtcNow()
    {
        var now = base.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}
