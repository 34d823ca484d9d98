using System.Linq.Expressions;
using System.Text.Json.Serialization;
using HeadlessNews.Api.Features.Articles.Blocks;
using HeadlessNews.Api.Features.Authors;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Features.Quotes;
using HeadlessNews.Api.Features.Sections;
using HeadlessNews.Api.Features.Sources;
using HeadlessNews.Api.Infrastructure.Domain;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Features.Articles;

/// <summary>
/// Workflow status. <c>Scheduled</c> is never stored: a publication with a future <c>publishAt</c> is stored as
/// <c>Published</c> and shown as scheduled until then, so visibility needs no background job (see <see cref="ArticleVisibility"/>).
/// </summary>
public enum ArticleStatus
{
    Draft,
    Scheduled,
    Published,
    Unpublished,
    Archived,
}

/// <summary>The lead picture: an uploaded asset (<c>assetId</c>, with per-use overrides) or an image hosted elsewhere (<c>url</c>).</summary>
public sealed record HeroImage(string? Url, string? Alt, string? Caption, string? Credit)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Guid? AssetId { get; init; }

    /// <summary>Overrides the asset's focal point for this use.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FocalPoint? FocalPoint { get; init; }

    public ImageUse ToUse() => new(AssetId, Url, Alt, Caption, Credit, FocalPoint);
}

public sealed record Correction(DateTimeOffset At, string Text);

/// <summary>A standard article, or a live blog: a stream of dated entries (<see cref="LiveBlogEntry"/>) during its coverage.</summary>
public enum ArticleFormat
{
    Standard,
    Liveblog,
}

public sealed class Article
{
    public Guid Id { get; set; }
    public required string Slug { get; set; }
    public required string Headline { get; set; }
    public string? Standfirst { get; set; }
    public IReadOnlyList<Block> Body { get; set; } = [];
    public Guid? SectionId { get; set; }
    public Section? Section { get; set; }
    public HeroImage? HeroImage { get; set; }
    public required string Language { get; set; }
    /// <summary>The editions of one story share it (a new article starts a group of its own); each edition is its own article.</summary>
    public Guid TranslationGroupId { get; set; }
    public ArticleStatus Status { get; set; }
    public DateTimeOffset? PublishAt { get; set; }
    public DateTimeOffset? FirstPublishedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? EmbargoUntil { get; set; }
    public IReadOnlyList<Correction> Corrections { get; set; } = [];
    public string? CanonicalUrl { get; set; }
    /// <summary>Cited sources in the editor's order (sourceList blocks add more; both are in <see cref="ArticleSource"/>).</summary>
    public List<Guid> SourceIds { get; set; } = [];
    public int Version { get; set; }
    /// <summary>Preview links carry the generation they were made in; revoking them all (or archiving) moves it on.</summary>
    public int PreviewGeneration { get; set; }
    public List<ArticleAuthor> Authors { get; set; } = [];
    public List<ArticleTag> Tags { get; set; } = [];
    public List<ArticlePlace> Places { get; set; } = [];
    public ArticleFormat Format { get; set; }
    /// <summary>Live blogs: when coverage starts and (once known) ends; readers' streams end at the end.</summary>
    public DateTimeOffset? CoverageStartTime { get; set; }
    public DateTimeOffset? CoverageEndTime { get; set; }

    /// <summary>An untracked copy sharing the relations, to try a change on without touching the tracked article.</summary>
    public Article Copy() => (Article)MemberwiseClone();
}

/// <summary>A tag: normalised slug plus the display name it was first used with (renamed and translated through management).</summary>
public sealed class Tag : INamedTerm<Tag>
{
    public static string ResourceType => "tag";
    public static ReferencedContent Content => ReferencedContent.Tag;

    public Guid Id { get; set; }
    public required string Slug { get; set; }
    public required string Name { get; set; }
    public Dictionary<string, NameTranslation> Translations { get; set; } = [];
    public int Version { get; set; } = 1;
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A place (town, village, landmark): normalised slug plus display name.</summary>
public sealed class Place : INamedTerm<Place>
{
    public static string ResourceType => "place";
    public static ReferencedContent Content => ReferencedContent.Place;

    public Guid Id { get; set; }
    public required string Slug { get; set; }
    public required string Name { get; set; }
    public Dictionary<string, NameTranslation> Translations { get; set; } = [];
    public int Version { get; set; } = 1;
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// A tag or place: made by the articles that first name it, then renamed and named in other languages
/// (<c>{"cy": {name}}</c>) through management like a section.
/// </summary>
public interface INamedTerm<TSelf> : IVersionedEntity where TSelf : class, INamedTerm<TSelf>
{
    /// <summary>How messages name it, e.g. <c>tag</c>.</summary>
    static abstract string ResourceType { get; }

    static abstract ReferencedContent Content { get; }

    string Slug { get; }
    string Name { get; set; }
    Dictionary<string, NameTranslation> Translations { get; set; }
}

/// <summary>A row of a link table: the article that uses something (an author, tag, place, quote or source).</summary>
public abstract class ArticleLinkRow
{
    public Guid ArticleId { get; set; }
    public Article? Article { get; set; }
}

/// <summary>A link the editor put in order (bylines, tags, places).</summary>
public abstract class OrderedArticleLinkRow : ArticleLinkRow
{
    public int Position { get; set; }
}

public sealed class ArticleAuthor : OrderedArticleLinkRow
{
    public Guid AuthorId { get; set; }
    public Author? Author { get; set; }
}

public sealed class ArticleTag : OrderedArticleLinkRow
{
    public Guid TagId { get; set; }
    public Tag? Tag { get; set; }
}

public sealed class ArticlePlace : OrderedArticleLinkRow
{
    public Guid PlaceId { get; set; }
    public Place? Place { get; set; }
}

/// <summary>An article's body has a quote block for this quote. Maintained on every save; answers "which articles use quote X".</summary>
public sealed class ArticleQuote : ArticleLinkRow
{
    public Guid QuoteId { get; set; }
}

/// <summary>An article cites this source (in sourceIds or a sourceList block). Maintained on every save.</summary>
public sealed class ArticleSource : ArticleLinkRow
{
    public Guid SourceId { get; set; }
}

/// <summary>A slug an article used to have; delivery answers 301 from it to the article's current slug.</summary>
public sealed class ArticleSlugHistory
{
    public required string Slug { get; set; }
    public Guid ArticleId { get; set; }
    public DateTimeOffset RetiredAt { get; set; }
}

internal sealed class ArticleConfiguration : IEntityTypeConfiguration<Article>
{
    public void Configure(EntityTypeBuilder<Article> builder)
    {
        builder.ToTable("articles");
        builder.Property(a => a.Slug).HasMaxLength(120);
        builder.Property(a => a.Headline).HasMaxLength(300);
        builder.Property(a => a.Standfirst).HasMaxLength(1000);
        builder.Property(a => a.Language).HasMaxLength(35);
        builder.Property(a => a.CanonicalUrl).HasMaxLength(2000);
        builder.Property(a => a.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Format).HasConversion<string>().HasMaxLength(16).HasDefaultValue(ArticleFormat.Standard).HasSentinel(ArticleFormat.Standard);
        builder.Property(a => a.Version).IsConcurrencyToken();
        builder.Property(a => a.Body).AsJsonColumn();
        builder.Property(a => a.Corrections).AsJsonColumn();
        builder.Property(a => a.HeroImage).AsJsonColumn();
        builder.HasOne(a => a.Section).WithMany().HasForeignKey(a => a.SectionId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(a => a.Slug).IsUnique();
        builder.HasIndex(a => new { a.UpdatedAt, a.Id });
        builder.HasIndex(a => new { a.Status, a.UpdatedAt });
        builder.HasIndex(a => new { a.SectionId, a.UpdatedAt });
        // A section rename walks its articles in id order (see ReadModelRelabel).
        builder.HasIndex(a => new { a.SectionId, a.Id });
        builder.HasIndex(a => a.Headline).HasMethod("gin").HasOperators("gin_trgm_ops");
        builder.HasIndex(a => a.TranslationGroupId);
    }
}

internal sealed class TagConfiguration : IEntityTypeConfiguration<Tag>
{
    public void Configure(EntityTypeBuilder<Tag> builder)
    {
        builder.ToTable("tags");
        builder.Property(t => t.Slug).HasMaxLength(120);
        builder.Property(t => t.Name).HasMaxLength(100);
        builder.Property(t => t.Translations).AsJsonColumn().HasDefaultValueSql("'{}'::jsonb");
        builder.Property(t => t.Version).IsConcurrencyToken().HasDefaultValue(1);
        builder.Property(t => t.UpdatedAt).HasDefaultValueSql("now()");
        builder.HasIndex(t => t.Slug).IsUnique();
    }
}

internal sealed class PlaceConfiguration : IEntityTypeConfiguration<Place>
{
    public void Configure(EntityTypeBuilder<Place> builder)
    {
        builder.ToTable("places");
        builder.Property(p => p.Slug).HasMaxLength(120);
        builder.Property(p => p.Name).HasMaxLength(100);
        builder.Property(p => p.Translations).AsJsonColumn().HasDefaultValueSql("'{}'::jsonb");
        builder.Property(p => p.Version).IsConcurrencyToken().HasDefaultValue(1);
        builder.Property(p => p.UpdatedAt).HasDefaultValueSql("now()");
        builder.HasIndex(p => p.Slug).IsUnique();
    }
}

internal sealed class ArticleLinkConfiguration :
    IEntityTypeConfiguration<ArticleAuthor>, IEntityTypeConfiguration<ArticleTag>, IEntityTypeConfiguration<ArticlePlace>,
    IEntityTypeConfiguration<ArticleQuote>, IEntityTypeConfiguration<ArticleSource>, IEntityTypeConfiguration<ArticleSlugHistory>
{
    public void Configure(EntityTypeBuilder<ArticleAuthor> builder)
    {
        LinkTable(builder, "article_authors", nameof(ArticleAuthor.AuthorId), a => a.Authors);
        builder.HasOne(l => l.Author).WithMany().HasForeignKey(l => l.AuthorId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<ArticleTag> builder)
    {
        LinkTable(builder, "article_tags", nameof(ArticleTag.TagId), a => a.Tags);
        builder.HasOne(l => l.Tag).WithMany().HasForeignKey(l => l.TagId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<ArticlePlace> builder)
    {
        LinkTable(builder, "article_places", nameof(ArticlePlace.PlaceId), a => a.Places);
        builder.HasOne(l => l.Place).WithMany().HasForeignKey(l => l.PlaceId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<ArticleQuote> builder)
    {
        LinkTable(builder, "article_quotes", nameof(ArticleQuote.QuoteId));
        builder.HasOne<Quote>().WithMany().HasForeignKey(l => l.QuoteId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<ArticleSource> builder)
    {
        LinkTable(builder, "article_sources", nameof(ArticleSource.SourceId));
        builder.HasOne<Source>().WithMany().HasForeignKey(l => l.SourceId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<ArticleSlugHistory> builder)
    {
        builder.ToTable("article_slug_history");
        builder.HasKey(h => h.Slug);
        builder.Property(h => h.Slug).HasMaxLength(120);
        builder.HasOne<Article>().WithMany().HasForeignKey(h => h.ArticleId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(h => h.ArticleId);
    }

    /// <summary>
    /// What every link table shares: one row per article and <paramref name="targetId"/>, deleted with the article
    /// (reached from it by <paramref name="fromArticle"/>, if anything), indexed by target to answer "which articles use X",
    /// in id order (an author rename walks them so, see ReadModelRelabel).
    /// </summary>
    private static void LinkTable<TLink>(EntityTypeBuilder<TLink> builder, string table, string targetId, Expression<Func<Article, IEnumerable<TLink>?>>? fromArticle = null)
        where TLink : ArticleLinkRow
    {
        builder.ToTable(table);
        builder.HasKey(nameof(ArticleLinkRow.ArticleId), targetId);
        builder.HasOne(l => l.Article).WithMany(fromArticle).HasForeignKey(l => l.ArticleId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(targetId, nameof(ArticleLinkRow.ArticleId));
    }
}
