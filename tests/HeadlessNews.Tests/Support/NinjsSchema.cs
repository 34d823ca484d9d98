using System.Text.Json;
using Json.Schema;

namespace HeadlessNews.Tests.Support;

/// <summary>The IPTC ninjs 2.2 schema kept in ../shared/schemas, for validating what the feeds emit.</summary>
public static class NinjsSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(RepositoryPaths.Shared, "schemas", "ninjs-schema_2.2.json"))));

    public static IReadOnlyList<string> Errors(JsonElement item)
    {
        var result = Schema.Value.Evaluate(item, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid ? [] : [.. (result.Details ?? []).Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))];
    }
}

public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The team's shared folder sits beside the repository (a copy of it beside CI's clone too).</summary>
    public static string Shared => Path.Combine(Path.GetDirectoryName(Root)!, "shared");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HeadlessNews.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("The repository root (HeadlessNews.sln) was not found above the test binaries.");
    }
}
