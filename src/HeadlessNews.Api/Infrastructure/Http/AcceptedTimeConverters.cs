using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>
/// Every date and time the API reads falls within <see cref="AcceptedTime"/>: the extremes .NET can hold are stored by
/// Npgsql as PostgreSQL's -infinity and infinity, which no date arithmetic survives (a search ranking by age failed on
/// an article published at 0001-01-01).
/// </summary>
public static class AcceptedTime
{
    public static readonly DateTimeOffset Earliest = new(1000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset Latest = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static bool Holds(DateTimeOffset value) => value >= Earliest && value < Latest;
}

/// <summary>
/// A request's timestamps as the API reads any (ISO-8601, any offset), within <see cref="AcceptedTime"/>'s bounds; written
/// as <see cref="UtcTimestampConverter"/> writes them. Only request bodies are held to the bounds: JSON the API wrote
/// itself (revisions, the read model) is read back as it was.
/// </summary>
public sealed class AcceptedDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset() is var value && AcceptedTime.Holds(value) ? value : throw new DateOutOfRangeException();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => UtcTimestampConverter.WriteUtc(writer, value);
}

/// <summary>The framework's own reading and writing, with <see cref="AcceptedTime"/>'s bounds.</summary>
public sealed class AcceptedDateOnlyConverter : JsonConverter<DateOnly>
{
    private static readonly JsonConverter<DateOnly> Framework = JsonMetadataServices.DateOnlyConverter;

    public override DateOnly Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Framework.Read(ref reader, typeToConvert, options) is var value && AcceptedTime.Holds(new DateTimeOffset(value.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero))
            ? value
            : throw new DateOutOfRangeException();

    public override void Write(Utf8JsonWriter writer, DateOnly value, JsonSerializerOptions options) => Framework.Write(writer, value, options);
}

/// <summary>A date outside <see cref="AcceptedTime"/>.</summary>
public sealed class DateOutOfRangeException() : JsonException($"Dates must fall between {AcceptedTime.Earliest:yyyy-MM-dd} and {AcceptedTime.Latest.AddDays(-1):yyyy-MM-dd}.");
