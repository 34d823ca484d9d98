using System.Text.Json;
using System.Text.Json.Serialization;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>
/// Every JSON string the API reads passes here: PostgreSQL cannot store U+0000 in text or jsonb, so a NUL
/// is refused while the body is read, before any handler or database sees it.
/// </summary>
public sealed class NulRejectingStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Checked(reader.GetString()!);

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Checked(reader.GetString()!);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

    private static string Checked(string value) =>
        value.Contains('\0', StringComparison.Ordinal) ? throw new NulCharacterException() : value;
}

/// <summary>A JSON string held a NUL character (U+0000).</summary>
public sealed class NulCharacterException() : JsonException("Text may not contain NUL characters (\\u0000).");
