
namespace HeadlessNews.Api.Features.Articles;

/// <summary>Signed, expiring preview links: editors make them here; Delivery's preview route reads them.</summary>
public static class ArticlePreviewLinks
{
    private const string Purpose = "article-preview";

    public static string Sign(TokenSigner signer, PreviewToken preview) => signer.Sign(Purpose, preview);

    /// <summary>The link's content when its signature holds (expiry and revocation are the reader's to check).</summary>
    public static PreviewToken? Read(TokenSigner signer, string token) => signer.TryRead<PreviewToken>(Purpose, token, out var preview) ? preview : null;
}

/// <param name="Generation">The article's preview generation when the link was made (links made before revocation existed carry 0).</param>
public sealed record PreviewToken(Guid ArticleId, DateTimeOffset ExpiresAt, int Generation);
