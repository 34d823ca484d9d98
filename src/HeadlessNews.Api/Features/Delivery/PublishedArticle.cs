using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NpgsqlTypes;
using HeadlessNews.Api.Infrastructure.Caching;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>
/// The published read model: one row per published article (live, scheduled or embargoed), holding its delivery JSON
/// prepared once at write time plus the columns delivery filters on. Reads are one indexed lookup that returns bytes.
/// Visibility stays exact without jobs: every read filters <c>visible_from &lt;= now</c>.
/// </summary>
public sealed class PublishedArticle : ICacheTagged
{
    public IEnumerable<string> EvictionTags => [.. TagsOf(ArticleId), $"translations:{TranslationGroupId}"];

    /// <summary>The cached answers a change to article <paramref name="articleId"/>'s row makes stale.</summary>
    public static IEnumerable<string> TagsOf(Guid articleId) => [CacheTags.Article(articleId), "articles", "quotes", "sources", "search", "feeds"];

    public Guid ArticleId { get; set; }
    public required string Slug { get; set; }
    /// <summary>The later of publishAt and embargoUntil: the instant the article becomes visible.</summary>
    public DateTimeOffset VisibleFrom { get; set; }
    /// <summary>firstPublishedAt, else publishAt: what "old" is measured from.</summary>
    public DateTimeOffset FirstSeen { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? SectionSlug { get; set; }
    public string[] TagSlugs { get; set; } = [];
    public string[] PlaceSlugs { get; set; } = [];
    public string[] AuthorSlugs { get; set; } = [];
    public Guid[] QuoteIds { get; set; } = [];
    public Guid[] SourceIds { get; set; } = [];
    /// <summary>Assets the article shows (hero and image blocks): their renditions are public once the article is visible.</summary>
    public Guid[] AssetIds { get; set; } = [];
    public required string Language { get; set; }
    /// <summary>The article's translation group: its visible siblings are its <c>translations</c>.</summary>
    public Guid TranslationGroupId { get; set; }
    public required string Headline { get; set; }
    public string? Standfirst { get; set; }
    /// <summary>The body as plain text, for search and snippets.</summary>
    public required string BodyText { get; set; }
    public required string SummaryJson { get; set; }
    public required string SummaryWithBodyJson { get; set; }
    public required string DocumentJson { get; set; }
    /// <summary>Weighted, accent-insensitive search vector (headline A, standfirst B, body C), computed by PostgreSQL.</summary>
    public NpgsqlTsVector? Search { get; set; }
    /// <summary>
    /// The same over the headline, standfirst and the body's first <see cref="PublishedArticleConfiguration.LeadCharacters"/>
    /// characters: what search ranks by. News puts what matters first, and this vector is small enough to stay in the row
    /// (storage MAIN): ranking a 1,500-character lead read each candidate's vector back from TOAST (170 ms for 1,000).
    /// </summary>
    public NpgsqlTsVector? SearchLead { get; set; }
}

internal sealed class PublishedArticleConfiguration : IEntityTypeConfiguration<PublishedArticle>
{
    /// <summary>English stemming, except Welsh (cy) content, which has no stemmer in PostgreSQL: simple.</summary>
    public const string SearchConfiguration = "CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END";

    /// <summary>The text a vector is made of: accents folded, and for Welsh the initial mutations too (see <see cref="SearchVectors.WelshQuery"/>).</summary>
    public static string SearchText(string text, string languageColumn = "language") =>
        $"CASE WHEN {languageColumn} LIKE 'cy%' THEN hn_welsh_fold(hn_unaccent({text})) ELSE hn_unaccent({text}) END";
    public const int LeadCharacters = 300;

    public void Configure(EntityTypeBuilder<PublishedArticle> builder)
    {
        builder.ToTable("published_articles");
        // A rename rewrites every row showing the section or author: with half of each page free the new row versions
        // stay on their page (HOT, no entries in the eleven indexes), and lz4 (de)compresses the JSON far faster than pglz.
        builder.HasStorageParameter("fillfactor", 50);
        builder.Property(p => p.SummaryJson).UseCompressionMethod("lz4");
        builder.Property(p => p.SummaryWithBodyJson).UseCompressionMethod("lz4");
        builder.Property(p => p.DocumentJson).UseCompressionMethod("lz4");
        builder.HasKey(p => p.ArticleId);
        builder.HasIndex(p => p.Slug).IsUnique();
        builder.HasIndex(p => new { p.VisibleFrom, p.ArticleId }).IsDescending();
        builder.HasIndex(p => new { p.SectionSlug, p.VisibleFrom, p.ArticleId }).IsDescending(false, true, true);
        builder.HasIndex(p => p.TagSlugs).HasMethod("gin");
        builder.HasIndex(p => p.PlaceSlugs).HasMethod("gin");
        builder.HasIndex(p => p.AuthorSlugs).HasMethod("gin");
        builder.HasIndex(p => p.AssetIds).HasMethod("gin");
        builder.HasIndex(p => p.TranslationGroupId);
        builder.Property(p => p.Search).HasComputedColumnSql($"""
            setweight(to_tsvector({SearchConfiguration}, {SearchText("headline")}), 'A') ||
            setweight(to_tsvector({SearchConfiguration}, {SearchText("coalesce(standfirst, '')")}), 'B') ||
            setweight(to_tsvector({SearchConfiguration}, {SearchText("left(body_text, 200000)")}), 'C')
            """, stored: true);
        builder.HasIndex(p => p.Search).HasMethod("gin");
        // Search's Welsh branch (its query folded, not stemmed) reads Welsh articles only: English ones never pay for it.
        builder.HasIndex(p => p.Search, "ix_published_articles_search_welsh").HasDatabaseName("ix_published_articles_search_welsh").HasMethod("gin").HasFilter("language LIKE 'cy%'");
        builder.Property(p => p.SearchLead).HasComputedColumnSql($"""
            setweight(to_tsvector({SearchConfiguration}, {SearchText("headline")}), 'A') ||
            setweight(to_tsvector({SearchConfiguration}, {SearchText("coalesce(standfirst, '')")}), 'B') ||
            setweight(to_tsvector({SearchConfiguration}, {SearchText($"left(body_text, {LeadCharacters})")}), 'C')
            """, stored: true);
    }
}
