namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>The parts of the API a path belongs to, each with its own rate budget, caching and database rules.</summary>
public enum ApiSurface
{
    /// <summary>Outside the versioned API (health checks, the OpenAPI document).</summary>
    None,
    Delivery,
    /// <summary>Feeds, the change feed and sitemaps: the partner-facing reads, which also accept <c>?key=</c>.</summary>
    Feeds,
    Management,
    /// <summary>A reader's tips and their replies.</summary>
    Tips,
}

public static class ApiSurfaces
{
    public static ApiSurface Of(PathString path) =>
        path.StartsWithSegments("/v1/manage") ? ApiSurface.Management
        : path.StartsWithSegments("/v1/tips") ? ApiSurface.Tips
        : path.StartsWithSegments("/v1/feeds") || path.StartsWithSegments("/v1/changes") || path.StartsWithSegments("/sitemaps") ? ApiSurface.Feeds
        : path.StartsWithSegments("/v1") ? ApiSurface.Delivery
        : ApiSurface.None;
}
