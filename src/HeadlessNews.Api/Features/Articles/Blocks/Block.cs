using System.Text.Json.Serialization;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Infrastructure.Http;

namespace HeadlessNews.Api.Features.Articles.Blocks;

/// <summary>
/// One body block. <c>type</c> says which fields apply: paragraph {html}, heading {level 2-4, text},
/// list {style: bulleted|numbered, items[html]}, quote {quoteId}, image {assetId | url, alt, caption, credit, focalPoint},
/// embed {url}, sourceList {title?, sourceIds[]}. Fields that do not belong to the type are dropped on save.
/// </summary>
public record Block
{
    /// <summary>First in the JSON, before the fields of a derived shape (clients that read a union by its discriminator need it there).</summary>
    [JsonPropertyOrder(-1)]
    public string? Type { get; init; }

    /// <summary>paragraph: inline HTML (a[href], strong, em, br); anything else is removed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Html { get; init; }

    /// <summary>heading: 2, 3 or 4 (2.0 and 2e0 are the number 2 too).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(WholeNumberConverter))]
    public int? Level { get; init; }

    /// <summary>heading: plain text.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Text { get; init; }

    /// <summary>list: bulleted or numbered.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Style { get; init; }

    /// <summary>list: inline HTML per item.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Items { get; init; }

    /// <summary>quote: the id of an existing quote.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Guid? QuoteId { get; init; }

    /// <summary>image: an uploaded asset (instead of url).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Guid? AssetId { get; init; }

    /// <summary>image: overrides the asset's focal point for this use.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FocalPoint? FocalPoint { get; init; }

    /// <summary>image and embed: absolute http(s) URL.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Url { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Alt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Caption { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Credit { get; init; }

    /// <summary>sourceList: optional heading.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Title { get; init; }

    /// <summary>sourceList: ids of existing sources.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<Guid>? SourceIds { get; init; }
}

public static class BlockTypes
{
    public const string Paragraph = "paragraph";
    public const string Heading = "heading";
    public const string List = "list";
    public const string Quote = "quote";
    public const string Image = "image";
    public const string Embed = "embed";
    public const string SourceList = "sourceList";

    public static readonly IReadOnlyList<string> All = [Paragraph, Heading, List, Quote, Image, Embed, SourceList];

    public const string Bulleted = "bulleted";
    public const string Numbered = "numbered";
}
