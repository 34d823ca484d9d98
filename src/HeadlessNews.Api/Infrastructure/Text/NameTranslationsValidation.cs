using FluentValidation;

namespace HeadlessNews.Api.Infrastructure.Text;

public static class NameTranslationsValidation
{
    public const int MaxLanguages = 20;

    /// <summary>Keys are BCP-47 tags; each entry has a name; names and descriptions fit their columns.</summary>
    public static IRuleBuilderOptions<T, IReadOnlyDictionary<string, NameTranslation>?> ValidNameTranslations<T>(
        this IRuleBuilder<T, IReadOnlyDictionary<string, NameTranslation>?> rule, int maxName, int maxDescription) => rule
        .Must(translations => translations is null || (translations.Count <= MaxLanguages && translations.All(t =>
            Languages.IsValid(t.Key) && t.Value is { } value && !string.IsNullOrWhiteSpace(value.Name) && value.Name.Length <= maxName
            && (value.Description?.Length ?? 0) <= maxDescription)))
        .WithMessage($"translations maps up to {MaxLanguages} BCP-47 tags (e.g. cy) to {{name, description}}: a name of 1 to {maxName} characters, a description of at most {maxDescription}.");
}
