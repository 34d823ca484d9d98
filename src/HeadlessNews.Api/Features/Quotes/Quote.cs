using HeadlessNews.Api.Features.Sources;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using HeadlessNews.Api.Infrastructure.Caching;

namespace HeadlessNews.Api.Features.Quotes;

/// <summary>Something a person said, reusable across stories and corrected in one place.</summary>
public sealed class Quote : ICacheTagged, IVersionedEntity, ICreatedVersioned
{
    public IEnumerable<string> EvictionTags => [$"quote:{Id}", "quotes", "search"];

    public Guid Id { get; set; }
    public required string Text { get; set; }
    public required string SpeakerName { get; set; }
    public string? SpeakerRole { get; set; }
    public string? SpeakerOrganisation { get; set; }
    public DateTimeOffset? SaidAt { get; set; }
    public string? Context { get; set; }
    public Guid? SourceId { get; set; }
    public required string Language { get; set; }
    /// <summary>The quote rendered in other languages (a Welsh quote's English rendering), shown with the matching edition.</summary>
    public Dictionary<string, QuoteTranslation> Translations { get; set; } = [];
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class QuoteConfiguration : IEntityTypeConfiguration<Quote>
{
    public void Configure(EntityTypeBuilder<Quote> builder)
    {
        builder.ToTable("quotes");
        builder.Property(q => q.Text).HasMaxLength(5000);
        builder.Property(q => q.SpeakerName).HasMaxLength(200);
        builder.Property(q => q.SpeakerRole).HasMaxLength(200);
        builder.Property(q => q.SpeakerOrganisation).HasMaxLength(200);
        builder.Property(q => q.Context).HasMaxLength(2000);
        builder.Property(q => q.Language).HasMaxLength(35);
        builder.Property(q => q.Version).IsConcurrencyToken();
        builder.Property(q => q.Translations).AsJsonColumn().HasDefaultValueSql("'{}'::jsonb");
        builder.HasOne<Source>().WithMany().HasForeignKey(q => q.SourceId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(q => q.SpeakerName);
        builder.HasIndex(q => q.UpdatedAt);
    }
}
