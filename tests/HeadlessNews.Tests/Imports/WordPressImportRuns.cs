using HeadlessNews.Api.Features.Imports;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Imports;

/// <summary><c>import wordpress</c> run in the test host as the command line runs it, against the test database.</summary>
internal static class WordPressImportRuns
{
    /// <summary>Runs <c>import wordpress <paramref name="source"/> <paramref name="options"/></c>: its exit code and what it printed.</summary>
    public static async Task<(int Exit, string Output)> RunImportAsync(this ApiFactory api, string source, params string[] options)
    {
        await api.WithDbAsync(_ => Task.FromResult(0));
        using var output = new StringWriter();
        var exit = await WordPressImportCommand.RunAsync(api.Services, ["import", "wordpress", source, .. options], output);
        return (exit, output.ToString());
    }
}
