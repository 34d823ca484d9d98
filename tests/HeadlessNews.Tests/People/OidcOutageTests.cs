using System.Net;
using System.Net.Http.Headers;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.People;

/// <summary>An OpenID provider that cannot be reached: nothing listens at its authority.</summary>
public sealed class OidcOutageTests(OidcOutageTests.Factory api) : IClassFixture<OidcOutageTests.Factory>
{
    public sealed class Factory : ApiFactory
    {
        private static readonly int ClosedPort = LoopbackPorts.Free();

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Auth:Oidc:Authority"] = $"http://127.0.0.1:{ClosedPort}/",
            ["Auth:Oidc:Audience"] = PersonTokenTests.Audience,
            ["Auth:Oidc:RequireHttpsMetadata"] = "false",
            ["Auth:Oidc:RoleScopes:editor"] = "content:write",
        };
    }

    [Fact]
    public async Task A_token_whose_issuer_cannot_be_reached_is_a_503_with_retry_after_not_a_401()
    {
        var client = api.CreateClient();
        // Well formed (three parts): it can only be judged with the issuer's keys, which cannot be fetched.
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJnd2VuIn0.c2lnbmF0dXJl");
        var response = await client.GetAsync("/v1/manage/articles");
        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(response.Headers.RetryAfter);
    }
}
