using System.Text.Json;
using System.Text.Json.Serialization;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>The API's JSON conventions, for HTTP bodies and for JSON the API prepares ahead of time (the delivery read model).</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>
    /// camelCase (web defaults), numbers only as JSON numbers, enums as snake_case strings, timestamps written in UTC with
    /// a <c>Z</c>, polymorphic metadata in any order (jsonb reorders keys).
    /// </summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        // The web defaults also read "2" as 2; the contract says number, so a string there is the client's mistake (400).
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.Converters.Add(new UtcTimestampConverter());
        options.AllowOutOfOrderMetadataProperties = true;
        return options;
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
