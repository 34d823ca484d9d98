using System.Net;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Audit;

/// <summary>
/// Tampering as only a superuser can (the test's database user is one): behind the triggers. Each test is its own
/// class, so has its own database: the chain it breaks on purpose breaks nothing else.
/// </summary>
internal static class Tampering
{
    /// <summary>Creates three sections and answers the ids of their audit entries, oldest first.</summary>
    public static async Task<(HttpClient Admin, string[] Entries)> ThreeEntriesAsync(ApiFactory api)
    {
        var admin = await api.ClientWithScopesAsync("*");
        var entries = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var section = (await admin.CreateSectionAsync()).Id();
            entries.Add((await admin.GetJsonAsync($"/v1/manage/audit?resourceId={section}")).GetProperty("items")[0].Id());
        }
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v1/manage/audit/verify")).StatusCode);
        return (admin, [.. entries]);
    }
}

public sealed class AuditTamperTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task An_entry_changed_behind_the_trigger_makes_verify_answer_409_naming_the_first_broken_entry()
    {
        var (admin, entries) = await Tampering.ThreeEntriesAsync(api);

        await api.WithDbAsync(db => db.Database.ExecuteSqlAsync($"""
            BEGIN;
            ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_immutable;
            UPDATE audit_entries SET status = 200 WHERE id = {Guid.Parse(entries[1])};
            ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_immutable;
            COMMIT;
            """));

        var problem = await (await admin.GetAsync("/v1/manage/audit/verify")).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(entries[1], problem.GetProperty("entryId").GetString());
        Assert.Contains(entries[1], problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}

public sealed class AuditDeletionTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task An_entry_deleted_behind_the_trigger_breaks_the_chain_at_its_successor()
    {
        var (admin, entries) = await Tampering.ThreeEntriesAsync(api);

        await api.WithDbAsync(db => db.Database.ExecuteSqlAsync($"""
            BEGIN;
            SET LOCAL session_replication_role = replica;
            DELETE FROM audit_entries WHERE id = {Guid.Parse(entries[1])};
            COMMIT;
            """));

        var problem = await (await admin.GetAsync("/v1/manage/audit/verify")).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(entries[2], problem.GetProperty("entryId").GetString());
    }
}
