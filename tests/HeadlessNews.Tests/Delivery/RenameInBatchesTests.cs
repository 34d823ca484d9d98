using System.Text.Json;
using HeadlessNews.Api.Features.Delivery;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HeadlessNews.Tests.Delivery;

/// <summary>
/// A section or author used by more articles than one batch: the rename commits at once with the first batch relabelled,
/// and the rest follows batch by batch, on this node or, after a crash, on the next one to start.
/// </summary>
public sealed class RenameInBatchesTests : IAsyncLifetime
{
    private const int BatchSize = 3;
    private const int Filed = 8;
    private readonly List<ApiFactory> _nodes = [];
    private ApiFactory _database = null!;

    public async Task InitializeAsync()
    {
        _database = new ApiFactory();
        await _database.InitializeAsync();
        _nodes.Add(_database);
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_section_renamed_under_more_articles_than_one_batch_shows_its_new_name_and_slug_on_every_one_of_them()
    {
        var node = Start(new Node(_database.ConnectionString, relabelling: true));
        var editor = await node.ClientWithScopesAsync("*");
        var section = await editor.CreateSectionAsync();
        var slugs = await PublishAsync(editor, new { section = section.GetProperty("slug").GetString() });
        var reader = node.CreateClient();

        var renamed = Editorial.Unique("Coast and Harbour");
        var newSlug = $"coast-{Guid.NewGuid():N}";
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/sections/{section.Id()}", section.Version(),
            new { name = renamed, slug = newSlug })).AssertSuccessAsync();

        await Eventually.TrueAsync(async () => await PendingAsync(node) == 0, "every batch of the rename to be applied");
        foreach (var slug in slugs)
        {
            var shown = (await reader.GetJsonAsync($"/v1/articles/{slug}")).GetProperty("section");
            Assert.Equal(renamed, shown.GetProperty("name").GetString());
            Assert.Equal(newSlug, shown.GetProperty("slug").GetString());
        }
        var listed = (await reader.GetJsonAsync($"/v1/articles?section={newSlug}&limit=50")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(Filed, listed.Count);
        Assert.All(listed, item => Assert.Equal(renamed, item.GetProperty("section").GetProperty("name").GetString()));
        Assert.Empty((await reader.GetJsonAsync($"/v1/articles?section={section.GetProperty("slug").GetString()}")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task An_author_renamed_three_times_before_a_crash_shows_the_last_name_everywhere_once_a_node_starts_again()
    {
        // The node that renames dies before relabelling past the first batch: its relabeller never runs.
        var dying = Start(new Node(_database.ConnectionString, relabelling: false));
        var editor = await dying.ClientWithScopesAsync("*");
        var author = await editor.CreateAuthorAsync();
        var slugs = await PublishAsync(editor, new { authors = new[] { author.GetProperty("slug").GetString() } });
        var version = author.Version();
        foreach (var name in new[] { "Ffion Hughes", "Ffion Parry-Hughes", "Ffion Parry" })
        {
            var renamed = await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/authors/{author.Id()}", version,
                new { slug = author.GetProperty("slug").GetString(), name })).AssertSuccessAsync();
            version = renamed.Version();
        }
        var reader = dying.CreateClient();
        var names = new List<string>();
        foreach (var slug in slugs)
        {
            names.Add((await reader.GetJsonAsync($"/v1/articles/{slug}")).GetProperty("authors")[0].GetProperty("name").GetString()!);
        }
        Assert.Equal(Enumerable.Repeat("Ffion Hughes", BatchSize), names.Take(BatchSize));
        Assert.Contains(names, name => name != "Ffion Hughes");
        Assert.Equal(3, await PendingAsync(dying));
        await dying.DisposeAsync();

        var restarted = Start(new Node(_database.ConnectionString, relabelling: true));
        await Eventually.TrueAsync(async () => await PendingAsync(restarted) == 0, "the restarted node to finish the renames");
        reader = restarted.CreateClient();
        foreach (var slug in slugs)
        {
            Assert.Equal("Ffion Parry", (await reader.GetJsonAsync($"/v1/articles/{slug}")).GetProperty("authors")[0].GetProperty("name").GetString());
        }
    }

    private T Start<T>(T node) where T : ApiFactory
    {
        _nodes.Add(node);
        return node;
    }

    /// <summary>Publishes <see cref="Filed"/> articles with <paramref name="using"/>'s section or byline, oldest id first; their slugs.</summary>
    private static async Task<List<string>> PublishAsync(HttpClient editor, object @using)
    {
        var slugs = new List<string>();
        for (var i = 0; i < Filed; i++)
        {
            var fields = JsonSerializer.SerializeToNode(@using)!.AsObject();
            fields["headline"] = Editorial.Unique("Lifeboat station extension");
            fields["body"] = JsonSerializer.SerializeToNode(Editorial.OneParagraph());
            slugs.Add((await editor.CreatePublishedAsync(fields)).GetProperty("slug").GetString()!);
        }
        return slugs;
    }

    private static Task<int> PendingAsync(ApiFactory node) => node.WithDbAsync(db => db.Set<ReadModelRelabel>().CountAsync());

    /// <summary>A node over the shared database relabelling <see cref="BatchSize"/> articles per transaction, with or without its background relabeller.</summary>
    private sealed class Node(string connectionString, bool relabelling) : ApiFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["ConnectionStrings:HeadlessNews"] = connectionString,
            ["ReadModel:RelabelBatchSize"] = BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            if (!relabelling)
            {
                builder.ConfigureServices(services => services.Remove(services.Single(d =>
                    d.ServiceType == typeof(IHostedService) && d.ImplementationFactory?.Method.ReturnType == typeof(ReadModelRelabeller))));
            }
        }
    }
}
