using System.Text.RegularExpressions;

namespace HeadlessNews.Api.Features.Redirects;

/// <summary>
/// One spelling per old URL, so a lookup finds it however it is asked for: the path only (scheme and host dropped),
/// percent-decoded, without a trailing slash or doubled slashes; a WordPress query link (<c>?p=ID</c>, <c>?page_id=ID</c>)
/// keeps just that and the folder it was asked of (<c>/?p=5</c>, a multisite subsite's or a site in a folder's <c>/gwynedd/?p=5</c>).
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
        // A site whose home URL ends with a slash exports links with two (https://site//page/); browsers asked for one.
        path = RepeatedSlashes().Replace(Uri.UnescapeDataString(path.Split('#')[0]), "/").TrimEnd('/');
        if (PostQuery().Match(query) is { Success: true } post)
        {
            // Two sites' post 5 differ by their folder; WordPress answers the query on its index.php too.
            var folder = IndexFile().Replace(path, string.Empty);
            return folder.Length + 3 + post.Length <= MaxLength ? $"{folder}/?{post.Groups[1].Value}={post.Groups[2].Value}" : null;
        }
        path = path.Length == 0 ? "/" : path;
        return path.Length <= MaxLength ? path : null;
    }

    /// <summary>
    /// The post's own path for a URL WordPress answered on its behalf, or null when <paramref name="normalised"/> is not
    /// one: its AMP page (<c>…/amp</c>), feed, embed, trackback, a comment page or a page of a paged post (<c>…/2</c>), and
    /// a site without pretty permalinks' <c>/index.php/…</c>. Old links to those (search engines keep AMP ones for years)
    /// lead to the article too.
    /// </summary>
    public static string? WithoutWordPressEndpoint(string normalised) =>
        normalised.StartsWith("/?", StringComparison.Ordinal) || WordPressEndpoint().Match(normalised) is not { Success: true } endpoint
            || endpoint.Groups["path"].Value == normalised
            ? null
            : endpoint.Groups["path"].Value;

    [GeneratedRegex("/{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex RepeatedSlashes();

    [GeneratedRegex(@"/index\.php$", RegexOptions.CultureInvariant)]
    private static partial Regex IndexFile();

    [GeneratedRegex(@"(?:^|&)(p|page_id|attachment_id)=(\d+)(?:&|$)", RegexOptions.CultureInvariant)]
    private static partial Regex PostQuery();

    [GeneratedRegex(@"^(?:/index\.php)?(?<path>/.+?)(?:/(?:amp|embed|trackback|feed(?:/(?:rss2?|atom|rdf))?|comment-page-\d+|\d{1,3}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex WordPressEndpoint();
}
