using Mapster;

namespace HeadlessNews.Api.Features.Sections;

public static class SectionEndpoints
{
    private static readonly ManagedResourceRoutes<Section, SaveSectionRequest, SectionResponse> Routes = new()
    {
        Path = "sections", Name = "Section", ResourceType = SectionWrites.ResourceType,
        Create = SectionWrites.CreateAsync, Update = SectionWrites.UpdateAsync, Delete = SectionWrites.DeleteAsync,
        List = ListSections,
        ListSummary = "List every section by name.",
        UpdateSummary = "Replace a section's name, slug and description (If-Match).",
        DeleteSummary = "Delete a section no article is filed under (If-Match).",
        CreateMayConflict = true,
    };

    public static RouteGroupBuilder MapSections(this RouteGroupBuilder manage) => Routes.MapTo(manage);

    private static async Task<Ok<Page<SectionResponse>>> ListSections(HeadlessNewsDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(new Page<SectionResponse>(await db.Set<Section>().AsNoTracking().OrderBy(s => s.Name).ProjectToType<SectionResponse>().ToListAsync(cancellationToken), null));
}
