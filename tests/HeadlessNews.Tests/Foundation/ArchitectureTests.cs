using NetArchTest.Rules;
using Xunit.Abstractions;

namespace HeadlessNews.Tests.Foundation;

/// <summary>
/// Dependencies point one way (STYLE.md, "The next shape"): features use infrastructure, never the reverse; among
/// features, no two depend on each other, directly or round a longer circle.
/// </summary>
public sealed class ArchitectureTests(ITestOutputHelper output)
{
    private const string Features = "HeadlessNews.Api.Features";
    private const string Infrastructure = "HeadlessNews.Api.Infrastructure";

    private static readonly System.Reflection.Assembly Api = typeof(Program).Assembly;

    [Fact]
    public void Infrastructure_references_no_feature()
    {
        var edges = Edges(Infrastructure, Features).ToList();
        Assert.True(edges.Count == 0, "Infrastructure uses features: " + string.Join(", ", edges.Select(e => $"{e.From} -> {e.To}")));
    }

    [Fact]
    public void No_features_depend_on_each_other_in_a_circle()
    {
        var edges = Edges(Features, Features).ToList();
        output.WriteLine("Feature imports: " + string.Join(", ", edges.Select(e => $"{e.From[9..]} -> {e.To[9..]}")));
        var cycles = Cycles(edges).ToList();
        Assert.True(cycles.Count == 0, "Features depend on each other in a circle: " + string.Join("; ", cycles));
    }

    /// <summary>Which top-level namespaces under <paramref name="from"/> use which under <paramref name="to"/> (names relative to HeadlessNews.Api).</summary>
    private static IEnumerable<(string From, string To)> Edges(string from, string to)
    {
        var sources = Modules(from);
        var targets = Modules(to);
        foreach (var source in sources)
        {
            foreach (var target in targets.Where(t => t != source))
            {
                var result = Types.InAssembly(Api).That().ResideInNamespace(source).Should().NotHaveDependencyOnAny(target).GetResult();
                if (!result.IsSuccessful)
                {
                    yield return (source["HeadlessNews.Api.".Length..], target["HeadlessNews.Api.".Length..]);
                }
            }
        }
    }

    /// <summary><c>HeadlessNews.Api.Features.Articles</c> and the like: one segment below <paramref name="root"/>.</summary>
    private static List<string> Modules(string root) =>
        [.. Api.GetTypes().Select(t => t.Namespace).OfType<string>().Where(n => n.StartsWith(root + ".", StringComparison.Ordinal))
            .Select(n => root + "." + n[(root.Length + 1)..].Split('.')[0]).Distinct().Order()];

    /// <summary>Each circle once, as "A -> B -> A".</summary>
    private static IEnumerable<string> Cycles(List<(string From, string To)> edges)
    {
        var next = edges.ToLookup(e => e.From, e => e.To);
        var seen = new HashSet<string>();
        foreach (var start in next.Select(g => g.Key).Order())
        {
            var stack = new Stack<(string Node, List<string> Path)>([(start, [start])]);
            while (stack.Count > 0)
            {
                var (node, path) = stack.Pop();
                foreach (var target in next[node])
                {
                    if (target == start)
                    {
                        var circle = path.Append(start).ToList();
                        if (seen.Add(string.Join(",", path.Order())))
                        {
                            yield return string.Join(" -> ", circle);
                        }
                    }
                    else if (!path.Contains(target) && string.CompareOrdinal(target, start) > 0)
                    {
                        stack.Push((target, [.. path, target]));
                    }
                }
            }
        }
    }
}
