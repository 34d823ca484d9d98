namespace HeadlessNews.Tests.Support;

/// <summary>A second API over a test's database, reading through <c>ConnectionStrings:HeadlessNewsRead</c>.</summary>
public sealed class ReadReplicaApi(string connectionString, string readConnectionString, IReadOnlyDictionary<string, string?>? more = null) : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(more ?? new Dictionary<string, string?>())
    {
        ["ConnectionStrings:HeadlessNews"] = connectionString,
        ["ConnectionStrings:HeadlessNewsRead"] = readConnectionString,
    };
}
