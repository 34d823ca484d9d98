using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.LiveBlogs;

/// <summary>Shortcuts for live blog tests: a published live blog, its entries over HTTP.</summary>
internal static class LiveBlogs
{
    /// <summary>Creates and publishes a live blog; returns the article.</summary>
    public static Task<JsonElement> CreateLiveBlogAsync(this HttpClient editor, string headline, DateTimeOffset? coverageEndTime = null) =>
        editor.CreatePublishedAsync(new
        {
            headline = Editorial.Unique(headline),
            body = Editorial.OneParagraph("Follow the latest."),
            format = "liveblog",
            coverageStartTime = DateTimeOffset.UtcNow.AddMinutes(-5),
            coverageEndTime,
        });

    public static async Task<JsonElement> AddEntryAsync(this HttpClient editor, JsonElement blog, string html, bool pinned = false, bool keyEvent = false, object[]? body = null) =>
        await (await editor.PostAsJsonAsync($"/v1/manage/articles/{blog.Id()}/entries", new { body = body ?? Editorial.OneParagraph(html), pinned, keyEvent }))
            .AssertSuccessAsync(HttpStatusCode.Created);

    public static string Slug(this JsonElement article) => article.GetProperty("slug").GetString()!;

    public static string EntryUrl(JsonElement blog, JsonElement entry) => $"/v1/manage/articles/{blog.Id()}/entries/{entry.Id()}";
}
