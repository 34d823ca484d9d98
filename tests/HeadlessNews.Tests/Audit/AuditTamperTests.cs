using System.Net;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Audit;

/// <summary>Its own class, so its own database: the chain it breaks on purpose stays broken.</summary>
public sealed class AuditTamperTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task An_entry_changed_behind_the_trigger_makes_verify_answer_409_naming_the_first_broken_entry()
    {
        var admin = await api.ClientWithScopesAsync("*");
        var sections = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            sections.Add((await admin.CreateSectionAsync()).Id());
        }
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v1/manage/audit/verify")).StatusCode);
        var tampered = (await admin.GetJsonAsync($"/v1/manage/audit?resourceId={sections[1]}")).GetProperty("items")[0].Id();

        // The test's database user is a superuser, which is what it takes to switch the guard off.
        await api.WithDbAsync(db => db.Database.ExecuteSqlAsync($"""
            BEGIN;
            ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_immutable;
            UPDATE audit_entries SET status = 200 WHERE id = {Guid.Parse(tampered)};
            ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_immutable;
            COMMIT;
            """));

        var problem = await (await admin.GetAsync("/v1/manage/audit/verify")).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(tampered, problem.GetProperty("entryId").GetString());
        Assert.Contains(tampered, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}

public sealed class AuditDeletionTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task An_entry_deleted_behind_the_trigger_breaks_the_chain_at_its_successor()
    {
        var admin = await api.ClientWithScopesAsync("*");
        var sections = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            sections.Add((await admin.CreateSectionAsync()).Id());
        }
        var deleted = (await admin.GetJsonAsync($"/v1/manage/audit?resourceId={sections[1]}")).GetProperty("items")[0].Id();
        var successor = (await admin.GetJsonAsync($"/v1/manage/audit?resourceId={sections[2]}")).GetProperty("items")[0].Id();

        await api.WithDbAsync(db => db.Database.ExecuteSqlAsync($"""
            BEGIN;
            SET LOCAL session_replication_role = replica;
            DELETE FROM audit_entries WHERE id = {Guid.Parse(deleted)};
            COMMIT;
            """));

        var problem = await (await admin.GetAsync("/v1/manage/audit/verify")).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(successor, problem.GetProperty("entryId").GetString());
    }
}
