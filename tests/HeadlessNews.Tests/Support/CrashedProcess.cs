using HeadlessNews.Api.Infrastructure.Leases;

namespace HeadlessNews.Tests.Support;

/// <summary>What an API process killed with <c>kill -9</c> leaves in the database: its boot's row, with the lease its last heartbeat gave it.</summary>
public static class CrashedProcess
{
    /// <returns>The dead process's boot id, to write the work it held.</returns>
    public static Task<Guid> LeaveBehindAsync(ApiFactory api, string nodeName, TimeSpan leaseLeft) =>
        api.WithDbAsync(async db =>
        {
            var now = api.Clock.GetUtcNow();
            var boot = Guid.CreateVersion7();
            db.Add(new Node { BootId = boot, Name = nodeName, StartedAt = now.AddMinutes(-5), LeaseUntil = now + leaseLeft });
            await db.SaveChangesAsync();
            return boot;
        });
}
