using System.Text.RegularExpressions;

namespace HeadlessNews.Api.Infrastructure.Text;

public static partial class Languages
{
    public const string Default = "en-GB";

    /// <summary>A well-formed BCP-47 tag (language plus optional subtags), e.g. <c>cy</c>, <c>en-GB</c>.</summary>
    public static bool IsValid(string? tag) => tag is { Length: <= 35 } && Pattern().IsMatch(tag);

    [GeneratedRegex("^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
