
namespace HeadlessNews.Api.Features.Sources;

public static class SourceEndpoints
{
    private static readonly ManagedResourceRoutes<Source, SaveSourceRequest, SourceResponse> Routes = new()
    {
        Path = "sources", Name = "Source", ResourceType = SourceWrites.ResourceType,
        Create = SourceWrites.CreateAsync, Update = SourceWrites.UpdateAsync, Delete = SourceWrites.DeleteAsync,
        ListSummary = "List sources, most recently updated first.",
        UpdateSummary = "Replace a source (If-Match); every article citing it shows the change.",
        DeleteSummary = "Delete a source no published article cites (If-Match); quotes from it keep their text.",
    };

    public static RouteGroupBuilder MapSources(this RouteGroupBuilder manage) => Routes.MapTo(manage);
}
