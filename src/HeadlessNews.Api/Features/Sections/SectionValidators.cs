using FluentValidation;

namespace HeadlessNews.Api.Features.Sections;

public sealed class SaveSectionRequestValidator : AbstractValidator<SaveSectionRequest>
{
    public SaveSectionRequestValidator()
    {
        RuleFor(r => r.Name).NotBlank().MaximumLength(200);
        RuleFor(r => r.Slug).Must(Slugs.IsValid).When(r => r.Slug is not null)
            .WithMessage("A slug is lowercase letters and digits separated by single hyphens, at most 120 characters.");
        RuleFor(r => r.Translations).ValidNameTranslations(200, 2000);
        RuleFor(r => r.Description).MaximumLength(2000);
    }
}
