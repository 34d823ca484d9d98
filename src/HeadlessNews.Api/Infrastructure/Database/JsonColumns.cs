using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Infrastructure.Database;

public static class JsonColumns
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>
    /// Immutable values serialised as camelCase JSON; a change is a new value, compared by its JSON. The snapshot is the
    /// value itself, so an unchanged one is the same instance: change detection (several times a save, for every tracked
    /// article) then skips serialising both sides.
    /// </summary>
    public static PropertyBuilder<T> AsJsonColumn<T>(this PropertyBuilder<T> property) => property
        .HasColumnType("jsonb")
        .HasConversion(
            value => JsonSerializer.Serialize(value, Json),
            json => JsonSerializer.Deserialize<T>(json, Json)!,
            new ValueComparer<T>(
                (left, right) => ReferenceEquals(left, right) || JsonSerializer.Serialize(left, Json) == JsonSerializer.Serialize(right, Json),
                value => JsonSerializer.Serialize(value, Json).GetHashCode(StringComparison.Ordinal),
                value => value));
}
