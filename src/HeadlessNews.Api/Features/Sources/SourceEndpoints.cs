
namespace HeadlessNews.Api.Features.Sources;

public static class SourceEndpoints
{
    private static readonly ManagedResourceRoutes<Source, SaveSourceRequest, SourceResponse> Routes = new()
    {
        Path = "sources", Name = "Source", ResourceType = SourceWrites.ResourceType,
        Create = SourceWrites.CreateAsync, Update = SourceWrites.UpdateAsync, Delete = SourceWrites.DeleteAsync,
        List = ListSources,
        ListSummary = "List sources, most recently updated first.",
        UpdateSummary = "Replace a source (If-Match); every article citing it shows the change.",
        DeleteSummary = "Delete a source no published article cites (If-Match); quotes from it keep their text.",
    };

    public static RouteGroupBuilder MapSources(this RouteGroupBuilder manage) => Routes.MapTo(manage);

    private static Task<Results<Ok<Page<SourceResponse>>, ProblemHttpResult>> ListSources(
        int? limit, string? cursor, HttpContext http, HeadlessNewsDbContext db, TokenSigner signer, CancellationToken cancellationToken) =>
        db.ListRecentlyUpdatedAsync<Source, SourceResponse>(limit, cursor, http, signer, cancellationToken);
}
