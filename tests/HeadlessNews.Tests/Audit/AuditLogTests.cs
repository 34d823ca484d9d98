using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace HeadlessNews.Tests.Audit;

public sealed class AuditLogTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static async Task<JsonElement> EntryForAsync(HttpClient admin, string resourceId) =>
        Assert.Single((await admin.GetJsonAsync($"/v1/manage/audit?resourceId={resourceId}")).GetProperty("items").EnumerateArray());

    [Fact]
    public async Task An_entry_has_the_contract_shape_and_the_chain_verifies()
    {
        var admin = await api.ClientWithScopesAsync("*");
        var keys = (await admin.GetJsonAsync("/v1/manage/api-keys?limit=100")).GetProperty("items").EnumerateArray().ToList();
        var section = await admin.CreateSectionAsync();

        var entry = await EntryForAsync(admin, section.Id());
        Assert.Equal(["id", "at", "actor", "method", "route", "path", "status", "resourceType", "resourceId", "requestId", "previousHash", "hash"],
            entry.EnumerateObject().Select(p => p.Name));
        var actor = entry.GetProperty("actor");
        Assert.Equal("key", actor.GetProperty("kind").GetString());
        Assert.StartsWith("test key", actor.GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.Contains(actor.GetProperty("keyPrefix").GetString(), keys.Select(k => k.GetProperty("prefix").GetString()));
        Assert.Equal("POST", entry.GetProperty("method").GetString());
        Assert.Equal("/v1/manage/sections", entry.GetProperty("route").GetString());
        Assert.Equal(201, entry.GetProperty("status").GetInt32());
        Assert.Equal("section", entry.GetProperty("resourceType").GetString());
        Assert.Matches("^[0-9a-f]{64}$", entry.GetProperty("hash").GetString());
        Assert.Matches("^[0-9a-f]{64}$", entry.GetProperty("previousHash").GetString());

        var verified = await admin.GetJsonAsync("/v1/manage/audit/verify");
        Assert.True(verified.GetProperty("verified").GetInt32() >= 1, verified.ToString());
    }

    [Fact]
    public async Task Refused_management_calls_are_audited_with_the_key_prefix_or_anonymous_and_no_body()
    {
        var admin = await api.ClientWithScopesAsync("*");
        var marker = Editorial.Unique("Body that must not be kept");

        var anonymousId = Guid.NewGuid().ToString();
        var anonymous = await api.CreateClient().PutAsJsonAsync($"/v1/manage/sections/{anonymousId}", new { name = marker });
        await anonymous.AssertProblemAsync(HttpStatusCode.Unauthorized);

        var writer = await api.ClientWithScopesAsync("content:write");
        var forbiddenId = Guid.NewGuid().ToString();
        await (await writer.GetAsync($"/v1/manage/api-keys/{forbiddenId}")).AssertProblemAsync(HttpStatusCode.Forbidden);

        var unknownKey = "hn_" + Guid.NewGuid().ToString("N") + "0123456789a";
        var stranger = api.CreateClient();
        stranger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", unknownKey);
        var unknownId = Guid.NewGuid().ToString();
        await (await stranger.DeleteAsync($"/v1/manage/articles/{unknownId}")).AssertProblemAsync(HttpStatusCode.Unauthorized);

        var refusedAnonymous = await EntryForAsync(admin, anonymousId);
        Assert.Equal(401, refusedAnonymous.GetProperty("status").GetInt32());
        Assert.Equal("PUT", refusedAnonymous.GetProperty("method").GetString());
        Assert.Equal("/v1/manage/sections/{id:guid}", refusedAnonymous.GetProperty("route").GetString());
        Assert.Equal("anonymous", refusedAnonymous.GetProperty("actor").GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, refusedAnonymous.GetProperty("actor").GetProperty("keyPrefix").ValueKind);
        Assert.DoesNotContain(marker, refusedAnonymous.ToString(), StringComparison.Ordinal);

        var refusedScope = await EntryForAsync(admin, forbiddenId);
        Assert.Equal(403, refusedScope.GetProperty("status").GetInt32());
        Assert.Equal("GET", refusedScope.GetProperty("method").GetString());
        Assert.StartsWith("test key content:write", refusedScope.GetProperty("actor").GetProperty("name").GetString(), StringComparison.Ordinal);

        var refusedKey = await EntryForAsync(admin, unknownId);
        Assert.Equal(401, refusedKey.GetProperty("status").GetInt32());
        Assert.Equal(unknownKey[..11], refusedKey.GetProperty("actor").GetProperty("keyPrefix").GetString());
        Assert.DoesNotContain(unknownKey, refusedKey.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_chain_holds_with_concurrent_writers()
    {
        var admin = await api.ClientWithScopesAsync("*");
        var editors = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => api.ClientWithScopesAsync("content:write")));
        var sections = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => editors[i % editors.Length].CreateSectionAsync(Editorial.Unique($"Concurrent {i}"))));

        var entries = await Task.WhenAll(sections.Select(s => EntryForAsync(admin, s.Id())));
        Assert.Equal(entries.Length, entries.Select(e => e.GetProperty("hash").GetString()).Distinct().Count());
        Assert.Equal(entries.Length, entries.Select(e => e.GetProperty("previousHash").GetString()).Distinct().Count());
        var verified = await admin.GetJsonAsync("/v1/manage/audit/verify");
        Assert.True(verified.GetProperty("verified").GetInt32() >= entries.Length, verified.ToString());
    }

    [Fact]
    public async Task Audit_entries_cannot_be_changed_or_deleted_even_by_direct_sql()
    {
        var admin = await api.ClientWithScopesAsync("*");
        var section = await admin.CreateSectionAsync();
        var id = (await EntryForAsync(admin, section.Id())).Id();

        foreach (var sql in new[]
        {
            $"UPDATE audit_entries SET status = 200 WHERE id = '{id}'",
            $"DELETE FROM audit_entries WHERE id = '{id}'",
            "TRUNCATE audit_entries",
        })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => api.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(sql)));
            Assert.Contains("audit", refused.MessageText, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Equal(201, (await EntryForAsync(admin, section.Id())).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Keys_created_from_the_command_line_are_audited()
    {
        var name = Editorial.Unique("Night desk");
        var cli = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { typeof(Program).Assembly.Location, "keys", "create", "--name", name, "--scopes", "content:write" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(typeof(Program).Assembly.Location)!,
        };
        cli.Environment["ConnectionStrings__HeadlessNews"] = api.ConnectionString;
        cli.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        using var process = Process.Start(cli)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await errors);
        var secret = (await output).Trim().Split('\n')[^1];

        var admin = await api.ClientWithScopesAsync("*");
        var keys = (await admin.GetJsonAsync("/v1/manage/api-keys?limit=100")).GetProperty("items").EnumerateArray();
        var key = keys.Single(k => k.GetProperty("name").GetString() == name);
        Assert.StartsWith(key.GetProperty("prefix").GetString()!, secret, StringComparison.Ordinal);
        var entry = await EntryForAsync(admin, key.Id());
        Assert.Equal("CLI", entry.GetProperty("method").GetString());
        Assert.Equal("keys create", entry.GetProperty("route").GetString());
        Assert.Equal(201, entry.GetProperty("status").GetInt32());
        Assert.Equal("api-key", entry.GetProperty("resourceType").GetString());
        Assert.Equal("person", entry.GetProperty("actor").GetProperty("kind").GetString());
        Assert.DoesNotContain(secret, entry.ToString(), StringComparison.Ordinal);
        Assert.Equal(200, (int)(await admin.GetAsync("/v1/manage/audit/verify")).StatusCode);
    }
}
