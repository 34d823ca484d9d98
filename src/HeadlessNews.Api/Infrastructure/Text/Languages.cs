using System.Text.RegularExpressions;

namespace HeadlessNews.Api.Infrastructure.Text;

public static partial class Languages
{
    public const string Default = "en-GB";

    /// <summary>A well-formed BCP-47 tag (language plus optional subtags), e.g. <c>cy</c>, <c>en-GB</c>.</summary>
    public static bool IsValid(string? tag) => tag is { Length: <= 35 } && Pattern().IsMatch(tag);

    /// <summary>BCP-47's usual casing (<c>cy</c>, <c>en-GB</c>), so one language is stored and matched one way.</summary>
    public static string Normalise(string tag)
    {
        var parts = tag.Split('-');
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = i > 0 && parts[i].Length == 2 ? parts[i].ToUpperInvariant() : parts[i].ToLowerInvariant();
        }
        return string.Join('-', parts);
    }

    /// <summary>The primary language subtag: <c>cy</c> of <c>cy-GB</c>.</summary>
    public static string Primary(string tag) => tag.Split('-')[0];

    /// <summary>
    /// SQL matching <paramref name="column"/> against the language in <paramref name="parameter"/> (normalised): the tag
    /// itself or a more specific one, so <c>cy</c> finds <c>cy</c> and <c>cy-GB</c>, and <c>en</c> finds <c>en-GB</c>.
    /// </summary>
    public static string MatchSql(string column, string parameter = "@language") => $"({column} = {parameter} OR {column} LIKE {parameter} || '-%')";

    /// <summary>A 400 naming <c>language</c> when a <c>?language=</c> filter is not a BCP-47 tag; none when absent.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? QueryProblem(string? language) => language is null || IsValid(language)
        ? null
        : Http.Problems.Validation("language", "language must be a BCP-47 tag such as en-GB or cy.");

    [GeneratedRegex("^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
