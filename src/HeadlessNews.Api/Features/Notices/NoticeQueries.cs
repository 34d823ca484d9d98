using System.Linq.Expressions;

namespace HeadlessNews.Api.Features.Notices;

/// <summary>Query building blocks for notices that delivery, feeds and search share with management.</summary>
public static class NoticeQueries
{
    /// <summary>Mean Earth radius (IUGG), in kilometres.</summary>
    public const double EarthRadiusKm = 6371.0088;
    private const double KmPerDegreeOfLatitude = EarthRadiusKm * Math.PI / 180;
    private const double Radians = Math.PI / 180;

    /// <summary>Active at <paramref name="now"/>: published, effectiveFrom null or &lt;= now, effectiveTo null or &gt; now.</summary>
    public static Expression<Func<Notice, bool>> IsActiveAt(DateTimeOffset now) => n =>
        n.Status == NoticeStatus.Published
        && (n.EffectiveFrom == null || n.EffectiveFrom <= now)
        && (n.EffectiveTo == null || n.EffectiveTo > now);

    public static IQueryable<Notice> Active(this IQueryable<Notice> notices, DateTimeOffset now) => notices.Where(IsActiveAt(now));

    /// <summary>
    /// Notices whose point lies within <paramref name="radiusKm"/> of (<paramref name="latitude"/>, <paramref name="longitude"/>):
    /// a bounding box that delivery's newest-first location index checks entry by entry, then the exact great-circle (haversine) distance.
    /// </summary>
    public static IQueryable<Notice> Near(this IQueryable<Notice> notices, double latitude, double longitude, double radiusKm)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latitude, -90);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(latitude, 90);
        ArgumentOutOfRangeException.ThrowIfLessThan(longitude, -180);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(longitude, 180);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(radiusKm);

        var latitudeDelta = radiusKm / KmPerDegreeOfLatitude;
        var minLatitude = latitude - latitudeDelta;
        var maxLatitude = latitude + latitudeDelta;
        notices = notices.Where(n => n.Latitude >= minLatitude && n.Latitude <= maxLatitude);

        // Near a pole, or where the box would cross the antimeridian, the latitude band alone is the prefilter.
        if (Math.Abs(latitude) + latitudeDelta < 89)
        {
            var longitudeDelta = latitudeDelta / Math.Cos(latitude * Radians);
            var minLongitude = longitude - longitudeDelta;
            var maxLongitude = longitude + longitudeDelta;
            if (minLongitude >= -180 && maxLongitude <= 180)
            {
                notices = notices.Where(n => n.Longitude >= minLongitude && n.Longitude <= maxLongitude);
            }
        }
        return notices.Where(WithinKm(latitude, longitude, radiusKm));
    }

    private static Expression<Func<Notice, bool>> WithinKm(double latitude, double longitude, double radiusKm)
    {
        var originLatitude = latitude * Radians;
        var originLongitude = longitude * Radians;
        var cosOriginLatitude = Math.Cos(originLatitude);
        return n => 2 * EarthRadiusKm * Math.Asin(Math.Min(1.0, Math.Sqrt(
                Math.Pow(Math.Sin((n.Latitude!.Value * Radians - originLatitude) / 2), 2)
                + cosOriginLatitude * Math.Cos(n.Latitude!.Value * Radians) * Math.Pow(Math.Sin((n.Longitude!.Value * Radians - originLongitude) / 2), 2))))
            <= radiusKm;
    }
}
