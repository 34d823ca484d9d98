namespace HeadlessNews.Api.Infrastructure.Database;

public static class DatabaseTime
{
    /// <summary>Now in UTC at PostgreSQL's microsecond precision, so a response built before the write equals what a later read returns.</summary>
    public static DateTimeOffset Now(this TimeProvider clock) => AsStored(clock.GetUtcNow());

    /// <summary>UTC, at PostgreSQL's microsecond precision, so a write's response equals what later reads return.</summary>
    public static DateTimeOffset AsStored(DateTimeOffset instant) => new(instant.UtcTicks - instant.UtcTicks % 10, TimeSpan.Zero);

    public static DateTimeOffset? AsStored(DateTimeOffset? instant) => instant is { } value ? AsStored(value) : null;
}
