namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>Answers meant for one caller only (management, previews, partner feeds): no cache, shared or private, may keep them.</summary>
public static class PrivateResponses
{
    public const string CacheControl = "private, no-store";

    /// <summary>
    /// Every answer under <c>/v1/manage</c> and <c>/v1/tips</c> (a reader's tip and its replies), refusals included (401, 403, 405, 429, validation 400s): set before the
    /// rest of the pipeline runs, so whatever answers keeps it.
    /// </summary>
    public static IApplicationBuilder UsePrivateManagementResponses(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (ApiSurfaces.Of(context.Request.Path) is ApiSurface.Management or ApiSurface.Tips)
        {
            context.Response.Headers.CacheControl = CacheControl;
        }
        return next(context);
    });
}
