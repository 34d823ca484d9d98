using System.Text.RegularExpressions;

namespace HeadlessNews.Api.Features.Redirects;

/// <summary>
/// One spelling per old URL, so a lookup finds it however it is asked for: the path only (scheme and host dropped),
/// percent-decoded, without a trailing slash; a WordPress query link (<c>?p=ID</c>, <c>?page_id=ID</c>) keeps just that.
/// </summary>
public static partial class RedirectPaths
{
    public const int MaxLength = 1000;

    /// <summary>Null when <paramref name="pathOrUrl"/> is not a usable path.</summary>
    public static string? Normalise(string? pathOrUrl)
    {
        if (string.IsNullOrWhiteSpace(pathOrUrl))
        {
            return null;
        }
        var text = pathOrUrl.Trim();
        if (Uri.TryCreate(text, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            text = absolute.PathAndQuery;
        }
        if (!text.StartsWith('/'))
        {
            return null;
        }
        var queryAt = text.IndexOf('?');
        var path = queryAt < 0 ? text : text[..queryAt];
        var query = queryAt < 0 ? string.Empty : text[(queryAt + 1)..];
        if (PostQuery().Match(query) is { Success: true } post)
        {
            return $"/?{post.Groups[1].Value}={post.Groups[2].Value}";
        }
        path = Uri.UnescapeDataString(path.Split('#')[0]).TrimEnd('/');
        path = path.Length == 0 ? "/" : path;
        return path.Length <= MaxLength ? path : null;
    }

    [GeneratedRegex(@"(?:^|&)(p|page_id|attachment_id)=(\d+)(?:&|$)", RegexOptions.CultureInvariant)]
    private static partial Regex PostQuery();
}
