using FluentValidation;
using HeadlessNews.Api.Features.Articles.Blocks;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Features.Articles;

/// <summary>
/// One dated entry of a live blog (an article with <see cref="ArticleFormat.Liveblog"/>). A deleted entry keeps its row
/// (<see cref="DeletedAt"/>) so its version and the deletion's place in the live stream stay known.
/// </summary>
public sealed class LiveBlogEntry
{
    public Guid Id { get; set; }
    public Guid ArticleId { get; set; }
    public IReadOnlyList<Block> Body { get; set; } = [];
    public bool Pinned { get; set; }
    public bool KeyEvent { get; set; }
    /// <summary>Author ids in byline order.</summary>
    public Guid[] AuthorIds { get; set; } = [];
    public IReadOnlyList<Correction> Corrections { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
    public int Version { get; set; }
}

internal sealed class LiveBlogEntryConfiguration : IEntityTypeConfiguration<LiveBlogEntry>
{
    public void Configure(EntityTypeBuilder<LiveBlogEntry> builder)
    {
        builder.ToTable("live_blog_entries");
        builder.Property(e => e.Version).IsConcurrencyToken();
        builder.Property(e => e.Body).AsJsonColumn();
        builder.Property(e => e.Corrections).AsJsonColumn();
        builder.HasOne<Article>().WithMany().HasForeignKey(e => e.ArticleId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => new { e.ArticleId, e.CreatedAt, e.Id });
        // Find the entries showing a quote, source, asset or author when it changes (their delivery JSON follows).
        builder.HasIndex(e => e.Body).HasMethod("gin");
        builder.HasIndex(e => e.AuthorIds).HasMethod("gin");
    }
}

/// <summary>An entry's editable content.</summary>
/// <param name="Body">Blocks as in an article body (quotes, sources, images included), at least one.</param>
/// <param name="Pinned">Shown above the stream (pinned entries come with the article).</param>
/// <param name="KeyEvent">A turning point of the story (listed as a key event with the article).</param>
/// <param name="Authors">Author slugs, in byline order.</param>
/// <param name="Correction">PUT only: a dated correction appended to the entry with this edit.</param>
public sealed record SaveLiveBlogEntryRequest(IReadOnlyList<Block>? Body, bool? Pinned, bool? KeyEvent, IReadOnlyList<string>? Authors, string? Correction);

/// <summary>An entry as editors see it.</summary>
public sealed record LiveBlogEntryResponse(
    Guid Id, Guid ArticleId, IReadOnlyList<Block> Body, bool Pinned, bool KeyEvent, IReadOnlyList<NamedRef> Authors,
    IReadOnlyList<Correction> Corrections, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Version) : IVersioned;

public sealed class SaveLiveBlogEntryRequestValidator : AbstractValidator<SaveLiveBlogEntryRequest>
{
    public const int MaxBlocks = 100;

    public SaveLiveBlogEntryRequestValidator()
    {
        // A missing value stops at its first rule: the later ones read it.
        RuleLevelCascadeMode = CascadeMode.Stop;
        RuleFor(r => r.Body).NotEmpty().Must(body => body!.Count <= MaxBlocks).WithMessage($"An entry has 1 to {MaxBlocks} blocks.");
        RuleForEach(r => r.Body).NotNull().SetValidator(new BlockValidator()).When(r => r.Body is { Count: <= MaxBlocks });
        RuleFor(r => r.Authors).Must(a => a!.Count <= 20).When(r => r.Authors is not null).WithMessage("At most 20 authors.");
        RuleForEach(r => r.Authors).NotEmpty().MaximumLength(120);
        RuleFor(r => r.Correction).NotBlank().MaximumLength(2000).When(r => r.Correction is not null);
    }
}
