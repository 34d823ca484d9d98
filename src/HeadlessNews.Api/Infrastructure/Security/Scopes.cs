using System.Security.Claims;

namespace HeadlessNews.Api.Infrastructure.Security;

/// <summary>API key scopes from the contract, and the authorization policies built on them.</summary>
public static class Scopes
{
    public const string ContentWrite = "content:write";
    public const string ContentPublish = "content:publish";
    public const string NoticesWrite = "notices:write";
    public const string FeedsPartner = "feeds:partner";
    public const string WebhooksManage = "webhooks:manage";
    public const string KeysManage = "keys:manage";
    public const string MediaWrite = "media:write";
    public const string TipsRead = "tips:read";
    public const string TipsManage = "tips:manage";
    public const string All = "*";

    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        ContentWrite, ContentPublish, NoticesWrite, FeedsPartner, WebhooksManage, KeysManage, MediaWrite, TipsRead, TipsManage, All,
    };

    public const string ClaimType = "scope";

    /// <summary>Which of <paramref name="requested"/> the caller does not hold itself (a <c>*</c> caller holds them all, and only it holds <c>*</c>).</summary>
    public static string[] NotHeldBy(ClaimsPrincipal caller, IEnumerable<string> requested)
    {
        var held = caller.FindAll(ClaimType).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        return held.Contains(All) ? [] : [.. requested.Where(s => !held.Contains(s)).Distinct()];
    }

    /// <summary>Policy names; each is satisfied by any of its scopes or by <c>*</c>.</summary>
    public static class Policies
    {
        /// <summary>Reading editorial content: writers and publishers both read it.</summary>
        public const string ContentRead = "content:read";
        public const string ContentWrite = Scopes.ContentWrite;
        public const string ContentPublish = Scopes.ContentPublish;
        public const string NoticesWrite = Scopes.NoticesWrite;
        public const string FeedsPartner = Scopes.FeedsPartner;
        public const string WebhooksManage = Scopes.WebhooksManage;
        public const string KeysManage = Scopes.KeysManage;
        /// <summary>Uploading, editing and deleting assets: content writers have it too.</summary>
        public const string MediaWrite = Scopes.MediaWrite;
        /// <summary>Reading the asset library and unpublished renditions.</summary>
        public const string MediaRead = "media:read";
        /// <summary>Reading tips: those who may manage them read them too.</summary>
        public const string TipsRead = Scopes.TipsRead;
        public const string TipsManage = Scopes.TipsManage;
        /// <summary>Any management scope (everything but a partner's feeds:partner).</summary>
        public const string Manage = "manage";

        internal static readonly IReadOnlyDictionary<string, string[]> Requirements = new Dictionary<string, string[]>
        {
            [ContentRead] = [Scopes.ContentWrite, Scopes.ContentPublish],
            [ContentWrite] = [Scopes.ContentWrite],
            [ContentPublish] = [Scopes.ContentPublish],
            [NoticesWrite] = [Scopes.NoticesWrite],
            [FeedsPartner] = [Scopes.FeedsPartner],
            [WebhooksManage] = [Scopes.WebhooksManage],
            [KeysManage] = [Scopes.KeysManage],
            [MediaWrite] = [Scopes.MediaWrite, Scopes.ContentWrite],
            [MediaRead] = [Scopes.MediaWrite, Scopes.ContentWrite, Scopes.ContentPublish],
            [TipsRead] = [Scopes.TipsRead, Scopes.TipsManage],
            [TipsManage] = [Scopes.TipsManage],
            [Manage] = [Scopes.ContentWrite, Scopes.ContentPublish, Scopes.NoticesWrite, Scopes.WebhooksManage, Scopes.KeysManage, Scopes.MediaWrite, Scopes.TipsRead, Scopes.TipsManage],
        };
    }
}
