using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Infrastructure.Leases;

/// <summary>
/// One start of an API process. Idempotency records and webhook claims name the <see cref="BootId"/> that holds them,
/// and are held only while its row exists with <see cref="LeaseUntil"/> ahead: one heartbeat renews everything at once.
/// </summary>
public sealed class Node
{
    public Guid BootId { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset LeaseUntil { get; set; }
}

/// <summary>This process: a boot id new at every start, and the node name it keeps across restarts.</summary>
public sealed class ThisNode
{
    public ThisNode(IOptions<LeaseOptions> options, IHostEnvironment environment, IConfiguration configuration) =>
        Name = options.Value.NodeName is { Length: > 0 } name ? name : DefaultName(environment.ContentRootPath, configuration);

    public Guid BootId { get; } = Guid.CreateVersion7();

    public string Name { get; }

    /// <summary>Processes on one machine differ by where they run from and where they listen.</summary>
    private static string DefaultName(string contentRoot, IConfiguration configuration)
    {
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(endpoint => endpoint["Url"]);
        var identity = string.Join('|', [contentRoot, configuration["urls"], configuration["http_ports"], configuration["https_ports"], .. endpoints]);
        return $"{Environment.MachineName}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..12]}";
    }
}

internal sealed class NodeConfiguration : IEntityTypeConfiguration<Node>
{
    public void Configure(EntityTypeBuilder<Node> builder)
    {
        builder.ToTable("nodes");
        builder.HasKey(n => n.BootId);
        builder.Property(n => n.Name).HasMaxLength(200);
        builder.HasIndex(n => n.Name);
    }
}
