using HeadlessNews.Tests.Support;
using Microsoft.Extensions.Options;

namespace HeadlessNews.Tests.People;

/// <summary>Identity-provider settings that would weaken token checks stop the API at start-up instead.</summary>
public sealed class OidcSettingsTests
{
    private sealed class Factory(IReadOnlyDictionary<string, string?> settings) : ApiFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings => settings;
    }

    [Theory]
    [InlineData("Auth:Oidc:RequireHttpsMetadata", "false", "http://idp.example.org/realms/newsroom", "the Authority must be https")]
    [InlineData("Auth:Oidc:Audience", "", "https://idp.example.org/realms/newsroom", "Audience is required")]
    [InlineData("Auth:Oidc:RoleScopes:editor", "content:write,everything", "https://idp.example.org/realms/newsroom", "unknown scope 'everything'")]
    public async Task An_unsafe_or_invalid_issuer_setting_stops_the_api_at_start_naming_what_is_wrong(string key, string value, string authority, string problem)
    {
        await using var api = new Factory(new Dictionary<string, string?>
        {
            ["Auth:Oidc:Authority"] = authority,
            ["Auth:Oidc:Audience"] = "headlessnews-api",
            [key] = value,
        });
        await api.InitializeAsync();

        var failure = Assert.ThrowsAny<Exception>(() => api.CreateClient());
        Assert.True(failure.GetBaseException() is OptionsValidationException, $"Expected the settings to be refused; the start failed with {failure}");
        Assert.Contains(problem, failure.GetBaseException().Message, StringComparison.Ordinal);
    }
}
