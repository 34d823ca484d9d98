using FluentValidation;

namespace HeadlessNews.Api.Features.Redirects;

/// <param name="Path">The old path (or a full URL on the old site: only its path and a <c>?p=ID</c> query count).</param>
/// <param name="Location">Where it goes: an absolute http(s) URL or a path on this site.</param>
public sealed record CreateRedirectRequest(string Path, string Location);

/// <param name="ArticleId">For an imported permalink: the article it leads to (its current slug, wherever it moves).</param>
/// <param name="Origin">import or manual.</param>
public sealed record RedirectResponse(Guid Id, string Path, string? Location, Guid? ArticleId, string Origin, DateTimeOffset CreatedAt);

/// <summary>What <c>GET /v1/redirects?path=</c> answers: the old path, where it goes now, and the article's slug when it leads to one.</summary>
public sealed record RedirectAnswer(string Path, string Location, int Status, string? Slug);

public sealed class CreateRedirectRequestValidator : AbstractValidator<CreateRedirectRequest>
{
    public CreateRedirectRequestValidator()
    {
        // A missing value stops at its first rule: the later ones read it.
        RuleLevelCascadeMode = CascadeMode.Stop;
        RuleFor(r => r.Path).NotEmpty().MaximumLength(RedirectPaths.MaxLength)
            .Must(HasNoUnsafeCharacters).WithMessage(UnsafeCharacters("path"))
            .Must(p => RedirectPaths.Normalise(p) is not null).WithMessage("path is a path starting with / (or a full http(s) URL).");
        RuleFor(r => r.Location).NotEmpty().MaximumLength(2000)
            .Must(HasNoUnsafeCharacters).WithMessage(UnsafeCharacters("location"))
            .Must(l => l.StartsWith('/') && !l.StartsWith("//", StringComparison.Ordinal) || Uri.TryCreate(l, UriKind.Absolute, out var u) && u.Scheme is "http" or "https")
            .WithMessage("location is an absolute http(s) URL or a path starting with /.");
    }

    /// <summary>
    /// Browsers read a backslash as a slash (<c>/\evil.example</c> is <c>//evil.example</c>, another site) and drop tabs
    /// and line breaks from URLs; CR/LF would also split a Location header. None belongs in a URL unescaped.
    /// </summary>
    private static bool HasNoUnsafeCharacters(string value) => !value.Any(c => c == '\\' || char.IsControl(c) || char.IsWhiteSpace(c));

    private static string UnsafeCharacters(string field) =>
        $"{field} may not contain a backslash, spaces or control characters (percent-encode them).";
}
