using HeadlessNews.Api.Infrastructure.Domain;

namespace HeadlessNews.Api.Features.Sections;

/// <summary>The one write path for sections, for every writer.</summary>
public static class SectionWrites
{
    public const string ResourceType = "section";

    private static readonly VersionedKind<Section> Kind = new()
    {
        Name = ResourceType,
        Content = ReferencedContent.Section,
        OnUniqueViolation = section => new SlugTaken($"Another section already has the slug '{section.Slug}'."),
        OnForeignKeyViolation = _ => new StateConflict("Articles were filed under this section meanwhile; move them first."),
        OtherDeletionBlock = async (db, id, cancellationToken) =>
            await db.Set<ApiKey>().AnyAsync(k => k.RevokedAt == null && k.SectionLimits.Contains(id), cancellationToken)
                ? new StateConflict("A partner API key is limited to this section; revoke that key first (renaming the section is safe: limits follow it).")
                : null,
    };

    public static async Task<WriteResult<Section>> CreateAsync(HeadlessNewsDbContext db, TimeProvider clock, SaveSectionRequest input, CancellationToken cancellationToken)
    {
        var slug = Slugs.ForName(input.Slug, input.Name);
        if (slug.Refusal is { } refusal)
        {
            return refusal;
        }
        var now = clock.Now();
        return await Kind.CreateAsync(db, new Section
        {
            Id = Guid.CreateVersion7(), Slug = slug.Value!, Name = input.Name, Description = input.Description,
            Translations = NameTranslations.Normalise(input.Translations), Version = 1, CreatedAt = now, UpdatedAt = now,
        }, cancellationToken);
    }

    /// <summary>Renames, re-slugs or re-describes it; every published article filed under it shows the change.</summary>
    public static Task<WriteResult<Section>> UpdateAsync(
        HeadlessNewsDbContext db, TimeProvider clock, IArticleUsage usage, Guid id, ExpectedVersion expected, SaveSectionRequest input, CancellationToken cancellationToken) =>
        Kind.UpdateAsync(db, clock, usage, id, expected, section =>
        {
            section.Name = input.Name;
            section.Slug = input.Slug ?? section.Slug;
            section.Description = input.Description;
            section.Translations = NameTranslations.Normalise(input.Translations);
        }, cancellationToken);

    /// <summary>Deletes it unless an article is filed under it or a live partner key is limited to it.</summary>
    public static Task<Refusal?> DeleteAsync(HeadlessNewsDbContext db, IArticleUsage usage, Guid id, ExpectedVersion expected, CancellationToken cancellationToken) =>
        Kind.DeleteAsync(db, usage, id, expected, cancellationToken);
}
