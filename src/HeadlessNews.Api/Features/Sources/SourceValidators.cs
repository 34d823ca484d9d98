using FluentValidation;

namespace HeadlessNews.Api.Features.Sources;

public sealed class SaveSourceRequestValidator : AbstractValidator<SaveSourceRequest>
{
    public SaveSourceRequestValidator()
    {
        RuleFor(r => r.Kind).NotNull().WithMessage("kind is required.").IsInEnum();
        RuleFor(r => r.Title).NotBlank().MaximumLength(500);
        RuleFor(r => r.Publisher).MaximumLength(200);
        RuleFor(r => r.Url).MaximumLength(2000).Must(WebUrls.IsHttp).When(r => r.Url is not null)
            .WithMessage("url must be an absolute http or https URL.");
        RuleFor(r => r.Description).MaximumLength(5000);
    }
}
