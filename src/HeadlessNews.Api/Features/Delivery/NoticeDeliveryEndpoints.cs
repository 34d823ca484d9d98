using System.Globalization;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Features.Notices;
using HeadlessNews.Api.Infrastructure.Caching;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>A published notice as delivered: <c>active</c> says whether it is in force now; <c>images</c> have the article image shape.</summary>
/// <param name="Language">The language of this title and body: the one asked for with ?language= when the notice has it, else the notice's own.</param>
/// <param name="AvailableLanguages">Every language the notice can be read in (its own first).</param>
public sealed record DeliveredNotice(
    Guid Id, string Reference, NoticeCategory Category, string Title, string Body, NoticeIssuer Issuer, NoticeLocation? Location,
    DateTimeOffset? PublishedAt, DateTimeOffset? EffectiveFrom, DateTimeOffset? EffectiveTo, DateTimeOffset? ResponseDeadline,
    IReadOnlyList<NoticeAttachment> Attachments, IReadOnlyList<DeliveredImage> Images, int Version, bool Active,
    string Language, IReadOnlyList<string> AvailableLanguages);

public static class NoticeDeliveryEndpoints
{
    private const double DefaultRadiusKm = 5;
    private const double MaxRadiusKm = 200;

    public static RouteGroupBuilder MapNoticeDelivery(this RouteGroupBuilder delivery)
    {
        delivery.MapGet("/notices", ListNotices).WithName("ListPublishedNotices")
            .WithSummary("Active public notices (includeExpired=true adds past and future ones), newest first; near=lat,lng&radiusKm= finds them by distance.");
        delivery.MapGet("/notices/{id:guid}", GetNotice).WithName("GetPublishedNotice").WithSummary("One published notice.");
        return delivery;
    }

    /// <param name="language">Title and body in this language where the notice has it, else in the notice's own.</param>
    private static async Task<Results<Ok<Page<DeliveredNotice>>, ProblemHttpResult>> ListNotices(
        string? category, string? issuer, string? q, string? near, double? radiusKm, bool? includeExpired, int? limit, string? cursor, string? language,
        HttpContext http, [FromKeyedServices(ReadDatabase.Key)] HeadlessNewsDbContext db, MediaUrls urls, TokenSigner signer, TimeProvider clock, SearchTurns turns,
        CancellationToken cancellationToken)
    {
        if (Pagination.TryRead(http, signer, limit, cursor, out var take, out var after) is { } problem)
        {
            return problem;
        }
        if (SearchVectors.QueryProblem(q) is { } tooBroad)
        {
            return tooBroad;
        }
        if (ParseNear(near, radiusKm, out var point, out var radius) is { } invalidNear)
        {
            return invalidNear;
        }
        if (Languages.QueryProblem(language) is { } badLanguage)
        {
            return badLanguage;
        }
        using var turn = await turns.TakeAsync(q, cancellationToken);
        if (turn is null)
        {
            return SearchTurns.Busy(http);
        }
        var now = clock.GetUtcNow();
        var query = (q is null ? db.Set<Notice>() : db.Set<Notice>().MatchingEitherLanguage("notices", q, "search_vector")).AsNoTracking()
            .Where(n => n.Status == NoticeStatus.Published);
        if (includeExpired != true)
        {
            query = query.Active(now);
        }
        if (category is not null)
        {
            if (!SnakeCaseNames.TryParse<NoticeCategory>(category, out var wanted))
            {
                return TypedResults.Ok(new Page<DeliveredNotice>([], null));
            }
            query = query.Where(n => n.Category == wanted);
        }
        if (issuer is not null)
        {
            query = query.Where(n => EF.Functions.ILike(n.IssuerName, LikePatterns.Literal(issuer), LikePatterns.Escape));
        }
        if (point is { } origin)
        {
            query = query.Near(origin.Latitude, origin.Longitude, radius);
        }
        var rows = await query.NewestFirst(n => n.PublishedAt!.Value, n => n.Id, after, take)
            .Select(NoticeMapping.Projection).ToListAsync(cancellationToken);
        var page = Pagination.ToPage(http, signer, rows, take, n => new KeysetCursor(n.PublishedAt!.Value, n.Id));
        http.AddCacheTags("notices");
        await http.ExpireAtNextNoticeBoundaryAsync(now, cancellationToken);
        var images = await ImagesLoaderAsync(db, urls, page.Items, cancellationToken);
        return TypedResults.Ok(new Page<DeliveredNotice>([.. page.Items.Select(n => ToDelivered(n, images, now, language))], page.Next));
    }

    /// <param name="language">Title and body in this language where the notice has it, else in the notice's own (Content-Language says which).</param>
    private static async Task<Results<Ok<DeliveredNotice>, ProblemHttpResult>> GetNotice(
        Guid id, string? language, HttpContext http, [FromKeyedServices(ReadDatabase.Key)] HeadlessNewsDbContext db, MediaUrls urls, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Languages.QueryProblem(language) is { } badLanguage)
        {
            return badLanguage;
        }
        var now = clock.GetUtcNow();
        var notice = await db.Set<Notice>().AsNoTracking().Where(n => n.Id == id && n.Status == NoticeStatus.Published)
            .Select(NoticeMapping.Projection).FirstOrDefaultAsync(cancellationToken);
        http.AddCacheTags("notices", $"notice:{id}");
        if (notice is null)
        {
            return Problems.NotFound($"No published notice has id {id}.");
        }
        foreach (var boundary in new[] { notice.EffectiveFrom, notice.EffectiveTo })
        {
            if (boundary > now)
            {
                http.ExpireAt(boundary.Value);
            }
        }
        var delivered = ToDelivered(notice, await ImagesLoaderAsync(db, urls, [notice], cancellationToken), now, language);
        http.Response.Headers.ContentLanguage = delivered.Language;
        return TypedResults.Ok(delivered);
    }

    private static ProblemHttpResult? ParseNear(string? near, double? radiusKm, out (double Latitude, double Longitude)? point, out double radius)
    {
        point = null;
        radius = radiusKm ?? DefaultRadiusKm;
        if (near is null)
        {
            return radiusKm is null ? null : Problems.Validation("radiusKm", "radiusKm needs near=lat,lng.");
        }
        var parts = near.Split(',');
        if (parts.Length != 2
            || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var latitude)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var longitude)
            || !(latitude is >= -90 and <= 90) || !(longitude is >= -180 and <= 180))
        {
            return Problems.Validation("near", "near is lat,lng in decimal degrees, e.g. near=53.2801,-3.8277.");
        }
        if (!(radius is > 0 and <= MaxRadiusKm))
        {
            return Problems.Validation("radiusKm", $"radiusKm must be above 0 and at most {MaxRadiusKm}.");
        }
        point = (latitude, longitude);
        return null;
    }

    /// <summary>A cached list never outlives the next notice coming into or going out of force.</summary>
    internal static Task ExpireAtNextNoticeBoundaryAsync(this HttpContext http, DateTimeOffset now, CancellationToken cancellationToken) =>
        http.ExpireAtNextBoundaryAsync("notices", now, (db, token) =>
        {
            var published = db.Set<Notice>().Where(n => n.Status == NoticeStatus.Published);
            return published.Where(n => n.EffectiveFrom > now).Select(n => n.EffectiveFrom)
                .Concat(published.Where(n => n.EffectiveTo > now).Select(n => n.EffectiveTo))
                .OrderBy(at => at).FirstOrDefaultAsync(token);
        }, cancellationToken);

    private static Task<Func<ImageUse?, DeliveredImage?>> ImagesLoaderAsync(
        HeadlessNewsDbContext db, MediaUrls urls, IEnumerable<NoticeResponse> notices, CancellationToken cancellationToken) =>
        DeliveredImages.LoaderAsync(db, notices.SelectMany(n => n.Images).Select(i => i.ToUse()), cancellationToken, urls: urls);

    /// <summary>An image whose asset has gone is left out.</summary>
    private static DeliveredNotice ToDelivered(NoticeResponse n, Func<ImageUse?, DeliveredImage?> images, DateTimeOffset now, string? language)
    {
        var text = n.TextIn(language);
        return new(
            n.Id, n.Reference, n.Category, text.Title, text.Body, n.Issuer, n.Location, n.PublishedAt, n.EffectiveFrom, n.EffectiveTo, n.ResponseDeadline,
            n.Attachments, [.. n.Images.Select(i => images(i.ToUse())).OfType<DeliveredImage>()], n.Version,
            Active: (n.EffectiveFrom is null || n.EffectiveFrom <= now) && (n.EffectiveTo is null || n.EffectiveTo > now),
            text.Language, [n.Language, .. n.Translations.Keys.Order(StringComparer.Ordinal)]);
    }
}

/// <summary>Indexes delivery needs on notices: newest published first, and the boundaries that expire cached lists.</summary>
internal sealed class NoticeDeliveryIndexes : IEntityTypeConfiguration<Notice>
{
    public void Configure(EntityTypeBuilder<Notice> builder)
    {
        builder.HasIndex(n => new { n.Status, n.PublishedAt, n.Id });
        builder.HasIndex(n => new { n.Status, n.EffectiveFrom });
        builder.HasIndex(n => new { n.Status, n.EffectiveTo });
        // "Near here", newest first: walked backwards, the bounding box is checked on each entry and only notices inside it
        // are read, until the page is full. A (latitude, longitude) index instead read every notice in the box, active or
        // expired, and sorted them: a number that grows with the archive (821 of 4,911 kept at 1,000,000 articles).
        builder.HasIndex(n => new { n.PublishedAt, n.Id, n.Latitude, n.Longitude }).HasFilter("status = 'published' AND latitude IS NOT NULL");
    }
}
