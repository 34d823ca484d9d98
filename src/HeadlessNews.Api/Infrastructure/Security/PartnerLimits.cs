using System.Globalization;
using System.Security.Claims;

namespace HeadlessNews.Api.Infrastructure.Security;

/// <summary>
/// The sections and tags, by id, that a <c>feeds:partner</c> key is limited to (empty: no limit of that kind). Ids, not
/// slugs: renaming a section must not change what a partner sees. Carried as claims from authentication to the feeds.
/// </summary>
public sealed record PartnerLimits(Guid[] Sections, Guid[] Tags)
{
    private const string SectionClaim = "section_limit";
    private const string TagClaim = "tag_limit";

    public static readonly PartnerLimits None = new([], []);

    public bool IsUnlimited => Sections.Length == 0 && Tags.Length == 0;

    public static PartnerLimits Of(ClaimsPrincipal user) => new(Ids(user, SectionClaim), Ids(user, TagClaim));

    public IEnumerable<Claim> ToClaims() =>
        Sections.Select(id => new Claim(SectionClaim, id.ToString())).Concat(Tags.Select(id => new Claim(TagClaim, id.ToString())));

    /// <summary>Whether a key with these limits sees no more than one with <paramref name="outer"/>.</summary>
    public bool IsWithin(PartnerLimits outer) => IsWithin(Sections, outer.Sections) && IsWithin(Tags, outer.Tags);

    private static bool IsWithin(Guid[] inner, Guid[] outer) => outer.Length == 0 || (inner.Length > 0 && inner.All(outer.Contains));

    private static Guid[] Ids(ClaimsPrincipal user, string claim) => [.. user.FindAll(claim).Select(c => Guid.Parse(c.Value, CultureInfo.InvariantCulture))];
}
