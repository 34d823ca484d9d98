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
/// A timestamp the API reads names its offset (<c>Z</c>, <c>+01:00</c>), as RFC 3339 requires: without one .NET reads it in
/// the server's own time zone, which the client cannot see (an embargo sent as "10:00" meaning UTC would lift an hour early
/// on a server set to Europe/London in summer). A date alone names neither a time nor an offset.
/// </summary>
public static class TimestampOffsets
{
    /// <summary>Whether the text has a time part that ends in <c>Z</c> or carries a <c>+hh:mm</c>/<c>-hh:mm</c> offset.</summary>
    public static bool HasOffset(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        var separator = text.IndexOfAny('T', 't', ' ');
        if (separator < 0)
        {
            return false;
        }
        var time = text[(separator + 1)..];
        return time.EndsWith('Z') || time.EndsWith('z') || time.IndexOfAny('+', '-') >= 0;
    }

    /// <summary>The refusal, naming <paramref name="field"/>; a query string reads an unescaped <c>+</c> as a space, hence the hint there.</summary>
    public static string MissingIn(string field, bool inQuery = false) =>
        $"{field} needs a time zone offset, e.g. 2026-12-08T10:00:00Z or 2026-12-08T11:00:00+01:00{(inQuery ? " (in a query string, send + as %2B)" : "")}.";
}

/// <summary>
/// A request's timestamps as the API reads them (ISO-8601 with an offset, see <see cref="TimestampOffsets"/>), within
/// <see cref="AcceptedTime"/>'s bounds; written as <see cref="UtcTimestampConverter"/> writes them. Only request bodies are
/// held to these rules: JSON the API wrote itself (revisions, the read model) is read back as it was.
/// </summary>
public sealed class AcceptedDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetDateTimeOffset();
        if (!TimestampOffsets.HasOffset(reader.GetString()))
        {
            throw new TimestampWithoutOffsetException();
        }
        return AcceptedTime.Holds(value) ? value : throw new DateOutOfRangeException();
    }

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

/// <summary>A timestamp without an offset (see <see cref="TimestampOffsets"/>); the problem names the field from the reader's path.</summary>
public sealed class TimestampWithoutOffsetException() : JsonException("A timestamp needs a time zone offset.");
