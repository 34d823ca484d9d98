using FluentValidation;

namespace HeadlessNews.Api.Features.Tips;

internal sealed class UpdateTipRequestValidator : AbstractValidator<UpdateTipRequest>
{
    public UpdateTipRequestValidator()
    {
        RuleFor(r => r.Status).NotNull().IsInEnum();
        RuleFor(r => r.Assignee).MaximumLength(200);
        RuleFor(r => r.Notes).MaximumLength(20_000);
        // Retention spares only a tip that led to a story: keep alone would be accepted and then destroyed anyway.
        RuleFor(r => r.Keep).Equal(false).When(r => r.ArticleId is null)
            .WithMessage("Only a tip linked to an article can be kept past retention: send its articleId with keep.");
    }
}

internal sealed class TipReplyRequestValidator : AbstractValidator<TipReplyRequest>
{
    public TipReplyRequestValidator() => RuleFor(r => r.Text).NotBlank().MaximumLength(20_000);
}

internal sealed class TipDraftRequestValidator : AbstractValidator<TipDraftRequest>
{
    public TipDraftRequestValidator() => RuleFor(r => r.Headline).MaximumLength(300);
}

internal sealed class DeclineTipsRequestValidator : AbstractValidator<DeclineTipsRequest>
{
    public DeclineTipsRequestValidator() => RuleFor(r => r.Ids).NotEmpty().Must(ids => ids is null || ids.Count <= 500).WithMessage("At most 500 ids at once.");
}
