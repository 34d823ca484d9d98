namespace HeadlessNews.Api.Features.Authors;

public static class AuthorEndpoints
{
    private static readonly ManagedResourceRoutes<Author, SaveAuthorRequest, AuthorResponse> Routes = new()
    {
        Path = "authors", Name = "Author", ResourceType = AuthorWrites.ResourceType,
        Create = AuthorWrites.CreateAsync, Update = AuthorWrites.UpdateAsync, Delete = AuthorWrites.DeleteAsync,
        ListSummary = "List authors, most recently updated first.",
        UpdateSummary = "Replace an author's name, slug, role and bio (If-Match).",
        DeleteSummary = "Delete an author who has no bylines (If-Match).",
        CreateMayConflict = true,
    };

    public static RouteGroupBuilder MapAuthors(this RouteGroupBuilder manage) => Routes.MapTo(manage);
}
