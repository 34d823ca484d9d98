using System.Net;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Reliability;

/// <summary>The audit entry is written after the write it records has committed; failing to write it must not turn
/// a committed write into a broken response.</summary>
public sealed class AuditFailureTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_write_that_committed_is_answered_even_when_its_audit_entry_cannot_be_stored()
    {
        var editor = await api.ClientWithScopesAsync("*");
        await api.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(
            "ALTER TABLE audit_entries ADD CONSTRAINT audit_refused CHECK (status < 0) NOT VALID"));
        try
        {
            var section = await editor.CreateSectionAsync(Editorial.Unique("Audit outage"));

            var stored = await api.WithDbAsync(db => db.Database
                .SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM sections WHERE id = {0}", Guid.Parse(section.Id())).SingleAsync());
            Assert.Equal(1, stored);
            Assert.Equal(HttpStatusCode.OK, (await editor.GetAsync($"/v1/manage/sections/{section.Id()}")).StatusCode);
        }
        finally
        {
            await api.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("ALTER TABLE audit_entries DROP CONSTRAINT audit_refused"));
        }
    }
}
