using HeadlessNews.Api.Features.Articles;

namespace HeadlessNews.Api.Features.Delivery;

public static class PreviewEndpoints
{
    /// <summary>The anonymous preview route, /v1/preview/{token}: the draft behind a link editors made, in the delivery shape.</summary>
    public static RouteGroupBuilder MapArticlePreview(this RouteGroupBuilder v1)
    {
        v1.MapGet("/preview/{token}", GetPreview).WithTags("Preview").WithName("GetArticlePreview")
            .WithSummary("The article behind a preview link, in the delivery shape (private, no-store).").AllowAnonymous()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return v1;
    }

    private static async Task<Results<Ok<ArticleDeliveryResponse>, ProblemHttpResult>> GetPreview(
        string token, HttpResponse response, HeadlessNewsDbContext db, TokenSigner signer, TimeProvider clock, IOptions<DeliveryOptions> delivery, CancellationToken cancellationToken)
    {
        response.Headers.CacheControl = PrivateResponses.CacheControl;
        var now = clock.Now();
        var article = ArticlePreviewLinks.Read(signer, token) is { } preview && preview.ExpiresAt > now
            ? (await ArticleDocuments.BuildAsync(db, db.Set<Article>()
                .Where(a => a.Id == preview.ArticleId && a.Status != ArticleStatus.Archived && a.PreviewGeneration == preview.Generation),
                cancellationToken, imagesSignedUntil: preview.ExpiresAt))
                .FirstOrDefault()
            : null;
        // A revoked link, or one whose article was archived, answers exactly as an expired one does.
        return article is null
            ? Problems.NotFound("This preview link is unknown or has expired; ask for a new one.")
            : TypedResults.Ok(article with { Old = ArticleDocuments.IsOld(article, now, delivery.Value.OldAfterDays) });
    }
}
