using FluentValidation;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Infrastructure.Html;

namespace HeadlessNews.Api.Features.Articles.Blocks;

/// <summary>Per-type rules for one block; used with RuleForEach so errors read <c>body[2].level</c>.</summary>
public sealed class BlockValidator : AbstractValidator<Block>
{
    public const int MaxHtmlLength = 20_000;
    public const int MaxHeadingLength = 300;
    public const int MaxListItems = 500;
    public const int MaxSourcesPerList = 100;
    public const int MaxUrlLength = 2000;
    public const int MaxAltLength = 500;
    public const int MaxCaptionLength = 1000;

    public BlockValidator()
    {
        // Later checks in a rule (counts, known values, URL shape) assume the earlier ones passed, e.g. a list that has items.
        RuleLevelCascadeMode = CascadeMode.Stop;

        RuleFor(b => b.Type).NotEmpty().WithMessage("Every block needs a type: " + string.Join(", ", BlockTypes.All) + ".")
            .Must(BlockTypes.All.Contains).WithMessage(b => $"Unknown block type '{b.Type}'; use one of {string.Join(", ", BlockTypes.All)}.");

        // Each rule carries its own type condition: FluentValidation caches a When(…, () => …) group's condition per
        // block in a dictionary keyed by the block, and hashing a record hashes its whole text (~2 % of an import's CPU).
        RuleFor(b => b.Html).NotNull().MaximumLength(MaxHtmlLength).When(Is(BlockTypes.Paragraph));

        RuleFor(b => b.Level).NotNull().InclusiveBetween(2, 4).WithMessage("A heading's level is 2, 3 or 4.").When(Is(BlockTypes.Heading));
        RuleFor(b => b.Text).NotBlank().MaximumLength(MaxHeadingLength).When(Is(BlockTypes.Heading));

        RuleFor(b => b.Style).Must(s => s is BlockTypes.Bulleted or BlockTypes.Numbered).WithMessage("A list's style is bulleted or numbered.").When(Is(BlockTypes.List));
        RuleFor(b => b.Items).NotEmpty().Must(items => items!.Count <= MaxListItems).WithMessage($"A list has 1 to {MaxListItems} items.").When(Is(BlockTypes.List));
        RuleForEach(b => b.Items).NotNull().MaximumLength(MaxHtmlLength).When(Is(BlockTypes.List));

        RuleFor(b => b.QuoteId).NotNull().NotEqual(Guid.Empty).WithMessage("A quote block needs the quoteId of an existing quote.").When(Is(BlockTypes.Quote));

        RuleFor(b => b.Url).NotEmpty().MaximumLength(MaxUrlLength).Must(WebUrls.IsHttp).When(b => b.Type == BlockTypes.Image && b.AssetId is null)
            .WithMessage("An image block needs an assetId or an absolute http or https url.");
        RuleFor(b => b.Url).Null().When(b => b.Type == BlockTypes.Image && b.AssetId is not null).WithMessage("An image block has an assetId or a url, not both.");
        RuleFor(b => b.FocalPoint!).Must(FocalPoints.IsValid).When(b => b.Type == BlockTypes.Image && b.FocalPoint is not null)
            .OverridePropertyName("focalPoint").WithMessage(FocalPoints.Message);
        RuleFor(b => b.Alt).MaximumLength(MaxAltLength).When(Is(BlockTypes.Image));
        RuleFor(b => b.Caption).MaximumLength(MaxCaptionLength).When(Is(BlockTypes.Image));
        RuleFor(b => b.Credit).MaximumLength(200).When(Is(BlockTypes.Image));

        RuleFor(b => b.Url).NotEmpty().MaximumLength(MaxUrlLength).Must(WebUrls.IsHttp).WithMessage("An embed url is an absolute http or https URL.").When(Is(BlockTypes.Embed));

        RuleFor(b => b.Title).MaximumLength(300).When(Is(BlockTypes.SourceList));
        RuleFor(b => b.SourceIds).NotEmpty().Must(ids => ids!.Count <= MaxSourcesPerList).WithMessage($"A source list cites 1 to {MaxSourcesPerList} sources.")
            .When(Is(BlockTypes.SourceList));
    }

    private static Func<Block, bool> Is(string type) => block => block.Type == type;

    /// <summary>Keeps only the fields of the block's type, with inline HTML sanitised; the stored form of a valid block.</summary>
    public static Block Normalise(Block block) => block.Type switch
    {
        BlockTypes.Paragraph => new Block { Type = block.Type, Html = HtmlSafety.SanitiseInline(block.Html ?? string.Empty) },
        BlockTypes.Heading => new Block { Type = block.Type, Level = block.Level, Text = block.Text?.Trim() },
        BlockTypes.List => new Block { Type = block.Type, Style = block.Style, Items = [.. (block.Items ?? []).Select(HtmlSafety.SanitiseInline)] },
        BlockTypes.Quote => new Block { Type = block.Type, QuoteId = block.QuoteId },
        BlockTypes.Image => new Block { Type = block.Type, AssetId = block.AssetId, Url = block.Url, Alt = block.Alt, Caption = block.Caption, Credit = block.Credit, FocalPoint = block.FocalPoint },
        BlockTypes.Embed => new Block { Type = block.Type, Url = block.Url },
        BlockTypes.SourceList => new Block { Type = block.Type, Title = block.Title, SourceIds = [.. (block.SourceIds ?? []).Distinct()] },
        _ => throw new ArgumentException($"Unknown block type {block.Type}", nameof(block)),
    };
}
