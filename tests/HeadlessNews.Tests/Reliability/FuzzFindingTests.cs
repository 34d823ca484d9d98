using System.Net;
using System.Text;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Reliability;

/// <summary>Requests the fuzz test once turned into a 5xx, kept as fixed regressions.</summary>
public sealed class FuzzFindingTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("""{"headline": "Rhosneigr lifeboat launch", "tags": [null]}""", "tags[0]")]
    [InlineData("""{"headline": "Rhosneigr lifeboat launch", "places": ["Rhosneigr", null]}""", "places[1]")]
    public async Task A_null_tag_or_place_is_a_400_validation_problem_not_a_500(string body, string field)
    {
        var editor = await api.ClientWithScopesAsync("content:write");
        var problem = await (await editor.PostAsync("/v1/manage/articles", new StringContent(body, Encoding.UTF8, "application/json")))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task A_json_body_whose_charset_is_quoted_is_a_415_problem_not_a_500()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"name": "Holyhead desk", "scopes": ["feeds:partner"]}"""));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=\"utf-16\"");
        await (await admin.PostAsync("/v1/manage/api-keys", content)).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }
}
