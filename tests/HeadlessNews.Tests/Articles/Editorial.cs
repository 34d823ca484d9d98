using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Articles;

/// <summary>Shortcuts for editorial tests: unique names, creating content over HTTP, conditional requests.</summary>
internal static class Editorial
{
    public static string Unique(string stem) => $"{stem} {Guid.NewGuid().ToString("N")[..8]}";

    public static async Task<JsonElement> CreateAsync(this HttpClient client, string url, object body) =>
        await (await client.PostAsJsonAsync(url, body)).AssertSuccessAsync(HttpStatusCode.Created);

    public static Task<JsonElement> CreateArticleAsync(this HttpClient client, object body) => client.CreateAsync("/v1/manage/articles", body);

    public static Task<JsonElement> CreateSectionAsync(this HttpClient client, string? name = null) =>
        client.CreateAsync("/v1/manage/sections", new { name = name ?? Unique("Section") });

    public static Task<JsonElement> CreateAuthorAsync(this HttpClient client) =>
        client.CreateAsync("/v1/manage/authors", new { name = Unique("Reporter"), role = "Reporter" });

    public static Task<JsonElement> CreateSourceAsync(this HttpClient client) =>
        client.CreateAsync("/v1/manage/sources", new { kind = "report", title = Unique("Harbour report"), publisher = "Harbour Board", url = "https://example.org/report" });

    public static Task<JsonElement> CreateQuoteAsync(this HttpClient client, string? text = null) =>
        client.CreateAsync("/v1/manage/quotes", new { text = text ?? Unique("We will reopen the pier"), speaker = new { name = "Siân Morgan", role = "Pier manager" } });

    public static object[] OneParagraph(string html = "A storm hit the pier.") => [new { type = "paragraph", html }];

    public static Task<HttpResponseMessage> SendWithIfMatchAsync(this HttpClient client, HttpMethod method, string url, int? version, object? body = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        if (version is { } v)
        {
            request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{v}\""));
        }
        return client.SendAsync(request);
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string url) =>
        await (await client.GetAsync(url)).AssertSuccessAsync();

    /// <summary>Makes a preview link of the article and returns its path (<c>/v1/preview/{token}</c>).</summary>
    public static async Task<string> PreviewPathAsync(this HttpClient client, string articleId, int? expiresInMinutes = null) =>
        new Uri((await (await client.PostAsJsonAsync($"/v1/manage/articles/{articleId}/preview-links", new { expiresInMinutes })).AssertSuccessAsync())
            .GetProperty("url").GetString()!).PathAndQuery;

    /// <summary>Creates a draft and publishes it (optionally at <paramref name="publishAt"/>).</summary>
    public static async Task<JsonElement> CreatePublishedAsync(this HttpClient client, object body, DateTimeOffset? publishAt = null)
    {
        var draft = await client.CreateArticleAsync(body);
        return await (await client.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{draft.Id()}/publish", draft.Version(),
            publishAt is null ? new { } : new { publishAt })).AssertSuccessAsync();
    }
}
