using HeadlessNews.Api.Features.Webhooks;
using HeadlessNews.Api.Infrastructure.Events;

namespace HeadlessNews.Api.Features.Media;

public static class AssetEndpoints
{
    public static RouteGroupBuilder MapAssets(this RouteGroupBuilder manage)
    {
        var assets = manage.MapGroup("/assets").WithTags("Media");
        assets.MapPost("", UploadAsset).WithName("UploadAsset")
            .WithSummary("Upload an image (multipart part `file` + alt, caption, credit) or have it fetched (JSON {sourceUrl}); identical bytes answer 200 with the existing asset.")
            .RequireAuthorization(Scopes.Policies.MediaWrite)
            .Accepts<UploadAssetForm>("multipart/form-data")
            .Accepts<CreateAssetFromUrlRequest>("application/json")
            // Routing matches the body type by the last accepts metadata only: it names both.
            .WithMetadata(new Microsoft.AspNetCore.Http.Metadata.AcceptsMetadata(["multipart/form-data", "application/json"]))
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithRequestTimeout(AssetWrites.UploadTimeoutPolicy);
        assets.MapGet("", ListAssets).WithName("ListAssets").WithSummary("The asset library, most recently updated first; q searches filename, alt, caption and credit.")
            .RequireAuthorization(Scopes.Policies.MediaRead);
        assets.MapGet("/{id:guid}", GetAsset).WithName("GetAsset").WithSummary("Read one asset.")
            .RequireAuthorization(Scopes.Policies.MediaRead);
        assets.MapPut("/{id:guid}", UpdateAsset).WithName("UpdateAsset")
            .WithSummary("Replace an asset's metadata (If-Match); content using it shows the change and its rendition URLs move to the new version.")
            .RequireAuthorization(Scopes.Policies.MediaWrite).ProducesWriteProblems();
        assets.MapDelete("/{id:guid}", DeleteAsset).WithName("DeleteAsset")
            .WithSummary("Delete an asset no content uses (If-Match), with its original and renditions.")
            .RequireAuthorization(Scopes.Policies.MediaWrite).ProducesWriteProblems();
        return manage;
    }

    private static async Task<Results<Created<AssetResponse>, Ok<AssetResponse>, ProblemHttpResult>> UploadAsset(
        HttpRequest request, AssetWrites writes, IOptions<MediaOptions> options, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var (upload, refused) = request.HasFormContentType
            ? await ReadFormAsync(request, settings, cancellationToken)
            : request.HasJsonContentType()
                ? await FetchAsync(request, writes, cancellationToken)
                : (null, Refuse(StatusCodes.Status415UnsupportedMediaType, "Send the image as multipart/form-data (part 'file') or JSON {\"sourceUrl\": …}."));
        if (upload is null)
        {
            return refused!;
        }
        var (stored, refusal) = await writes.StoreAsync(upload, cancellationToken);
        if (stored is null)
        {
            return Refuse(refusal!.Status, refusal.Detail);
        }
        request.HttpContext.Response.SetETag(stored.Asset.Version);
        if (!stored.Created)
        {
            return TypedResults.Ok(AssetResponse.From(stored.Asset));
        }
        return TypedResults.Created($"/v1/manage/assets/{stored.Asset.Id}", AssetResponse.From(stored.Asset));
    }

    private static async Task<(AssetUpload?, ProblemHttpResult?)> ReadFormAsync(HttpRequest request, MediaOptions settings, CancellationToken cancellationToken)
    {
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (Exception malformed) when (MultipartBodies.IsMalformed(malformed) && !cancellationToken.IsCancellationRequested)
        {
            // The multipart reader's words for a body that ends early or breaks the format: the client's, not ours.
            return (null, Problems.Validation("file", "The multipart body is incomplete or malformed."));
        }
        if (form.Files.GetFile("file") is not { } file)
        {
            return (null, Problems.Validation("file", "Send the image as the multipart part named 'file'."));
        }
        if (form.Files.Count > 1)
        {
            return (null, Problems.Validation("file", $"Send one image a request: the body holds {form.Files.Count} files."));
        }
        if (file.Length > settings.MaxUploadBytes)
        {
            return (null, Refuse(AssetWrites.TooLarge(file.Length, settings)));
        }
        // The fields take the text a JSON body's strings do (AcceptedText); the file's own name is cleaned when stored.
        foreach (var name in (string[])["alt", "caption", "credit"])
        {
            if (AcceptedText.IndexOfRefused(form[name].ToString(), out var codePoint) >= 0)
            {
                return (null, Problems.InvalidText(name, codePoint));
            }
        }
        var metadata = new Dictionary<string, string[]>();
        string? Field(string name, int max)
        {
            var value = form[name].ToString();
            if (value.Length > max)
            {
                metadata[name] = [$"{name} is at most {max} characters."];
            }
            return value.Length == 0 ? null : value;
        }
        var (alt, caption, credit) = (Field("alt", 500), Field("caption", 1000), Field("credit", 200));
        if (metadata.Count > 0)
        {
            return (null, Problems.Validation(metadata));
        }
        var bytes = new byte[file.Length];
        await using (var stream = file.OpenReadStream())
        {
            await stream.ReadExactlyAsync(bytes, cancellationToken);
        }
        return (new AssetUpload(bytes, Path.GetFileName(file.FileName), alt, caption, credit), null);
    }

    /// <summary>Fetches <c>sourceUrl</c> (see <see cref="AssetWrites.FetchAsync"/>); a URL the SSRF rules refuse is a validation problem.</summary>
    private static async Task<(AssetUpload?, ProblemHttpResult?)> FetchAsync(HttpRequest request, AssetWrites writes, CancellationToken cancellationToken)
    {
        // Bound bodies are refused before they are read when absent; the JSON reader would first look up the charset of
        // a bodiless request's Content-Type, which the pipeline does not judge, and throw on an unknown one.
        if (request.ContentLength is null or 0 && request.Headers.TransferEncoding.Count == 0)
        {
            return (null, Problems.Validation("$", "Send a JSON object {\"sourceUrl\": …} or the image as multipart/form-data."));
        }
        var body = await request.ReadJsonBodyAsync<CreateAssetFromUrlRequest>(cancellationToken);
        var validation = await new CreateAssetFromUrlRequestValidator().ValidateAsync(body ?? new CreateAssetFromUrlRequest("", null, null, null), cancellationToken);
        if (!validation.IsValid)
        {
            return (null, validation.ToProblem());
        }
        var (bytes, filename, refusal) = await writes.FetchAsync(body!.SourceUrl, cancellationToken);
        return bytes is null
            ? (null, refusal!.Status == StatusCodes.Status400BadRequest ? Problems.Validation("sourceUrl", refusal.Detail) : Refuse(refusal))
            : (new AssetUpload(bytes, filename, body.Alt, body.Caption, body.Credit), null);
    }

    private static ProblemHttpResult Refuse(ImageRefusal refusal) => Refuse(refusal.Status, refusal.Detail);

    private static ProblemHttpResult Refuse(int status, string detail) => TypedResults.Problem(detail, statusCode: status);

    private static async Task<Results<Ok<Page<AssetResponse>>, ProblemHttpResult>> ListAssets(
        string? q, int? limit, string? cursor, HttpContext http, HeadlessNewsDbContext db, TokenSigner signer, CancellationToken cancellationToken)
    {
        if (Pagination.TryRead(http, signer, limit, cursor, out var take, out var after) is { } problem)
        {
            return problem;
        }
        var query = db.Set<Asset>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(q))
        {
            var pattern = LikePatterns.Containing(q.Trim());
            query = query.Where(a => EF.Functions.ILike(a.Filename, pattern, LikePatterns.Escape) || EF.Functions.ILike(a.Alt ?? "", pattern, LikePatterns.Escape)
                || EF.Functions.ILike(a.Caption ?? "", pattern, LikePatterns.Escape) || EF.Functions.ILike(a.Credit ?? "", pattern, LikePatterns.Escape));
        }
        var rows = await query.NewestFirst(a => a.UpdatedAt, a => a.Id, after, take).ToListAsync(cancellationToken);
        var page = Pagination.ToPage(http, signer, rows, take, a => new KeysetCursor(a.UpdatedAt, a.Id));
        return TypedResults.Ok(new Page<AssetResponse>([.. page.Items.Select(AssetResponse.From)], page.Next));
    }

    private static async Task<Results<Ok<AssetResponse>, ProblemHttpResult>> GetAsset(Guid id, HttpResponse response, HeadlessNewsDbContext db, CancellationToken cancellationToken)
    {
        var asset = await db.Set<Asset>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (asset is null)
        {
            return Problems.NotFound($"No asset has id {id}.");
        }
        response.SetETag(asset.Version);
        return TypedResults.Ok(AssetResponse.From(asset));
    }

    private static async Task<Results<Ok<AssetResponse>, ProblemHttpResult>> UpdateAsset(
        Guid id, SaveAssetRequest request, HttpContext http, HeadlessNewsDbContext db, IAssetVisibility visibility, TimeProvider clock, CancellationToken cancellationToken)
    {
        var found = await db.FindForWriteAsync<Asset>(id, Asset.ResourceType, http.Request.ExpectedVersion(), cancellationToken);
        if (found.Refusal is { } refusal)
        {
            return refusal.ToProblem();
        }
        var asset = found.Value!;
        var now = clock.Now();
        asset.Filename = request.Filename is { Length: > 0 } filename ? filename : asset.Filename;
        asset.Alt = request.Alt;
        asset.Caption = request.Caption;
        asset.Credit = request.Credit;
        asset.RightsHolder = request.Rights?.Holder;
        asset.RightsLicence = request.Rights?.Licence;
        asset.RightsExpiresAt = request.Rights?.ExpiresAt?.ToUniversalTime();
        (asset.FocalX, asset.FocalY) = request.FocalPoint is { } focal ? (focal.X, focal.Y) : (FocalPoint.Centre.X, FocalPoint.Centre.Y);
        asset.UpdatedAt = now;
        asset.Version++;
        if (await visibility.VisibleFromAsync(db, id, cancellationToken) <= now)
        {
            db.Record(clock, ContentEventTypes.AssetUpdated, Asset.ResourceType, asset.Id, null, asset.Version);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await db.SaveVersionedAsync(asset, Asset.ResourceType, cancellationToken) is { } problem)
        {
            return problem.ToProblem();
        }
        // Committing re-renders the articles' prepared JSON (Delivery's read model), which evicts every cached page that shows the asset.
        await transaction.CommitAsync(cancellationToken);
        http.Response.SetETag(asset.Version);
        return TypedResults.Ok(AssetResponse.From(asset));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsset(
        Guid id, HttpRequest request, HeadlessNewsDbContext db, IMediaStorage storage, CancellationToken cancellationToken)
    {
        var found = await db.FindForWriteAsync<Asset>(id, Asset.ResourceType, request.ExpectedVersion(), cancellationToken);
        if (found.Refusal is { } refusal)
        {
            return refusal.ToProblem();
        }
        var asset = found.Value!;
        var users = await MediaUsage.UsersAsync(db, id, cancellationToken);
        if (users.Count > 0)
        {
            return Problems.Conflict(
                $"This asset is used by {users.Count} item(s): {string.Join(", ", users.Select(u => $"{u.Type} '{u.Title}' ({u.Id})"))}. Change those first.",
                new Dictionary<string, object?> { ["users"] = users });
        }
        db.Remove(asset);
        if (await db.SaveVersionedAsync(asset, Asset.ResourceType, cancellationToken) is { } problem)
        {
            return problem.ToProblem();
        }
        foreach (var prefix in Asset.UploadKeys(id).Append(Asset.RenditionsPrefix(id)))
        {
            await storage.DeletePrefixAsync(prefix, CancellationToken.None);
        }
        return TypedResults.NoContent();
    }
}
