namespace HeadlessNews.Api.Infrastructure.Text;

/// <summary>A section's, tag's, place's or author's name (and description) in another language.</summary>
public sealed record NameTranslation(string Name, string? Description);

/// <summary>
/// Names by language (<c>{"cy": {name, description}}</c>). Readers get the language's name, else the default one: the
/// fallback happens only when reading, never written into the other language's entry.
/// </summary>
public static class NameTranslations
{
    /// <summary>The entry for <paramref name="language"/> (or its primary language: cy-GB uses cy), if any.</summary>
    public static NameTranslation? For(this IReadOnlyDictionary<string, NameTranslation>? translations, string? language) =>
        translations.KeyFor(language) is { } key ? translations![key] : null;

    /// <summary>
    /// Which key of <paramref name="translations"/> serves <paramref name="language"/>: the language itself, else its
    /// primary language (cy-GB uses cy); none when neither is there. For any kind of translation (names, quotes, notices).
    /// </summary>
    public static string? KeyFor<T>(this IReadOnlyDictionary<string, T>? translations, string? language)
    {
        if (translations is not { Count: > 0 } || language is null)
        {
            return null;
        }
        var normalised = Languages.Normalise(language);
        var primary = Languages.Primary(normalised);
        return translations.ContainsKey(normalised) ? normalised : translations.ContainsKey(primary) ? primary : null;
    }

    public static string NameIn(this IReadOnlyDictionary<string, NameTranslation>? translations, string? language, string name) =>
        translations.For(language)?.Name ?? name;

    public static string? DescriptionIn(this IReadOnlyDictionary<string, NameTranslation>? translations, string? language, string? description) =>
        translations.For(language) is { } translated ? translated.Description ?? description : description;

    /// <summary>What is stored: keys in BCP-47's usual casing, names trimmed.</summary>
    public static Dictionary<string, NameTranslation> Normalise(IReadOnlyDictionary<string, NameTranslation>? translations) =>
        translations?.ToDictionary(t => Languages.Normalise(t.Key), t => t.Value with { Name = t.Value.Name.Trim() }) ?? [];
}
