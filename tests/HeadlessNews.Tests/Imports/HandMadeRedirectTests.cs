using System.Net;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Imports;

/// <summary>Hand-made redirects (<c>POST /v1/manage/redirects</c>) accept only what a browser reads as the URL it shows.</summary>
public sealed class HandMadeRedirectTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("location", "/\\evil.example")]
    [InlineData("location", "/v1/articles/x\r\nSet-Cookie: a=b")]
    [InlineData("location", "/\t/evil.example")]
    [InlineData("location", "/v1/articles/x y")]
    [InlineData("location", "https://example.org/a b")]
    [InlineData("path", "/old\\page")]
    [InlineData("path", "/old\r\npage")]
    [InlineData("path", "/old page")]
    public async Task A_backslash_whitespace_or_control_character_is_a_400_naming_the_field(string field, string value)
    {
        var manage = await api.ClientWithScopesAsync("content:write");
        var body = new Dictionary<string, string>
        {
            ["path"] = $"/old-section/{Guid.NewGuid():N}",
            ["location"] = "/v1/articles/new-home",
            [field] = value,
        };

        var problem = await (await manage.PostJsonAsync("/v1/manage/redirects", body)).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Contains("backslash", problem.GetProperty("errors").GetProperty(field)[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/articles/new-home")]
    [InlineData("/v1/articles/caf%C3%A9?utm_source=old%20site")]
    [InlineData("https://example.org/new-home")]
    public async Task A_path_on_this_site_or_an_absolute_https_url_is_taken(string location)
    {
        var manage = await api.ClientWithScopesAsync("content:write");

        var made = await manage.CreateAsync("/v1/manage/redirects", new { path = $"/old-section/{Guid.NewGuid():N}", location });

        Assert.Equal(location, made.GetProperty("location").GetString());
    }
}
