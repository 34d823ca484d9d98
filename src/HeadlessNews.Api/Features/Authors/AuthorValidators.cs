using FluentValidation;

namespace HeadlessNews.Api.Features.Authors;

public sealed class SaveAuthorRequestValidator : AbstractValidator<SaveAuthorRequest>
{
    public SaveAuthorRequestValidator()
    {
        RuleFor(r => r.Name).NotBlank().MaximumLength(200);
        RuleFor(r => r.Slug).Must(Slugs.IsValid).When(r => r.Slug is not null)
            .WithMessage("A slug is lowercase letters and digits separated by single hyphens, at most 120 characters.");
        RuleFor(r => r.Translations).ValidNameTranslations(200, 5000);
        RuleFor(r => r.Role).MaximumLength(200);
        RuleFor(r => r.Bio).MaximumLength(5000);
    }
}
