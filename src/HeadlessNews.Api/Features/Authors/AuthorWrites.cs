using HeadlessNews.Api.Infrastructure.Domain;

namespace HeadlessNews.Api.Features.Authors;

/// <summary>The one write path for authors, for every writer.</summary>
public static class AuthorWrites
{
    public const string ResourceType = "author";

    private static readonly VersionedKind<Author> Kind = new()
    {
        Name = ResourceType,
        Content = ReferencedContent.Author,
        OnUniqueViolation = author => new SlugTaken($"Another author already has the slug '{author.Slug}'."),
        OnForeignKeyViolation = _ => new StateConflict("Articles were bylined to this author meanwhile; change them first."),
    };

    public static async Task<WriteResult<Author>> CreateAsync(HeadlessNewsDbContext db, TimeProvider clock, SaveAuthorRequest input, CancellationToken cancellationToken)
    {
        var slug = Slugs.ForName(input.Slug, input.Name);
        if (slug.Refusal is { } refusal)
        {
            return refusal;
        }
        var now = clock.Now();
        return await Kind.CreateAsync(db, new Author
        {
            Id = Guid.CreateVersion7(), Slug = slug.Value!, Name = input.Name, Role = input.Role, Bio = input.Bio,
            Translations = NameTranslations.Normalise(input.Translations), Version = 1, CreatedAt = now, UpdatedAt = now,
        }, cancellationToken);
    }

    /// <summary>Replaces name, slug, role and bio; every published article bylined to them shows the change.</summary>
    public static Task<WriteResult<Author>> UpdateAsync(
        HeadlessNewsDbContext db, TimeProvider clock, IArticleUsage usage, Guid id, ExpectedVersion expected, SaveAuthorRequest input, CancellationToken cancellationToken) =>
        Kind.UpdateAsync(db, clock, usage, id, expected, author =>
        {
            author.Name = input.Name;
            author.Slug = input.Slug ?? author.Slug;
            author.Role = input.Role;
            author.Bio = input.Bio;
            author.Translations = NameTranslations.Normalise(input.Translations);
        }, cancellationToken);

    /// <summary>Deletes them unless they have a byline.</summary>
    public static Task<Refusal?> DeleteAsync(HeadlessNewsDbContext db, IArticleUsage usage, Guid id, ExpectedVersion expected, CancellationToken cancellationToken) =>
        Kind.DeleteAsync(db, usage, id, expected, cancellationToken);
}
