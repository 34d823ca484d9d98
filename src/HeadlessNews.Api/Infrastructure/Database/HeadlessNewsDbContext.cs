
namespace HeadlessNews.Api.Infrastructure.Database;

public sealed class HeadlessNewsDbContext(DbContextOptions<HeadlessNewsDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(HeadlessNewsDbContext).Assembly);
}
