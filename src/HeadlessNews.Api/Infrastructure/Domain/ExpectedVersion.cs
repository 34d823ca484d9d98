namespace HeadlessNews.Api.Infrastructure.Domain;

/// <summary>
/// The version a writer based its change on (over HTTP, If-Match). A write must name exactly the current version:
/// none given is refused as <see cref="VersionRequired"/>, anything else as <see cref="VersionConflict"/>.
/// </summary>
public readonly record struct ExpectedVersion
{
    private ExpectedVersion(bool given, int? number)
    {
        Given = given;
        Number = number;
    }

    public bool Given { get; }

    /// <summary>Null when something was given that names no single version (a list, <c>*</c>): it never matches.</summary>
    public int? Number { get; }

    public static ExpectedVersion None => default;

    public static ExpectedVersion Unreadable => new(true, null);

    public static ExpectedVersion Of(int version) => new(true, version);

    public Refusal? Check(int currentVersion) =>
        !Given ? new VersionRequired() : Number == currentVersion ? null : new VersionConflict(currentVersion);
}
