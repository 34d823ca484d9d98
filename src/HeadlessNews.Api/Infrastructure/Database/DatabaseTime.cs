namespace HeadlessNews.Api.Infrastructure.Database;

public static class DatabaseTime
{
    /// <summary>Now in UTC at PostgreSQL's microsecond precision, so a response built before the write equals what a later read returns.</summary>
    public static DateTimeOffset Now(this TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % 10));
    }
}
