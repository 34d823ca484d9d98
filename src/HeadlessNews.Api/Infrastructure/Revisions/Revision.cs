using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Infrastructure.Revisions;

/// <summary>A full snapshot of a versioned resource after an accepted change: who, when, what.</summary>
public sealed class Revision
{
    public Guid Id { get; set; }
    /// <summary><c>article</c> or <c>notice</c>.</summary>
    public required string ResourceType { get; set; }
    public Guid ResourceId { get; set; }
    /// <summary>The resource's version after the change; revision n is version n.</summary>
    public int Number { get; set; }
    /// <summary>What happened, e.g. <c>created</c>, <c>updated</c>, <c>published</c>, <c>restored from 3</c>.</summary>
    public required string Action { get; set; }
    public required JsonDocument Snapshot { get; set; }
    /// <summary>The person's name, or the API key's name (see <see cref="Caller"/>).</summary>
    public required string ActorName { get; set; }
    public string? OnBehalfOf { get; set; }
    public Guid? ApiKeyId { get; set; }
    /// <summary>For a person: the token's issuer and subject, which together identify them (the name may change).</summary>
    public string? Issuer { get; set; }
    public string? Subject { get; set; }
    public string? Email { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <param name="Kind">key or person.</param>
/// <param name="Subject">For a person: the subject their identity provider gives them.</param>
/// <param name="Issuer">For a person: the identity provider (token issuer).</param>
public sealed record RevisionActor(string Kind, string Name, string? Subject, string? Issuer, string? Email)
{
    /// <summary>Takes columns, not the entity, so a listing projected in SQL reads only these (never the snapshot).</summary>
    public static RevisionActor Of(string name, string? subject, string? issuer, string? email) =>
        new(subject is null ? Caller.KeyKind : Caller.PersonKind, name, subject, issuer, email);
}

public static class RevisionLog
{
    /// <summary>
    /// Reads snapshots as <see cref="ApiJson"/> writes them, and also articles' stored before they took that shape, whose
    /// enums are numbers.
    /// </summary>
    private static readonly JsonSerializerOptions SnapshotJson = ReadingNumberedEnums(ApiJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web)));

    /// <summary>Adds a revision, its snapshot in the API's JSON shape; it commits with the caller's SaveChanges.</summary>
    public static void RecordRevision<T>(this DbContext db, TimeProvider clock, Caller caller, string resourceType, Guid resourceId, int number, string action, T snapshot) =>
        db.Set<Revision>().Add(new Revision
        {
            Id = Guid.CreateVersion7(),
            ResourceType = resourceType,
            ResourceId = resourceId,
            Number = number,
            Action = action,
            Snapshot = JsonSerializer.SerializeToDocument(snapshot, ApiJson.Options),
            ActorName = caller.Name,
            OnBehalfOf = caller.OnBehalfOf,
            ApiKeyId = caller.KeyId,
            Issuer = caller.Person?.Issuer,
            Subject = caller.Person?.Subject,
            Email = caller.Person?.Email,
            At = clock.GetUtcNow(),
        });

    public static T ReadSnapshot<T>(this JsonDocument snapshot) => snapshot.Deserialize<T>(SnapshotJson)!;

    private static JsonSerializerOptions ReadingNumberedEnums(JsonSerializerOptions options)
    {
        // Ahead of ApiJson's enum converter, which refuses numbers.
        options.Converters.Insert(0, new NamedOrNumberedEnumConverter());
        return options;
    }

    private sealed class NamedOrNumberedEnumConverter : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(NamedOrNumbered<>).MakeGenericType(typeToConvert))!;

        private sealed class NamedOrNumbered<T> : JsonConverter<T> where T : struct, Enum
        {
            public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
                reader.TokenType == JsonTokenType.Number ? (T)Enum.ToObject(typeof(T), reader.GetInt32()) : JsonSerializer.Deserialize<T>(ref reader, ApiJson.Options);

            public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => JsonSerializer.Serialize(writer, value, ApiJson.Options);
        }
    }
}

internal sealed class RevisionConfiguration : IEntityTypeConfiguration<Revision>
{
    public void Configure(EntityTypeBuilder<Revision> builder)
    {
        builder.ToTable("revisions");
        builder.Property(r => r.ResourceType).HasMaxLength(32);
        builder.Property(r => r.Action).HasMaxLength(64);
        builder.Property(r => r.Snapshot).HasColumnType("jsonb");
        builder.HasIndex(r => new { r.ResourceType, r.ResourceId, r.Number }).IsUnique();
        // "Created by me": the first revision names the creator.
        builder.HasIndex(r => new { r.Subject, r.Issuer }).HasFilter("number = 1 AND subject IS NOT NULL");
        builder.HasIndex(r => r.ApiKeyId).HasFilter("number = 1 AND api_key_id IS NOT NULL");
    }
}
