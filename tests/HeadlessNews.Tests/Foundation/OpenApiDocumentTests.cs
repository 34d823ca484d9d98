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
}
