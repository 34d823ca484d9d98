using System.Buffers;
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
        catch (InvalidOperationException) when (reader.ValueIsEscaped && UnpairedSurrogate(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan) is var surrogate and >= 0)
        {
            throw new InvalidTextException(surrogate);
        }
    }

    /// <summary>The first <c>\uXXXX</c> escape in the raw string that is a surrogate without its pair, or -1.</summary>
    private static int UnpairedSurrogate(ReadOnlySpan<byte> raw)
    {
        for (var i = 0; i < raw.Length - 1; i++)
        {
            if (raw[i] != '\\')
            {
                continue;
            }
            if (raw[i + 1] != 'u' || !Escaped(raw, i, out var unit))
            {
                i++;
                continue;
            }
            if (char.IsHighSurrogate((char)unit) && Escaped(raw, i + 6, out var next) && char.IsLowSurrogate((char)next))
            {
                i += 11;
                continue;
            }
            if (char.IsSurrogate((char)unit))
            {
                return unit;
            }
            i += 5;
        }
        return -1;
    }

    /// <summary>Reads the <c>\uXXXX</c> escape at <paramref name="at"/>.</summary>
    private static bool Escaped(ReadOnlySpan<byte> raw, int at, out int unit)
    {
        unit = 0;
        return at + 6 <= raw.Length && raw[at] == '\\' && raw[at + 1] == 'u'
            && int.TryParse(raw.Slice(at + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out unit);
    }

    private static string Checked(string value) =>
        AcceptedText.IndexOfRefused(value, out var codePoint) < 0 ? value : throw new InvalidTextException(codePoint);
}

/// <summary>A JSON string held a character <see cref="AcceptedText"/> refuses.</summary>
public sealed class InvalidTextException(int codePoint) : JsonException(Describe(codePoint))
{
    public static string Describe(int codePoint) => codePoint switch
    {
        0 => "Text may not contain NUL characters (U+0000).",
        < ' ' or (>= 0x7F and <= 0x9F) => $"Text may not contain control characters other than tab, line feed and carriage return (found U+{codePoint:X4}).",
        >= 0xD800 and <= 0xDFFF => $"Text may not contain unpaired surrogates (found U+{codePoint:X4}).",
        _ => $"Text may not contain Unicode noncharacters (found U+{codePoint:X4}).",
    };
}
