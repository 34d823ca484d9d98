using FluentValidation;

namespace HeadlessNews.Api.Features.Media;

/// <summary>An asset as editors see it.</summary>
public sealed record AssetResponse(
    Guid Id, string Kind, string Filename, string ContentType, int Width, int Height, long Bytes, string Sha256,
    string? Alt, string? Caption, string? Credit, AssetRights Rights, FocalPoint FocalPoint,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Version)
{
    public static AssetResponse From(Asset a) => new(
        a.Id, "image", a.Filename, a.ContentType, a.Width, a.Height, a.Bytes, a.Sha256, a.Alt, a.Caption, a.Credit,
        new AssetRights(a.RightsHolder, a.RightsLicence, a.RightsExpiresAt), a.FocalPoint, a.CreatedAt, a.UpdatedAt, a.Version);
}

/// <summary>An upload by reference: the API fetches <c>sourceUrl</c> (public addresses only, like webhook targets).</summary>
public sealed record CreateAssetFromUrlRequest(string SourceUrl, string? Alt, string? Caption, string? Credit);

/// <summary>The form fields of a multipart upload besides the <c>file</c> part.</summary>
public sealed record UploadAssetForm(IFormFile File, string? Alt, string? Caption, string? Credit);

/// <summary>An asset's editable metadata (PUT replaces all of it).</summary>
public sealed record SaveAssetRequest(string? Filename, string? Alt, string? Caption, string? Credit, AssetRights? Rights, FocalPoint? FocalPoint);

/// <summary>An article or notice that uses an asset, named in a 409.</summary>
public sealed record AssetUser(string Type, Guid Id, string Title);

public sealed class CreateAssetFromUrlRequestValidator : AbstractValidator<CreateAssetFromUrlRequest>
{
    public CreateAssetFromUrlRequestValidator()
    {
        RuleFor(r => r.SourceUrl).NotEmpty().MaximumLength(2000);
        RuleFor(r => r.Alt).MaximumLength(500);
        RuleFor(r => r.Caption).MaximumLength(1000);
        RuleFor(r => r.Credit).MaximumLength(200);
    }
}

public sealed class SaveAssetRequestValidator : AbstractValidator<SaveAssetRequest>
{
    public SaveAssetRequestValidator()
    {
        RuleFor(r => r.Filename).MaximumLength(255);
        RuleFor(r => r.Alt).MaximumLength(500);
        RuleFor(r => r.Caption).MaximumLength(1000);
        RuleFor(r => r.Credit).MaximumLength(200);
        RuleFor(r => r.Rights!.Holder).MaximumLength(200).When(r => r.Rights is not null).OverridePropertyName("rights.holder");
        RuleFor(r => r.Rights!.Licence).MaximumLength(200).When(r => r.Rights is not null).OverridePropertyName("rights.licence");
        RuleFor(r => r.FocalPoint!).Must(FocalPoints.IsValid).When(r => r.FocalPoint is not null).OverridePropertyName("focalPoint")
            .WithMessage(FocalPoints.Message);
    }
}

public static class FocalPoints
{
    public const string Message = "focalPoint.x and focalPoint.y are each between 0 and 1 (from the left and from the top).";

    public static bool IsValid(FocalPoint point) => point.X is >= 0 and <= 1 && point.Y is >= 0 and <= 1;
}
