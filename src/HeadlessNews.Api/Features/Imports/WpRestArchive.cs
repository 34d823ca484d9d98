using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace HeadlessNews.Api.Features.Imports;

/// <summary>
/// A live site's REST API (<c>/wp-json/wp/v2/…</c>) as a <see cref="WordPressArchive"/>: categories, tags, users and media
/// are read first, then posts page by page as the import goes. Every list is read with <c>per_page=100</c> and paged by
/// <c>X-WP-TotalPages</c>; at most four requests are in flight (<see cref="ListAsync"/>); 429 and 5xx answers are retried with back-off (or after
/// the server's <c>Retry-After</c>).
/// </summary>
public sealed partial class WpRestArchive
{
    public const string HttpClientName = "wordpress-rest";

    /// <summary>Requests to the site in flight at once, at most: polite to a site that is still serving its readers.</summary>
    public const int Concurrency = 4;

    private const int Attempts = 6;
    private static readonly TimeSpan FirstBackOff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(60);

    private readonly HttpClient _client;
    private readonly TimeProvider _clock;
    private readonly Uri _api;

    private WpRestArchive(HttpClient client, TimeProvider clock, Uri site)
    {
        _client = client;
        _clock = clock;
        _api = new Uri(site.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/wp-json/wp/v2/");
    }

    /// <summary>
    /// Reads the site's terms, users and, unless <paramref name="pictures"/> is false (<c>--media skip</c>), its media
    /// library; posts (modified after <paramref name="since"/>), then its pages when <paramref name="pages"/> asks for them
    /// (<c>--pages</c>), are read when the items are.
    /// </summary>
    public static async Task<WordPressArchive> OpenAsync(
        HttpClient client, TimeProvider clock, Uri site, DateTimeOffset? since, bool pages, bool pictures, CancellationToken cancellationToken)
    {
        var reader = new WpRestArchive(client, clock, site);
        var terms = new Dictionary<string, WpTerm>(StringComparer.Ordinal);
        await foreach (var category in reader.ListAsync("categories", null, cancellationToken))
        {
            terms["category:" + Id(category)] = Term("category", category);
        }
        await foreach (var tag in reader.ListAsync("tags", null, cancellationToken))
        {
            terms["post_tag:" + Id(tag)] = Term("post_tag", tag);
        }
        var users = new Dictionary<string, WpAuthor>(StringComparer.Ordinal);
        await foreach (var user in reader.ListAsync("users", null, cancellationToken))
        {
            users[Id(user)] = User(user);
        }
        var attachments = new Dictionary<string, WpAttachment>(StringComparer.Ordinal);
        await foreach (var picture in pictures ? reader.ListAsync("media", null, cancellationToken) : AsyncEnumerable.Empty<JsonElement>())
        {
            if (Text(picture, "source_url") is { } url)
            {
                attachments[Id(picture)] = new WpAttachment(url, Text(picture, "alt_text"),
                    WordPressHtml.PlainText(Rendered(picture, "caption")) is { Length: > 0 } caption ? caption : null,
                    picture.TryGetProperty("post", out var parent) && parent.ValueKind == JsonValueKind.Number ? parent.GetRawText() : null);
            }
        }
        var filter = since is { } after ? "&modified_after=" + Uri.EscapeDataString(after.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)) : null;
        string[] kinds = pages ? ["posts", "pages"] : ["posts"];
        var total = 0;
        foreach (var kind in kinds)
        {
            using var counted = await reader.GetAsync($"{kind}?per_page=1&_fields=id{filter}", cancellationToken);
            total += Header(counted, "X-WP-Total");
        }
        var address = site.GetLeftPart(UriPartial.Path).TrimEnd('/');
        // Hidden users are looked up once each (a site may show a user to nobody: 401) and kept for the run.
        var authors = new Dictionary<string, WpAuthor>(StringComparer.OrdinalIgnoreCase);
        foreach (var user in users.Values)
        {
            authors[user.Login] = user;
        }
        // Rendered content has its reusable blocks in place already.
        return new WordPressArchive(WordPressArchive.SiteKey(site), new Uri(address + "/"), authors, [.. terms.Values], attachments, new Dictionary<string, string>(), total,
            token => reader.PostsAsync(kinds, filter, terms, users, authors, token));
    }

    private async IAsyncEnumerable<WpItem> PostsAsync(
        string[] kinds, string? filter, Dictionary<string, WpTerm> terms, Dictionary<string, WpAuthor> users, Dictionary<string, WpAuthor> authors,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var post in ListAllAsync(kinds, filter, cancellationToken))
        {
            var authorId = post.TryGetProperty("author", out var author) && author.ValueKind == JsonValueKind.Number ? author.GetRawText() : null;
            string? creator = null;
            if (authorId is not null)
            {
                if (!users.TryGetValue(authorId, out var user))
                {
                    users[authorId] = user = await UserAsync(authorId, cancellationToken);
                    authors[user.Login] = user;
                }
                creator = user.Login;
            }
            var postTerms = TermIds(post, "categories").Select(id => terms.GetValueOrDefault("category:" + id))
                .Concat(TermIds(post, "tags").Select(id => terms.GetValueOrDefault("post_tag:" + id))).OfType<WpTerm>().ToList();
            var meta = new Dictionary<string, string>(StringComparer.Ordinal);
            if (post.TryGetProperty("featured_media", out var featured) && featured.ValueKind == JsonValueKind.Number && featured.GetInt64() > 0)
            {
                meta["_thumbnail_id"] = featured.GetRawText();
            }
            yield return new WpItem(
                Id(post),
                Text(post, "type") ?? "post",
                Text(post, "status") ?? "publish",
                Rendered(post, "title"),
                Text(post, "link"),
                Rendered(post, "guid"),
                creator,
                Rendered(post, "content"),
                WrittenExcerpt(Rendered(post, "excerpt"), Rendered(post, "content")),
                Text(post, "slug") is { } slug ? Uri.UnescapeDataString(slug) : null,
                null,
                0,
                GmtDate(Text(post, "date_gmt")),
                GmtDate(Text(post, "date")),
                GmtDate(Text(post, "modified_gmt")),
                post.TryGetProperty("content", out var content) && content.TryGetProperty("protected", out var isProtected) && isProtected.ValueKind == JsonValueKind.True,
                null,
                postTerms,
                meta,
                [],
                [],
                0,
                post.TryGetProperty("sticky", out var sticky) && sticky.ValueKind == JsonValueKind.True);
        }
    }

    private async IAsyncEnumerable<JsonElement> ListAllAsync(string[] kinds, string? filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var kind in kinds)
        {
            await foreach (var element in ListAsync(kind, filter, cancellationToken))
            {
                yield return element;
            }
        }
    }

    /// <summary>A user the list did not show: read alone, or (hidden: 401/403/404) made from the id.</summary>
    private async Task<WpAuthor> UserAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await SendAsync($"users/{id}", cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
        {
            return new WpAuthor($"wordpress-user-{id}", $"WordPress user {id}");
        }
        response.EnsureSuccessStatusCode();
        using var user = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        return User(user.RootElement);
    }

    /// <summary>
    /// Every element of a list, in order: page 1 says how many pages there are; the rest are read up to four at a time. Lists
    /// are read one after another, so while a page is handed out at most three more are in flight, leaving the fourth
    /// request to a hidden user's lookup.
    /// </summary>
    private async IAsyncEnumerable<JsonElement> ListAsync(string path, string? filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = $"{path}?per_page=100{filter}&page=";
        var first = await PageAsync(query + 1, cancellationToken);
        foreach (var element in first.Elements)
        {
            yield return element;
        }
        var pending = new Queue<Task<(JsonElement[] Elements, int Pages)>>();
        var next = 2;
        while (next <= first.Pages || pending.Count > 0)
        {
            while (next <= first.Pages && pending.Count < Concurrency)
            {
                pending.Enqueue(PageAsync(query + next++, cancellationToken));
            }
            foreach (var element in (await pending.Dequeue()).Elements)
            {
                yield return element;
            }
        }
    }

    private async Task<(JsonElement[] Elements, int Pages)> PageAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        using var response = await GetAsync(pathAndQuery, cancellationToken);
        try
        {
            using var page = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            return (page.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray(), Math.Max(1, Header(response, "X-WP-TotalPages")));
        }
        // A maintenance or firewall page served with 200, or a JSON error object: the import ends with what came before it.
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new HttpRequestException($"GET {new Uri(_api, pathAndQuery)} answered {(int)response.StatusCode} with something that is not a JSON list: {e.Message}", e);
        }
    }

    private async Task<HttpResponseMessage> GetAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        var response = await SendAsync(pathAndQuery, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            throw new HttpRequestException($"GET {new Uri(_api, pathAndQuery)} answered {(int)response.StatusCode}", null, response.StatusCode);
        }
        return response;
    }

    /// <summary>One request, retried on 429, 5xx and a lost connection.</summary>
    private async Task<HttpResponseMessage> SendAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        var url = new Uri(_api, pathAndQuery);
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            try
            {
                var response = await _client.GetAsync(url, HttpCompletionOption.ResponseContentRead, cancellationToken);
                if (attempt == Attempts || response.StatusCode != HttpStatusCode.TooManyRequests && (int)response.StatusCode < 500)
                {
                    return response;
                }
                retryAfter = response.Headers.RetryAfter is { } header
                    ? header.Delta ?? (header.Date is { } date ? date - _clock.GetUtcNow() : null)
                    : null;
                response.Dispose();
            }
            catch (HttpRequestException) when (attempt < Attempts)
            {
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                // The client's timeout: the last one ends the import as a failed request does.
                if (attempt == Attempts)
                {
                    throw new HttpRequestException($"GET {url} did not answer within {_client.Timeout.TotalSeconds:0.#} s, {Attempts} times", e);
                }
            }
            var backOff = FirstBackOff * Math.Pow(2, attempt - 1);
            var wait = retryAfter is { } asked && asked > TimeSpan.Zero ? asked : backOff;
            await Task.Delay(wait < LongestWait ? wait : LongestWait, _clock, cancellationToken);
        }
    }

    private static int Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static string Id(JsonElement element) => element.GetProperty("id").GetRawText();

    /// <summary>A string property, without the NULs JSON may carry and PostgreSQL's text cannot hold; null when blank.</summary>
    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Replace("\0", "", StringComparison.Ordinal) is var text
            && !string.IsNullOrWhiteSpace(text) ? text : null;

    private static string? Rendered(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? Text(value, "rendered") : null;

    /// <summary>Names come HTML-escaped (<c>Arts &amp;amp; Culture</c>), slugs percent-encoded.</summary>
    private static WpTerm Term(string taxonomy, JsonElement term) =>
        new(taxonomy, Uri.UnescapeDataString(Text(term, "slug") ?? string.Empty), WebUtility.HtmlDecode(Text(term, "name") ?? string.Empty).Trim(), Id(term));

    /// <summary>
    /// The excerpt an editor wrote, or null: for a post without one the API makes one from the content (its first 55 words,
    /// then " [&amp;hellip;]" or a theme's "Continue reading" link), which would repeat the body as the standfirst.
    /// </summary>
    private static string? WrittenExcerpt(string? excerpt, string? content)
    {
        var text = WordPressHtml.PlainText(excerpt);
        return text.Length == 0 || GeneratedExcerptEnd().IsMatch(text) || WordPressHtml.PlainText(content).StartsWith(text, StringComparison.Ordinal) ? null : excerpt;
    }

    /// <summary>How WordPress ends an excerpt it made: <c>[…]</c>, or a theme's "Continue reading" / "Read more" link.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"(?:\[(?:…|\.\.\.)\]|\b(?:Continue reading|Read more)\b.*)\s*$", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex GeneratedExcerptEnd();

    private static WpAuthor User(JsonElement user) =>
        new(Uri.UnescapeDataString(Text(user, "slug") ?? $"wordpress-user-{Id(user)}"), Text(user, "name") is { } name ? WebUtility.HtmlDecode(name) : null);

    private static IEnumerable<string> TermIds(JsonElement post, string name) =>
        post.TryGetProperty(name, out var ids) && ids.ValueKind == JsonValueKind.Array ? ids.EnumerateArray().Select(i => i.GetRawText()) : [];

    /// <summary><c>2015-07-02T09:30:00</c> (no offset) as UTC.</summary>
    private static DateTimeOffset? GmtDate(string? value) =>
        DateTime.TryParseExact(value, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed)
            ? new DateTimeOffset(parsed, TimeSpan.Zero)
            : null;
}
