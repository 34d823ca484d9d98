using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

using HeadlessNews.Api.Infrastructure.Domain;

namespace HeadlessNews.Api.Infrastructure.Text;

/// <summary>URL-safe slugs: lowercase ASCII letters and digits separated by single hyphens.</summary>
public static partial class Slugs
{
    public const int MaxLength = 120;

    /// <summary>Letters that do not decompose into a base letter plus accents.</summary>
    private static readonly Dictionary<char, string> Special = new()
    {
        ['ß'] = "ss", ['æ'] = "ae", ['œ'] = "oe", ['ø'] = "o", ['đ'] = "d", ['ð'] = "d", ['ł'] = "l", ['þ'] = "th", ['ı'] = "i",
        ['&'] = " and ",
    };

    public static bool IsValid(string? slug) => slug is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(slug);

    /// <summary>"Pont-y-Pŵl: Côr yn ennill!" becomes "pont-y-pwl-cor-yn-ennill"; empty when nothing usable remains.</summary>
    public static string From(string text)
    {
        var decomposed = Normalisable(text).ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            if (Special.TryGetValue(c, out var replacement))
            {
                builder.Append(replacement);
            }
            else
            {
                builder.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? c : ' ');
            }
        }
        var words = builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var slug = string.Join('-', words);
        if (slug.Length > MaxLength)
        {
            slug = slug[..MaxLength].TrimEnd('-');
            var lastHyphen = slug.LastIndexOf('-');
            slug = lastHyphen > MaxLength / 2 ? slug[..lastHyphen] : slug;
        }
        return slug;
    }

    /// <summary>
    /// Replaces characters <see cref="AcceptedText"/> refuses (string.Normalize throws on some) with spaces, as any
    /// other non-letter would become: request bodies never hold them, but a slug must not fail on text from elsewhere.
    /// </summary>
    private static string Normalisable(string text)
    {
        var at = AcceptedText.IndexOfRefused(text, out var codePoint);
        if (at < 0)
        {
            return text;
        }
        var chars = text.ToCharArray();
        var rest = chars.AsSpan();
        do
        {
            var length = codePoint > char.MaxValue ? 2 : 1;
            rest.Slice(at, length).Fill(' ');
            rest = rest[(at + length)..];
        }
        while ((at = AcceptedText.IndexOfRefused(rest, out codePoint)) >= 0);
        return new string(chars);
    }

    [GeneratedRegex("^[a-z0-9]+(?:-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>The slug a writer gave, else one made from <paramref name="name"/>; refused when the name has no letters or digits.</summary>
    public static WriteResult<string> ForName(string? given, string name) =>
        (given ?? From(name)) is { Length: > 0 } slug
            ? slug
            : Invalid.Field("slug", "The name has no letters or digits to make a slug from; give a slug.");
}
