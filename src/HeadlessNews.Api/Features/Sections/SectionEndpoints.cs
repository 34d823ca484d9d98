namespace HeadlessNews.Api.Features.Sections;

public static class SectionEndpoints
{
    private static readonly ManagedResourceRoutes<Section, SaveSectionRequest, SectionResponse> Routes = new()
    {
        Path = "sections", Name = "Section", ResourceType = SectionWrites.ResourceType,
        Create = SectionWrites.CreateAsync, Update = SectionWrites.UpdateAsync, Delete = SectionWrites.DeleteAsync,
        ListSummary = "List sections, most recently updated first.",
        UpdateSummary = "Replace a section's name, slug and description (If-Match).",
        DeleteSummary = "Delete a section no article is filed under (If-Match).",
        CreateMayConflict = true,
    };

    public static RouteGroupBuilder MapSections(this RouteGroupBuilder manage) => Routes.MapTo(manage);
}
