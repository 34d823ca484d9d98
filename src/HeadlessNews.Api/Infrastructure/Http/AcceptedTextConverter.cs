using System.Text.Json;
using System.Text.Json.Serialization;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>
/// Every JSON string the API reads passes here: characters no text may hold (<see cref="AcceptedText"/>) are refused
/// while the body is read, before any handler, slug or database sees them.
/// </summary>
public sealed class AcceptedTextConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Checked(Text(ref reader));

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Checked(Text(ref reader));

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

    /// <summary>The string; an escaped unpaired surrogate (<c>\ud800</c>), which no .NET string can be decoded from, is refused as such.</summary>
    private static string Text(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException invalid) when (invalid.Message.Contains("surrogate", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidTextException(SurrogateIn(invalid.Message) is var value and >= 0xD800 and <= 0xDFFF ? value : 0xD800);
        }
    }

    /// <summary>The surrogate the reader named in its message (<c>'0xD800'</c>), or -1.</summary>
    private static int SurrogateIn(string message) =>
        System.Text.RegularExpressions.Regex.Match(message, "0x([0-9A-Fa-f]{4})") is { Success: true } found
            ? int.Parse(found.Groups[1].Value, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture)
            : -1;

    private static string Checked(string value) =>
        AcceptedText.IndexOfRefused(value, out var codePoint) < 0 ? value : throw new InvalidTextException(codePoint);
}

/// <summary>A JSON string held a character <see cref="AcceptedText"/> refuses.</summary>
public sealed class InvalidTextException(int codePoint) : JsonException(Describe(codePoint))
{
    private static string Describe(int codePoint) => codePoint switch
    {
        0 => "Text may not contain NUL characters (U+0000).",
        < ' ' => $"Text may not contain control characters other than tab, line feed and carriage return (found U+{codePoint:X4}).",
        >= 0xD800 and <= 0xDFFF => $"Text may not contain unpaired surrogates (found U+{codePoint:X4}).",
        _ => $"Text may not contain Unicode noncharacters (found U+{codePoint:X4}).",
    };
}
