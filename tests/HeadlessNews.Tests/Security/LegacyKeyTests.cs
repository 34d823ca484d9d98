using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using HeadlessNews.Api.Infrastructure.Security;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;

namespace HeadlessNews.Tests.Security;

public sealed class LegacyKeyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_key_issued_before_keys_carried_a_tag_still_authenticates()
    {
        var secret = "hn_" + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        await api.WithDbAsync(async db =>
        {
            db.Add(new ApiKey
            {
                Id = Guid.CreateVersion7(), Name = "Issued in 2026", Prefix = ApiKeySecrets.PrefixOf(secret), SecretHash = ApiKeySecrets.Hash(secret),
                Scopes = ["content:write"], CreatedAt = api.Clock.GetUtcNow(),
            });
            return await db.SaveChangesAsync();
        });
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/manage/sections")).StatusCode);
    }
}
