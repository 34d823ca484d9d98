using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Foundation;

/// <summary>
/// The checker every test host runs (<see cref="OpenApiConformanceStartupFilter"/>) must catch drift, or a green suite
/// proves nothing about the document.
/// </summary>
public sealed class OpenApiConformanceTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string ManagedArticle = "/v1/manage/articles/{id}";

    [Fact]
    public void A_status_the_document_does_not_list_is_a_mismatch()
    {
        var mismatches = OpenApiConformance.Mismatches("GET", "/v1/articles/{slug}", 418, "application/problem+json", null, "{}"u8);
        Assert.Contains(mismatches, m => m.Contains("418", StringComparison.Ordinal));
    }

    [Fact]
    public void A_route_the_document_does_not_describe_is_a_mismatch()
    {
        Assert.NotEmpty(OpenApiConformance.Mismatches("GET", "/v1/undocumented/{id:guid}", 200, "application/json", null, "{}"u8));
    }

    [Fact]
    public async Task A_real_article_matches_its_schema_with_nulls_where_allowed_and_a_broken_copy_does_not()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var created = await (await client.PostAsJsonAsync("/v1/manage/articles", new { headline = Editorial.Unique("Conwy quay bollards repainted") }))
            .AssertSuccessAsync(System.Net.HttpStatusCode.Created);
        var article = JsonNode.Parse(created.GetRawText())!.AsObject();
        Assert.Null(article["heroImage"]);
        Assert.Empty(Check(article));

        var wrongType = article.DeepClone().AsObject();
        wrongType["headline"] = 42;
        Assert.Contains(Check(wrongType), m => m.Contains("/headline", StringComparison.Ordinal));

        var missing = article.DeepClone().AsObject();
        missing.Remove("id");
        Assert.NotEmpty(Check(missing));

        var extra = article.DeepClone().AsObject();
        extra["undocumented"] = true;
        Assert.NotEmpty(Check(extra));

        var nullHeadline = article.DeepClone().AsObject();
        nullHeadline["headline"] = null;
        Assert.Contains(Check(nullHeadline), m => m.Contains("/headline", StringComparison.Ordinal));
    }

    [Fact]
    public void A_json_body_sent_where_the_document_promises_another_media_type_is_a_mismatch()
    {
        Assert.NotEmpty(OpenApiConformance.Mismatches("GET", ManagedArticle, 200, "text/plain", null, "hello"u8));
    }

    private static IReadOnlyList<string> Check(JsonObject body) =>
        OpenApiConformance.Mismatches("GET", ManagedArticle, 200, "application/json; charset=utf-8", null, Encoding.UTF8.GetBytes(body.ToJsonString()));
}
