using FluentValidation;
using HeadlessNews.Api.Features.Sources;

namespace HeadlessNews.Api.Features.Quotes;

public sealed class SaveQuoteRequestValidator : AbstractValidator<SaveQuoteRequest>
{
    public SaveQuoteRequestValidator(HeadlessNewsDbContext db)
    {
        RuleFor(r => r.Text).NotBlank().MaximumLength(5000);
        RuleFor(r => r.Speaker).NotNull().WithMessage("A quote needs a speaker with a name.");
        RuleFor(r => r.Speaker.Name).NotBlank().MaximumLength(200).When(r => r.Speaker is not null)
            .OverridePropertyName("speaker.name");
        RuleFor(r => r.Speaker.Role).MaximumLength(200).When(r => r.Speaker is not null).OverridePropertyName("speaker.role");
        RuleFor(r => r.Speaker.Organisation).MaximumLength(200).When(r => r.Speaker is not null).OverridePropertyName("speaker.organisation");
        RuleFor(r => r.Context).MaximumLength(2000);
        RuleFor(r => r.Translations).Must(translations => translations is null || (translations.Count <= NameTranslationsValidation.MaxLanguages
                && translations.All(t => Languages.IsValid(t.Key) && t.Value is { } value && !string.IsNullOrWhiteSpace(value.Text) && value.Text.Length <= 5000)))
            .WithMessage($"translations maps up to {NameTranslationsValidation.MaxLanguages} BCP-47 tags (e.g. en) to {{text}} of 1 to 5,000 characters.");
        RuleFor(r => r.Language).Must(Languages.IsValid).When(r => r.Language is not null)
            .WithMessage("language must be a BCP-47 tag such as en-GB or cy.");
        RuleFor(r => r.SourceId)
            .MustAsync((id, cancellationToken) => db.Set<Source>().AnyAsync(s => s.Id == id, cancellationToken))
            .When(r => r.SourceId is not null)
            .WithMessage(r => $"No source has id {r.SourceId}.");
    }
}
