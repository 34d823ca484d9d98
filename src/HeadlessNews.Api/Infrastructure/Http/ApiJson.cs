using System.Text.Json;
using System.Text.Json.Serialization;
using HeadlessNews.Api.Infrastructure.Text;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>The API's JSON conventions, for HTTP bodies and for JSON the API prepares ahead of time (the delivery read model).</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>
    /// camelCase (web defaults), numbers only as JSON numbers, enums as snake_case strings, timestamps written in UTC with
    /// a <c>Z</c>, polymorphic metadata in any order (jsonb reorders keys), no property named twice in one object.
    /// </summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        // The web defaults also read "2" as 2; the contract says number, so a string there is the client's mistake (400).
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new ExactSnakeCaseEnumConverter());
        options.Converters.Add(new UtcTimestampConverter());
        options.AllowOutOfOrderMetadataProperties = true;
        // {"headline":"x","headline":"y"} means what whoever reads it decides (a proxy or validator in front may take the
        // first): refused as malformed. What the API stores is written by the serializer or kept as jsonb, neither of which
        // repeats a name, so its own JSON still reads.
        options.AllowDuplicateProperties = false;
        return options;
    }
}

/// <summary>
/// Enums as their snake_case names (<c>traffic_and_roads</c>), read only as written: the framework's converter also takes
/// <c>Planning</c> or <c>TRAFFIC_AND_ROADS</c>, which the contract's lowercase lists and the query strings
/// (<see cref="SnakeCaseNames"/>) refuse. A name that is not one is left to the serializer's own error, which names the field.
/// </summary>
internal sealed class ExactSnakeCaseEnumConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Names<>).MakeGenericType(typeToConvert))!;

    private sealed class Names<T> : JsonConverter<T> where T : struct, Enum
    {
        private readonly Dictionary<string, T> _byName = Enum.GetValues<T>().ToDictionary(SnakeCaseNames.Of, StringComparer.Ordinal);
        private readonly Dictionary<T, JsonEncodedText> _byValue = Enum.GetValues<T>().ToDictionary(value => value, value => JsonEncodedText.Encode(SnakeCaseNames.Of(value)));

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && _byName.TryGetValue(reader.GetString()!, out var value) ? value : throw new JsonException();

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(_byValue.TryGetValue(value, out var name) ? name : throw new JsonException($"{value} is not a named {typeof(T).Name}."));
    }
}

/// <summary>Reads any ISO-8601 offset; writes UTC as <c>2015-07-02T09:30:00Z</c> (fractions only when present).</summary>
internal sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => WriteUtc(writer, value);

    public static void WriteUtc(Utf8JsonWriter writer, DateTimeOffset value) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>
/// An integer however JSON writes it: JSON has one number type, so <c>2.0</c> and <c>2e0</c> are the number 2 (JSON
/// Schema's <c>integer</c> accepts them; a JavaScript client serialising a float sends them). A number with a fraction, or
/// out of range, is still refused as the wrong type.
/// </summary>
public sealed class WholeNumberConverter : JsonConverter<int?>
{
    public override int? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType != JsonTokenType.Number ? throw new JsonException()
        : reader.TryGetInt32(out var exact) ? exact
        : reader.TryGetDouble(out var number) && Math.Floor(number) == number && number is >= int.MinValue and <= int.MaxValue ? (int)number
        : throw new JsonException();

    public override void Write(Utf8JsonWriter writer, int? value, JsonSerializerOptions options)
    {
        if (value is { } number)
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
