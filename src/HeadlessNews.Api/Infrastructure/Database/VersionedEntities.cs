namespace HeadlessNews.Api.Infrastructure.Database;

/// <summary>A managed resource written with optimistic concurrency: its integer version is its ETag.</summary>
public interface IVersioned
{
    Guid Id { get; }
    int Version { get; }
    DateTimeOffset UpdatedAt { get; }
}

/// <summary>A versioned entity whose writes bump its version and stamp the change.</summary>
public interface IVersionedEntity : IVersioned
{
    new int Version { get; set; }
    new DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A versioned resource that keeps when it was made: delivery lists it newest first by that.</summary>
public interface ICreatedVersioned : IVersioned
{
    DateTimeOffset CreatedAt { get; }
}
