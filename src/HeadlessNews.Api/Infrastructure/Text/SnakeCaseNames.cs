using System.Text.Json;

namespace HeadlessNews.Api.Infrastructure.Text;

/// <summary>Enum values by the snake_case names the API speaks (<c>press_release</c>, <c>traffic_and_roads</c>).</summary>
public static class SnakeCaseNames
{
    public static string Of<T>(T value) where T : struct, Enum => Name(value.ToString());

    /// <summary>Every name <paramref name="enumType"/> accepts, in declaration order.</summary>
    public static IEnumerable<string> All(Type enumType) => Enum.GetNames(enumType).Select(Name);

    private static string Name(string member) => JsonNamingPolicy.SnakeCaseLower.ConvertName(member);

    /// <summary>Reads a snake_case name; throws on an unknown one (use <see cref="TryParse{T}"/> for input).</summary>
    public static T Parse<T>(string text) where T : struct, Enum =>
        TryParse<T>(text, out var value) ? value : throw new FormatException($"'{text}' is not a {typeof(T).Name}.");

    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(Of(candidate), text, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }
        value = default;
        return false;
    }
}
