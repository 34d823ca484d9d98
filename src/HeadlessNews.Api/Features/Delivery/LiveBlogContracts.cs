using System.Text.Json.Serialization;
using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Features.Sources;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>A live blog entry as delivered: in the entries list, on the article and in the live stream.</summary>
public sealed record LiveEntryDelivery(
    Guid Id,
    Guid ArticleId,
    IReadOnlyList<DeliveredBlock> Body,
    string BodyHtml,
    bool Pinned,
    bool KeyEvent,
    IReadOnlyList<BylineResponse> Authors,
    IReadOnlyList<SourceResponse> Sources,
    IReadOnlyList<Correction> Corrections,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Version);

/// <summary>What a live blog's article carries besides the article itself.</summary>
/// <param name="Entries">The newest 20 entries, newest first (GET /entries pages further back).</param>
public sealed record LiveBlogDelivery(
    DateTimeOffset? CoverageStartTime,
    DateTimeOffset? CoverageEndTime,
    IReadOnlyList<LiveEntryDelivery> Pinned,
    IReadOnlyList<LiveEntryDelivery> KeyEvents,
    IReadOnlyList<LiveEntryDelivery> Entries);

/// <summary>schema.org JSON-LD (NewsArticle or LiveBlogPosting), ready for a script type="application/ld+json".</summary>
public sealed record StructuredData(
    [property: JsonPropertyName("@context")] string Context,
    [property: JsonPropertyName("@type")] string Type,
    string Headline,
    DateTimeOffset? DatePublished,
    DateTimeOffset DateModified,
    IReadOnlyList<StructuredPerson> Author,
    string InLanguage)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? CoverageStartTime { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? CoverageEndTime { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<StructuredBlogPosting>? LiveBlogUpdate { get; init; }
}

public sealed record StructuredPerson([property: JsonPropertyName("@type")] string Type, string Name);

/// <summary>One live blog entry in LiveBlogPosting.liveBlogUpdate.</summary>
public sealed record StructuredBlogPosting(
    [property: JsonPropertyName("@type")] string Type,
    string Headline,
    DateTimeOffset DatePublished,
    DateTimeOffset DateModified,
    string ArticleBody);

/// <summary>What <c>entry.deleted</c> carries: which entry went, never what it said.</summary>
public sealed record DeletedLiveEntry(Guid Id, Guid ArticleId);
