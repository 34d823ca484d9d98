using System.Net;
using System.Text;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Media;

/// <summary><c>POST /v1/manage/assets {"sourceUrl": …}</c>: a picture fetched from elsewhere, under the same rules as webhook targets.</summary>
public sealed class AssetFromUrlTests(MediaApiFactory api) : IClassFixture<MediaApiFactory>
{
    [Theory]
    [InlineData("""{}""", "must not be empty")]
    [InlineData("""{"sourceUrl": "file:///etc/passwd"}""", "Only http and https URLs can be used.")]
    [InlineData("""{"sourceUrl": "https://ceri:secret@pictures.example/pier.jpg"}""", "may not carry credentials")]
    [InlineData("""{"sourceUrl": "http://169.254.169.254/latest/meta-data"}""", "nothing is sent to or fetched from there")]
    public async Task A_url_that_cannot_be_fetched_is_a_400_keyed_sourceUrl_in_the_words_of_pictures(string body, string message)
    {
        var editor = await api.ClientWithScopesAsync("content:write");
        var problem = await (await editor.PostAsync("/v1/manage/assets", new StringContent(body, Encoding.UTF8, "application/json"))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("sourceUrl", out var errors), problem.ToString());
        Assert.Contains(message, errors[0].GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("webhook", problem.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}
