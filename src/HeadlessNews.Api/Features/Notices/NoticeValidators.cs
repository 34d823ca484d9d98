using System.Text.RegularExpressions;
using FluentValidation;
using HeadlessNews.Api.Features.Articles;

namespace HeadlessNews.Api.Features.Notices;

public sealed partial class NoticeRequestValidator : AbstractValidator<NoticeRequest>
{
    public const int MaxAttachments = 20;
    public const int MaxImages = 20;

    /// <summary>Each translation adds a title and a body of up to 100,000 characters to the notice's one search vector (at most 1 MB).</summary>
    public const int MaxTranslations = 4;

    public NoticeRequestValidator()
    {
        RuleFor(r => r.Reference).NotBlank().MaximumLength(100);
        RuleFor(r => r.Category).NotNull().WithMessage("category is required.");
        RuleFor(r => r.Title).NotBlank().MaximumLength(300);
        RuleFor(r => r.Body).NotBlank().MaximumLength(Notice.MaxBodyLength);
        RuleFor(r => r.Issuer).NotNull().WithMessage("issuer is required.");
        RuleFor(r => r.Issuer.Name).NotBlank().MaximumLength(200).When(r => r.Issuer is not null);
        RuleFor(r => r.Location!).SetValidator(new NoticeLocationValidator()).When(r => r.Location is not null);
        RuleFor(r => r.EffectiveTo).GreaterThanOrEqualTo(r => r.EffectiveFrom)
            .When(r => r.EffectiveFrom is not null && r.EffectiveTo is not null)
            .WithMessage("effectiveTo may not be before effectiveFrom.");
        RuleFor(r => r.Attachments).Must(a => a!.Count <= MaxAttachments).When(r => r.Attachments is not null)
            .WithMessage($"A notice has at most {MaxAttachments} attachments.");
        RuleForEach(r => r.Attachments).NotNull().WithMessage("An attachment is an object with a title and url.").ChildRules(attachment =>
        {
            attachment.RuleFor(a => a.Title).NotBlank().MaximumLength(200);
            attachment.RuleFor(a => a.Url).NotEmpty().MaximumLength(2000).Must(IsHttpsUrl).WithMessage("url must be an absolute https URL.");
        });
        RuleFor(r => r.Images).Must(i => i!.Count <= MaxImages).When(r => r.Images is not null)
            .WithMessage($"A notice has at most {MaxImages} images.");
        RuleForEach(r => r.Images).NotNull().WithMessage("An image is an object with an assetId or a url.").SetValidator(new HeroImageValidator());
        RuleFor(r => r.Language).Must(Languages.IsValid).When(r => r.Language is not null).WithMessage("language must be a BCP-47 tag such as en-GB or cy.");
        RuleFor(r => r.Translations)
            .Must((r, translations) => translations!.Count <= MaxTranslations && translations.All(t =>
                Languages.IsValid(t.Key) && Languages.Primary(Languages.Normalise(t.Key)) != Languages.Primary(Languages.Normalise(r.Language is { } own && Languages.IsValid(own) ? own : Languages.Default))
                && t.Value is { } value && !string.IsNullOrWhiteSpace(value.Title) && value.Title.Length <= 300
                && !string.IsNullOrWhiteSpace(value.Body) && value.Body.Length <= Notice.MaxBodyLength))
            .When(r => r.Translations is not null)
            .WithMessage($"translations maps up to {MaxTranslations} BCP-47 tags other than the notice's own language (e.g. cy) to {{title, body}}: a title of 1 to 300 characters, a body of 1 to {Notice.MaxBodyLength}.");
    }

    private static bool IsHttpsUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && uri.Host.Length > 0;
}

public sealed partial class NoticeLocationValidator : AbstractValidator<NoticeLocation>
{
    public NoticeLocationValidator()
    {
        RuleFor(l => l.Description).MaximumLength(500);
        RuleFor(l => l.Postcode).Must(p => UkPostcode().IsMatch(p!.Trim())).When(l => l.Postcode is not null)
            .WithMessage("postcode must be a UK postcode, e.g. LL30 2RP.");
        RuleFor(l => l.Latitude).InclusiveBetween(-90.0, 90.0);
        RuleFor(l => l.Longitude).InclusiveBetween(-180.0, 180.0);
        RuleFor(l => l).Must(l => (l.Latitude is null) == (l.Longitude is null))
            .OverridePropertyName("latitude").WithMessage("Give both latitude and longitude, or neither.");
    }

    /// <summary>Normalises a valid postcode to upper case with one space before the inward code.</summary>
    public static string Normalise(string postcode)
    {
        var compact = postcode.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        return $"{compact[..^3]} {compact[^3..]}";
    }

    // The UK format by position (outward code, optional space, inward code), including the letters each position allows.
    [GeneratedRegex("^(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? ?[0-9][ABD-HJLNP-UW-Z]{2})$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UkPostcode();
}
