using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Infrastructure.Security;

/// <summary>A named server-side secret kept in the database, so every node shares it (the API-key tag key).</summary>
public sealed class ServerSecret
{
    public required string Name { get; set; }
    public required byte[] Value { get; set; }

    /// <summary>The named secret (256 random bits), made by whichever node asks first and shared by all.</summary>
    public static async Task<byte[]> GetOrCreateAsync(IServiceScopeFactory scopes, string name, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        var candidate = RandomNumberGenerator.GetBytes(32);
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO server_secrets (name, value) VALUES ({name}, {candidate}) ON CONFLICT (name) DO NOTHING", cancellationToken);
        return await db.Set<ServerSecret>().Where(s => s.Name == name).Select(s => s.Value).SingleAsync(cancellationToken);
    }
}

internal sealed class ServerSecretConfiguration : IEntityTypeConfiguration<ServerSecret>
{
    public void Configure(EntityTypeBuilder<ServerSecret> builder)
    {
        builder.ToTable("server_secrets");
        builder.HasKey(s => s.Name);
    }
}
