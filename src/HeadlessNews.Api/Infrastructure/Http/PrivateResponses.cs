namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>Answers meant for one caller only (management, previews, partner feeds): no cache, shared or private, may keep them.</summary>
public static class PrivateResponses
{
    public const string CacheControl = "private, no-store";

    public static RouteGroupBuilder WithPrivateResponses(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter((context, next) =>
        {
            context.HttpContext.Response.Headers.CacheControl = CacheControl;
            return next(context);
        });
        return group;
    }
}
