using FluentValidation;
using HeadlessNews.Api.Features.Articles.Blocks;
using HeadlessNews.Api.Features.Media;

namespace HeadlessNews.Api.Features.Articles;

public sealed class SaveArticleRequestValidator : AbstractValidator<SaveArticleRequest>
{
    public const int MaxBlocks = 1000;
    public const int MaxTerms = 50;
    public const int MaxAuthors = 20;

    /// <summary>
    /// Quote blocks and sources cited in source lists, together: each is shown whole (with its translations) wherever a
    /// block names it, so the same long quote named a thousand times was tens of megabytes of delivered JSON that the
    /// body's own size (see <see cref="ArticleReferences.MaxBodyBytes"/>) did not show.
    /// </summary>
    public const int MaxShownReferences = 100;

    public SaveArticleRequestValidator()
    {
        RuleFor(r => r.Headline).NotBlank().MaximumLength(300);
        RuleFor(r => r.Slug).Must(Slugs.IsValid).When(r => r.Slug is not null)
            .WithMessage("A slug is lowercase letters and digits separated by single hyphens (no spaces or capitals), at most 120 characters.");
        RuleFor(r => r.Standfirst).MaximumLength(1000);
        RuleFor(r => r.Body).Must(body => body!.Count <= MaxBlocks).When(r => r.Body is not null)
            .WithMessage($"An article has at most {MaxBlocks} blocks.");
        RuleForEach(r => r.Body).NotNull().SetValidator(new BlockValidator()).When(r => r.Body is not { Count: > MaxBlocks });
        RuleFor(r => r.Body).Must(body => body!.Sum(b => b?.Type == BlockTypes.Quote ? 1 : b?.Type == BlockTypes.SourceList ? b.SourceIds?.Count ?? 0 : 0) <= MaxShownReferences)
            .When(r => r.Body is not null).WithMessage($"An article's blocks show at most {MaxShownReferences} quotes and cited sources together.");
        RuleFor(r => r.Section).NotEmpty().MaximumLength(120).When(r => r.Section is not null);
        RuleFor(r => r.Tags).Must(t => t!.Count <= MaxTerms).When(r => r.Tags is not null).WithMessage($"At most {MaxTerms} tags.");
        RuleForEach(r => r.Tags).Cascade(CascadeMode.Stop).NotEmpty().MaximumLength(100).Must(t => Slugs.From(t).Length > 0).WithMessage("A tag needs letters or digits.");
        RuleFor(r => r.Places).Must(t => t!.Count <= MaxTerms).When(r => r.Places is not null).WithMessage($"At most {MaxTerms} places.");
        RuleForEach(r => r.Places).Cascade(CascadeMode.Stop).NotEmpty().MaximumLength(100).Must(t => Slugs.From(t).Length > 0).WithMessage("A place needs letters or digits.");
        RuleFor(r => r.Authors).Must(a => a!.Count <= MaxAuthors).When(r => r.Authors is not null).WithMessage($"At most {MaxAuthors} authors.");
        RuleForEach(r => r.Authors).NotEmpty().MaximumLength(120);
        RuleFor(r => r.SourceIds).Must(s => s!.Count <= 200).When(r => r.SourceIds is not null).WithMessage("At most 200 sources.");
        RuleFor(r => r.HeroImage!).SetValidator(new HeroImageValidator()).When(r => r.HeroImage is not null);
        RuleFor(r => r.Language).Must(Languages.IsValid).When(r => r.Language is not null).WithMessage("language must be a BCP-47 tag such as en-GB or cy.");
        RuleFor(r => r.CanonicalUrl).MaximumLength(2000).Must(WebUrls.IsHttp).When(r => r.CanonicalUrl is not null)
            .WithMessage("canonicalUrl must be an absolute http or https URL.");
        RuleFor(r => r.Format).IsInEnum();
        RuleFor(r => r.CoverageEndTime).GreaterThan(r => r.CoverageStartTime).When(r => r.CoverageStartTime is not null && r.CoverageEndTime is not null)
            .WithMessage("coverageEndTime is after coverageStartTime.");
    }
}

/// <summary>One use of an image (an article's hero image, a notice's images): an asset or an outside URL, with per-use overrides.</summary>
public sealed class HeroImageValidator : AbstractValidator<HeroImage>
{
    public HeroImageValidator()
    {
        RuleFor(i => i.Url).MaximumLength(2000).Must(WebUrls.IsHttp).When(i => i.AssetId is null)
            .WithMessage("An image needs an assetId or an absolute http or https url.");
        RuleFor(i => i.Url).Null().When(i => i.AssetId is not null).WithMessage("An image has an assetId or a url, not both.");
        RuleFor(i => i.FocalPoint!).Must(FocalPoints.IsValid).When(i => i.FocalPoint is not null).OverridePropertyName("focalPoint")
            .WithMessage(FocalPoints.Message);
        RuleFor(i => i.Alt).MaximumLength(500);
        RuleFor(i => i.Caption).MaximumLength(1000);
        RuleFor(i => i.Credit).MaximumLength(200);
    }
}

public sealed class AddCorrectionRequestValidator : AbstractValidator<AddCorrectionRequest>
{
    public AddCorrectionRequestValidator() => RuleFor(r => r.Text).NotBlank().MaximumLength(2000);
}

public sealed class CreateTranslationRequestValidator : AbstractValidator<CreateTranslationRequest>
{
    public CreateTranslationRequestValidator()
    {
        RuleFor(r => r.Language).Must(Languages.IsValid).WithMessage("language must be a BCP-47 tag such as en-GB or cy.");
        RuleFor(r => r.Headline).NotBlank().MaximumLength(300).When(r => r.Headline is not null);
        RuleFor(r => r.Slug).Must(Slugs.IsValid).When(r => r.Slug is not null)
            .WithMessage("A slug is lowercase letters and digits separated by single hyphens (no spaces or capitals), at most 120 characters.");
    }
}
