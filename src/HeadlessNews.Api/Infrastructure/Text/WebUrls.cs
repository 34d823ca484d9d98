namespace HeadlessNews.Api.Infrastructure.Text;

public static class WebUrls
{
    /// <summary>An absolute http or https URL with a host: never <c>javascript:</c>, <c>data:</c> or <c>ftp:</c>.</summary>
    public static bool IsHttp(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Host.Length > 0;
}
