using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Notices;

/// <summary>Builds valid, uniquely referenced notices and sends versioned writes.</summary>
internal static class NoticeRequests
{
    public static string UniqueIssuer(string name) => $"{name} {Guid.NewGuid():N}";

    public static JsonObject Valid(string? issuer = null) => new()
    {
        ["reference"] = "REF/" + Guid.NewGuid().ToString("N")[..10],
        ["category"] = "planning",
        ["title"] = "Planning application: two-storey extension, Trinity Square, Llandudno",
        ["body"] = "<p>An application has been made for a two-storey rear extension. Representations within 21 days.</p>",
        ["issuer"] = new JsonObject { ["name"] = issuer ?? UniqueIssuer("Conwy County Borough Council") },
        ["location"] = new JsonObject
        {
            ["description"] = "Trinity Square, Llandudno",
            ["postcode"] = "ll30 2pd",
            ["latitude"] = 53.3209,
            ["longitude"] = -3.8262,
        },
        ["effectiveFrom"] = "2026-12-01T09:00:00+01:00",
        ["effectiveTo"] = "2026-12-22T17:00:00Z",
        ["responseDeadline"] = "2026-12-22T17:00:00Z",
        ["attachments"] = new JsonArray(new JsonObject { ["title"] = "Plans", ["url"] = "https://planning.example.gov.uk/plans.pdf" }),
    };

    public static async Task<JsonElement> CreateAsync(this HttpClient client, JsonObject notice) =>
        await (await client.PostAsJsonAsync("/v1/manage/notices", notice)).AssertSuccessAsync(HttpStatusCode.Created);

    public static Task<HttpResponseMessage> SendVersionedAsync(this HttpClient client, HttpMethod method, string url, int? version, JsonObject? body = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (version is { } v)
        {
            request.Headers.TryAddWithoutValidation("If-Match", $"\"{v}\"");
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return client.SendAsync(request);
    }

    public static async Task<JsonElement> WorkflowAsync(this HttpClient client, string id, string action, int version) =>
        await (await client.SendVersionedAsync(HttpMethod.Post, $"/v1/manage/notices/{id}/{action}", version)).AssertSuccessAsync();
}
