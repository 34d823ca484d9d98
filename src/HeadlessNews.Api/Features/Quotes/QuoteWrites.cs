using HeadlessNews.Api.Infrastructure.Domain;
using HeadlessNews.Api.Infrastructure.Events;

namespace HeadlessNews.Api.Features.Quotes;

/// <summary>The one write path for quotes, for every writer.</summary>
public static class QuoteWrites
{
    public const string ResourceType = "quote";

    private static readonly VersionedKind<Quote> Kind = new()
    {
        Name = ResourceType,
        Content = ReferencedContent.Quote,
        UpdatedEvent = ContentEventTypes.QuoteUpdated,
        OnForeignKeyViolation = _ => Invalid.Field("sourceId", "The source was deleted meanwhile."),
    };

    public static Task<WriteResult<Quote>> CreateAsync(HeadlessNewsDbContext db, TimeProvider clock, SaveQuoteRequest input, CancellationToken cancellationToken)
    {
        var now = clock.Now();
        var quote = new Quote { Id = Guid.CreateVersion7(), Text = string.Empty, SpeakerName = string.Empty, Language = Languages.Default, Version = 1, CreatedAt = now, UpdatedAt = now };
        Apply(quote, input);
        return Kind.CreateAsync(db, quote, cancellationToken);
    }

    /// <summary>Corrects it in one place: every article using it shows the change, and subscribers hear of it while one is visible.</summary>
    public static Task<WriteResult<Quote>> UpdateAsync(
        HeadlessNewsDbContext db, TimeProvider clock, IArticleUsage usage, Guid id, ExpectedVersion expected, SaveQuoteRequest input, CancellationToken cancellationToken) =>
        Kind.UpdateAsync(db, clock, usage, id, expected, quote => Apply(quote, input), cancellationToken);

    /// <summary>Deletes it unless a published (or scheduled) article uses it.</summary>
    public static Task<Refusal?> DeleteAsync(HeadlessNewsDbContext db, IArticleUsage usage, Guid id, ExpectedVersion expected, CancellationToken cancellationToken) =>
        Kind.DeleteAsync(db, usage, id, expected, cancellationToken);

    private static void Apply(Quote quote, SaveQuoteRequest input)
    {
        quote.Text = input.Text.Trim();
        quote.SpeakerName = input.Speaker.Name.Trim();
        quote.SpeakerRole = input.Speaker.Role;
        quote.SpeakerOrganisation = input.Speaker.Organisation;
        quote.SaidAt = input.SaidAt?.ToUniversalTime();
        quote.Context = input.Context;
        quote.SourceId = input.SourceId;
        quote.Language = input.Language ?? Languages.Default;
        quote.Translations = input.Translations?.ToDictionary(t => Languages.Normalise(t.Key), t => new QuoteTranslation(t.Value.Text.Trim())) ?? [];
    }
}
