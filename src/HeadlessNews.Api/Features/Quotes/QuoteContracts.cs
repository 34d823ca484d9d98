namespace HeadlessNews.Api.Features.Quotes;

/// <param name="Name">Who said it (required).</param>
/// <param name="Role">e.g. "Harbour master".</param>
/// <param name="Organisation">e.g. "Conwy County Borough Council".</param>
public sealed record Speaker(string Name, string? Role, string? Organisation);

/// <param name="Text">What was said, plain text, at most 5,000 characters.</param>
/// <param name="SourceId">The source the quote came from; it must exist.</param>
/// <param name="Language">BCP-47; default en-GB.</param>
public sealed record SaveQuoteRequest(string Text, Speaker Speaker, DateTimeOffset? SaidAt, string? Context, Guid? SourceId, string? Language);

public sealed record QuoteResponse(
    Guid Id, string Text, Speaker Speaker, DateTimeOffset? SaidAt, string? Context, Guid? SourceId, string Language,
    int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
