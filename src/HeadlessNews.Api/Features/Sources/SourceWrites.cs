using HeadlessNews.Api.Infrastructure.Domain;
using HeadlessNews.Api.Infrastructure.Events;

namespace HeadlessNews.Api.Features.Sources;

/// <summary>The one write path for sources, for every writer.</summary>
public static class SourceWrites
{
    public const string ResourceType = "source";

    private static readonly VersionedKind<Source> Kind = new()
    {
        Name = ResourceType,
        Content = ReferencedContent.Source,
        UpdatedEvent = ContentEventTypes.SourceUpdated,
    };

    public static Task<WriteResult<Source>> CreateAsync(HeadlessNewsDbContext db, TimeProvider clock, SaveSourceRequest input, CancellationToken cancellationToken)
    {
        var now = clock.Now();
        var source = new Source { Id = Guid.CreateVersion7(), Title = string.Empty, Version = 1, CreatedAt = now, UpdatedAt = now };
        Apply(source, input);
        return Kind.CreateAsync(db, source, cancellationToken);
    }

    /// <summary>Replaces it: every article citing it shows the change, and subscribers hear of it while one is visible.</summary>
    public static Task<WriteResult<Source>> UpdateAsync(
        HeadlessNewsDbContext db, TimeProvider clock, IArticleUsage usage, Guid id, ExpectedVersion expected, SaveSourceRequest input, CancellationToken cancellationToken) =>
        Kind.UpdateAsync(db, clock, usage, id, expected, source => Apply(source, input), cancellationToken);

    /// <summary>Deletes it unless a published (or scheduled) article cites it; quotes from it keep their text.</summary>
    public static Task<Refusal?> DeleteAsync(HeadlessNewsDbContext db, IArticleUsage usage, Guid id, ExpectedVersion expected, CancellationToken cancellationToken) =>
        Kind.DeleteAsync(db, usage, id, expected, cancellationToken);

    private static void Apply(Source source, SaveSourceRequest input)
    {
        source.Kind = input.Kind!.Value;
        source.Title = input.Title.Trim();
        source.Publisher = input.Publisher;
        source.Url = input.Url;
        source.PublishedOn = input.PublishedOn;
        source.Description = input.Description;
    }
}
