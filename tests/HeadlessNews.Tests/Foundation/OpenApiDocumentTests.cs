using System.Text.Json.Nodes;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Foundation;

public sealed class OpenApiDocumentTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task The_committed_openapi_document_matches_what_the_code_serves()
    {
        var served = JsonNode.Parse(await api.CreateClient().GetStringAsync("/openapi/v1.json"));
        var path = Path.Combine(RepositoryPaths.Root, "openapi", "headlessnews.v1.json");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(path));
        Assert.True(JsonNode.DeepEquals(served, committed),
            "openapi/headlessnews.v1.json is out of date: run `dotnet run --project src/HeadlessNews.Api -- openapi` and commit it.");
    }

    [Fact]
    public async Task Management_operations_declare_the_bearer_scheme_and_problem_responses()
    {
        var document = JsonNode.Parse(await api.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        var create = document["paths"]!["/v1/manage/api-keys"]!["post"]!;
        Assert.NotNull(create["security"]);
        Assert.NotNull(create["responses"]!["401"]);
        Assert.NotNull(create["responses"]!["403"]);
        Assert.NotNull(create["responses"]!["400"]!["content"]!["application/problem+json"]);
    }

    [Fact]
    public async Task Swagger_ui_is_served_and_points_at_the_document()
    {
        var client = api.CreateClient();
        var page = await client.GetAsync("/swagger/index.html");
        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("swagger-ui", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("/openapi/v1.json", await client.GetStringAsync("/swagger/index.js"), StringComparison.Ordinal);
    }
}
