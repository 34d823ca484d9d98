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
        Checked(reader.GetString()!);

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Checked(reader.GetString()!);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

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
