using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Infrastructure.Caching;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Features.Redirects;

/// <summary>
/// An old URL path that answers with a permanent redirect: to an article (an imported permalink, kept when the article's
/// slug changes) or, hand-made, to any location.
/// </summary>
public sealed class Redirect : ICacheTagged
{
    public IEnumerable<string> EvictionTags => ["redirects"];

    public Guid Id { get; set; }
    /// <summary>Normalised by <see cref="RedirectPaths.Normalise"/>: leading slash, no trailing one, <c>/?p=ID</c> for post ids.</summary>
    public required string Path { get; set; }
    public Guid? ArticleId { get; set; }
    public Article? Article { get; set; }
    /// <summary>A hand-made redirect's target (absolute URL or a path); null when it points to an article.</summary>
    public string? Location { get; set; }
    /// <summary><c>import</c> or <c>manual</c>.</summary>
    public required string Origin { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public static class RedirectOrigins
{
    public const string Import = "import";
    public const string Manual = "manual";
}

internal sealed class RedirectConfiguration : IEntityTypeConfiguration<Redirect>
{
    public void Configure(EntityTypeBuilder<Redirect> builder)
    {
        builder.ToTable("redirects");
        builder.Property(r => r.Path).HasMaxLength(RedirectPaths.MaxLength);
        builder.Property(r => r.Location).HasMaxLength(2000);
        builder.Property(r => r.Origin).HasMaxLength(16);
        builder.HasIndex(r => r.Path).IsUnique();
        builder.HasIndex(r => r.ArticleId);
        builder.HasOne(r => r.Article).WithMany().HasForeignKey(r => r.ArticleId).OnDelete(DeleteBehavior.Cascade);
    }
}
