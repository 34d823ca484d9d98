namespace HeadlessNews.Api.Infrastructure.Database;

/// <summary>
/// (I)LIKE patterns that match what a caller typed literally: <c>%</c>, <c>_</c> and <c>\</c> are escaped with
/// <see cref="Escape"/>, which the query must name, as in <c>EF.Functions.ILike(column, pattern, LikePatterns.Escape)</c>.
/// Without it Npgsql sends <c>ESCAPE ''</c>, the backslashes become characters of the pattern, and a search for
/// <c>IMG_1234</c> finds nothing.
/// </summary>
public static class LikePatterns
{
    public const string Escape = "\\";

    /// <summary>Matches exactly <paramref name="text"/> (case-insensitively with ILIKE).</summary>
    public static string Literal(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    /// <summary>Matches any text holding <paramref name="text"/>.</summary>
    public static string Containing(string text) => "%" + Literal(text) + "%";
}
