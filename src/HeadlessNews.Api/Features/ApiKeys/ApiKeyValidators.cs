using FluentValidation;

namespace HeadlessNews.Api.Features.ApiKeys;

public sealed class CreateApiKeyRequestValidator : AbstractValidator<CreateApiKeyRequest>
{
    public CreateApiKeyRequestValidator(TimeProvider clock)
    {
        RuleFor(r => r.Name).NotBlank().MaximumLength(200);
        RuleFor(r => r.Scopes).NotEmpty().WithMessage("Give the key at least one scope.");
        RuleForEach(r => r.Scopes).Must(Scopes.Known.Contains).WithMessage(s => $"Unknown scope; use one of {string.Join(", ", Scopes.Known)}.");
        RuleFor(r => r.ExpiresAt).Must(at => at is null || at > clock.GetUtcNow()).WithMessage("expiresAt must be in the future.");
        RuleForEach(r => r.Sections).NotEmpty().MaximumLength(100);
        RuleForEach(r => r.Tags).NotEmpty().MaximumLength(100);
    }
}
