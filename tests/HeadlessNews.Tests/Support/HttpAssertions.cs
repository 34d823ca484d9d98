using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace HeadlessNews.Tests.Support;

public static class HttpAssertions
{
    /// <summary>Asserts an RFC 9457 problem with the given status and the contract's members, and returns its body.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status} but got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        foreach (var member in new[] { "type", "title", "detail", "instance" })
        {
            Assert.True(problem.TryGetProperty(member, out var value) && !string.IsNullOrEmpty(value.GetString()), $"A problem carries a {member}: {text}");
        }
        Assert.True(problem.TryGetProperty("traceId", out _), "A problem carries a traceId.");
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        return problem;
    }

    public static async Task<JsonElement> AssertSuccessAsync(this HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status} but got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body);
}
