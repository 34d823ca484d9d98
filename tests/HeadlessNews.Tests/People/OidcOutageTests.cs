using System.Net;
using System.Net.Http.Headers;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.People;

/// <summary>An OpenID provider that cannot be reached: nothing listens at its authority.</summary>
public sealed class OidcOutageTests(OidcOutageTests.Factory api) : IClassFixture<OidcOutageTests.Factory>
{
    public sealed class Factory : ApiFactory
    {
        public static readonly string Authority = $"http://127.0.0.1:{LoopbackPorts.Free()}";

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Auth:Oidc:Authority"] = Authority + "/",
            ["Auth:Oidc:Audience"] = PersonTokenTests.Audience,
            ["Auth:Oidc:RequireHttpsMetadata"] = "false",
            ["Auth:Oidc:RoleScopes:editor"] = "content:write",
        };
    }

    [Fact]
    public async Task A_token_whose_issuer_cannot_be_reached_is_a_503_with_retry_after_not_a_401()
    {
        // Well formed and the issuer's by its claims: it can only be judged with the issuer's keys, which cannot be fetched.
        var response = await GetWithTokenAsync(Unsigned("""{"alg":"RS256","kid":"k1"}""", $$"""{"sub":"gwen","iss":"{{Factory.Authority}}"}"""));
        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Theory]
    [InlineData("""{"alg":"RS256","kid":"k1"}""", """{"sub":"gwen","iss":"https://evil.example"}""")]
    [InlineData("""{"alg":"none"}""", """{"sub":"gwen","iss":"ISSUER"}""")]
    [InlineData("""{"alg":"HS256"}""", """{"sub":"gwen","iss":"ISSUER"}""")]
    [InlineData("""{"alg":"RS256","kid":"k1"}""", """{"sub":"gwen"}""")]
    public async Task A_token_that_is_not_the_issuer_s_to_sign_is_still_a_401_while_the_issuer_is_down(string header, string payload)
    {
        var response = await GetWithTokenAsync(Unsigned(header, payload.Replace("ISSUER", Factory.Authority, StringComparison.Ordinal)));
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_malformed_token_is_still_a_401_while_the_issuer_is_down() =>
        await (await GetWithTokenAsync("a.b.c")).AssertProblemAsync(HttpStatusCode.Unauthorized);

    private Task<HttpResponseMessage> GetWithTokenAsync(string token)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.GetAsync("/v1/manage/articles");
    }

    private static string Unsigned(string header, string payload) => $"{Base64Url(header)}.{Base64Url(payload)}.c2lnbmF0dXJl";

    private static string Base64Url(string json) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
