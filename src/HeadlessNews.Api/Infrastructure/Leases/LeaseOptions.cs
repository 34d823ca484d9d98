using System.ComponentModel.DataAnnotations;

namespace HeadlessNews.Api.Infrastructure.Leases;

public sealed class LeaseOptions
{
    public const string Section = "Leases";

    /// <summary>
    /// This process's name, kept across restarts: a process that starts under a name releases at once what earlier
    /// processes of that name still held. Unset: the machine name and a hash of the content root and listen addresses.
    /// Two processes running at the same time must not share it.
    /// </summary>
    [MaxLength(200)]
    public string? NodeName { get; set; }

    /// <summary>How long what a process holds stays held after its last heartbeat; it renews every third of this.</summary>
    [Range(3, 300)]
    public int Seconds { get; set; } = 15;

    public TimeSpan Lease => TimeSpan.FromSeconds(Seconds);

    public TimeSpan HeartbeatInterval => Lease / 3;
}
