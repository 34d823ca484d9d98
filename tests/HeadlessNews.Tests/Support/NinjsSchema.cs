using System.Text.Json;
using Json.Schema;

namespace HeadlessNews.Tests.Support;

/// <summary>
/// The IPTC ninjs 2.2 schema, for validating what the feeds emit: the repository's own copy, in Support/Schemas beside
/// the IPTC's licence (LICENSE.ninjs), copied next to the test binaries.
/// </summary>
public static class NinjsSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Support", "Schemas", "ninjs-schema_2.2.json"))));

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
