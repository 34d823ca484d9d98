
namespace HeadlessNews.Api.Features.Quotes;

/// <param name="Name">Who said it (required).</param>
/// <param name="Role">e.g. "Harbour master".</param>
/// <param name="Organisation">e.g. "Conwy County Borough Council".</param>
public sealed record Speaker(string Name, string? Role, string? Organisation);

/// <param name="Text">What was said, plain text, at most 5,000 characters.</param>
/// <param name="SourceId">The source the quote came from; it must exist.</param>
/// <param name="Language">BCP-47; default en-GB.</param>
/// <param name="Translations">The quote in other languages, e.g. {"en": {"text": "…"}} for a quote given in Welsh; an article in that language shows it.</param>
public sealed record SaveQuoteRequest(
    string Text, Speaker Speaker, DateTimeOffset? SaidAt, string? Context, Guid? SourceId, string? Language,
    IReadOnlyDictionary<string, QuoteTranslation>? Translations = null);

/// <summary>What was said, rendered in another language.</summary>
public sealed record QuoteTranslation(string Text);

public sealed record QuoteResponse(
    Guid Id, string Text, Speaker Speaker, DateTimeOffset? SaidAt, string? Context, Guid? SourceId, string Language,
    int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public IReadOnlyDictionary<string, QuoteTranslation> Translations { get; init; } = new Dictionary<string, QuoteTranslation>();

    /// <summary>
    /// The quote as an article in <paramref name="language"/> shows it: its own text when said in that language (or when
    /// no rendering in it exists), else the rendering, with <c>language</c> saying which text this is.
    /// </summary>
    public QuoteResponse In(string language) =>
        Languages.Primary(Language) == Languages.Primary(language) || Translations.KeyFor(language) is not { } key
            ? this
            : this with { Text = Translations[key].Text, Language = key };
}
