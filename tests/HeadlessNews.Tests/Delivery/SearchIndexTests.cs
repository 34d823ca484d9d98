using HeadlessNews.Api.Features.Delivery;
using HeadlessNews.Api.Infrastructure.Caching;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HeadlessNews.Tests.Delivery;

/// <summary>
/// <c>/v1/search</c> answers from each node's own index (<see cref="SearchIndex"/>), which follows the evictions every
/// write makes, and from the database statement while the index is being built: both must find the same things.
/// </summary>
public sealed class SearchIndexTests(UncachedApiFactory api) : IClassFixture<UncachedApiFactory>
{
    [Fact]
    public async Task The_index_and_the_database_statement_find_the_same_things_for_every_kind_of_query()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var word = "ixq" + Guid.NewGuid().ToString("N")[..6];
        var quote = await editor.CreateQuoteAsync($"The {word} ferry will sail again once the harbour wall is mended.");
        await editor.CreateQuoteAsync($"Nobody will print this {word} remark about the harbour wall.");
        var source = await editor.CreateAsync("/v1/manage/sources", new { kind = "report", title = $"Harbour {word} survey", publisher = "Harbour Board" });
        await editor.CreatePublishedAsync(new
        {
            headline = $"Harbour wall {word} to be mended",
            body = new object[] { new { type = "paragraph", html = "Engineers found the harbour wall cracked after the storms." }, new { type = "quote", quoteId = quote.Id() } },
            sourceIds = new[] { source.Id() },
        });
        await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Lifeboat crew"), standfirst = $"The {word} lifeboat was called out twice.", body = Editorial.OneParagraph("The coastguard thanked the volunteers.") });
        await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Ferry timetable"), body = Editorial.OneParagraph($"A wall of {word} fog delayed the harbour ferry.") });
        await editor.CreatePublishedAsync(new { headline = $"Wal yr harbwr {word} yng Nghaerdydd", language = "cy", body = Editorial.OneParagraph("Bydd y gwaith yn dechrau yng Nghaerdydd.") });
        await editor.CreatePublishedAsync(new { headline = $"Scheduled {word} harbour story", body = Editorial.OneParagraph() }, api.Clock.GetUtcNow().AddDays(2));
        var notice = await editor.CreateAsync("/v1/manage/notices", new
        {
            reference = Editorial.Unique("IOA/2026"),
            category = "traffic_and_roads",
            title = $"Harbour {word} road closure",
            body = "<p>The harbour road will be closed while the wall is mended.</p>",
            issuer = new { name = "Isle of Anglesey County Council" },
        });
        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/notices/{notice.Id()}/publish", notice.Version(), new { })).AssertSuccessAsync();
        await using var statementNode = new ReadReplicaApi(api.ConnectionString, api.ConnectionString, new Dictionary<string, string?> { ["Search:UseIndex"] = "false" });
        var fromIndex = api.CreateClient();
        var fromStatement = statementNode.CreateClient();
        await Eventually.TrueAsync(() => Task.FromResult(api.Services.GetRequiredService<SearchIndex>().IsReady), "the index to be built");

        string[] queries =
        [
            word, $"{word} harbour", $"\"harbour wall\" {word}", $"\"wall harbour\" {word}", $"{word} -ferry", $"{word} lifeboat OR ferry",
            $"-ferry -lifeboat {word}", $"{word} -ferry -lifeboat", $"{word} OR -ferry",
            $"{word} Caerdydd", $"{word} wal", $"{word} closure", $"{word} survey", $"{word} the", $"-{word}", "the and of",
        ];
        foreach (var query in queries)
        {
            foreach (var types in new[] { "", "&types=articles", "&types=notices,quotes,sources" })
            {
                var path = $"/v1/search?q={Uri.EscapeDataString(query)}{types}&limit=50";
                var indexed = (await fromIndex.GetJsonAsync(path)).GetProperty("items").EnumerateArray().ToList();
                var statement = (await fromStatement.GetJsonAsync(path)).GetProperty("items").EnumerateArray().ToList();
                Assert.True(indexed.Select(Key).Order().SequenceEqual(statement.Select(Key).Order()),
                    $"{path}: the index found [{string.Join(", ", indexed.Select(Key))}], the statement [{string.Join(", ", statement.Select(Key))}]");
                // The same snippet and title for each: the page is read and cut by the same SQL.
                foreach (var hit in indexed)
                {
                    var same = statement.Single(other => Key(other) == Key(hit));
                    Assert.Equal(same.GetProperty("snippet").GetString(), hit.GetProperty("snippet").GetString());
                    Assert.Equal(same.GetProperty("title").GetString(), hit.GetProperty("title").GetString());
                }
            }
        }
        Assert.NotEmpty((await fromIndex.GetJsonAsync($"/v1/search?q={word}%20Caerdydd")).GetProperty("items").EnumerateArray());

        static string Key(System.Text.Json.JsonElement hit) => hit.GetProperty("type").GetString() + ":" + hit.GetProperty("id").GetString();
    }

    [Fact]
    public async Task A_change_written_behind_the_apis_back_is_found_only_once_the_whole_cache_is_evicted_and_the_index_rebuilt()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var before = "ixb" + Guid.NewGuid().ToString("N")[..6];
        var after = "ixa" + Guid.NewGuid().ToString("N")[..6];
        var article = await editor.CreatePublishedAsync(new { headline = $"Pier {before} reopens", body = Editorial.OneParagraph() });
        var reader = api.CreateClient();
        Assert.Single((await reader.GetJsonAsync($"/v1/search?q={before}")).GetProperty("items").EnumerateArray());

        await using (var connection = new NpgsqlConnection(api.ConnectionString))
        {
            await connection.OpenAsync();
            await using var rewrite = new NpgsqlCommand($"UPDATE published_articles SET headline = 'Pier {after} reopens' WHERE article_id = $1", connection)
            {
                Parameters = { new() { Value = Guid.Parse(article.Id()) } },
            };
            Assert.Equal(1, await rewrite.ExecuteNonQueryAsync());
        }
        // Nothing was evicted, so the index still holds the old words (the database statement would find the new one).
        Assert.Single((await reader.GetJsonAsync($"/v1/search?q={before}")).GetProperty("items").EnumerateArray());
        Assert.Empty((await reader.GetJsonAsync($"/v1/search?q={after}")).GetProperty("items").EnumerateArray());

        await api.Services.GetRequiredService<ICacheInvalidator>().EvictAsync(CacheTags.All);

        Assert.Equal(article.Id(), (await reader.GetJsonAsync($"/v1/search?q={after}")).GetProperty("items")[0].GetProperty("id").GetString());
        Assert.Empty((await reader.GetJsonAsync($"/v1/search?q={before}")).GetProperty("items").EnumerateArray());
        await Eventually.TrueAsync(() => Task.FromResult(api.Services.GetRequiredService<SearchIndex>().IsReady), "the index to be rebuilt");
        Assert.Equal(article.Id(), (await reader.GetJsonAsync($"/v1/search?q={after}")).GetProperty("items")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_story_published_and_withdrawn_through_one_node_is_found_and_then_not_by_another_nodes_index()
    {
        var editor = await api.ClientWithScopesAsync("*");
        await using var other = new ReadReplicaApi(api.ConnectionString, api.ConnectionString);
        var reader = other.CreateClient();
        var index = other.Services.GetRequiredService<SearchIndex>();
        await Eventually.TrueAsync(() => Task.FromResult(index.IsReady), "the other node's index to be built");
        var word = "ixn" + Guid.NewGuid().ToString("N")[..6];

        var article = await editor.CreatePublishedAsync(new { headline = $"Bangor {word} market returns", body = Editorial.OneParagraph() });

        await Eventually.TrueAsync(async () => (await reader.GetJsonAsync($"/v1/search?q={word}")).GetProperty("items").GetArrayLength() == 1,
            "the other node to hear of the story");
        Assert.True(index.IsReady);

        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{article.Id()}/unpublish", article.Version(), new { })).AssertSuccessAsync();

        await Eventually.TrueAsync(async () => (await reader.GetJsonAsync($"/v1/search?q={word}")).GetProperty("items").GetArrayLength() == 0,
            "the other node to hear of the withdrawal");
    }

    [Fact]
    public async Task A_node_removes_the_index_a_killed_node_left_and_not_one_a_live_node_holds()
    {
        var parent = Directory.CreateTempSubdirectory("hn-search-parent-").FullName;
        var abandoned = Directory.CreateDirectory(Path.Combine(parent, "headlessnews-search-" + Guid.NewGuid().ToString("N"))).FullName;
        await File.WriteAllTextAsync(Path.Combine(abandoned, "write.lock"), "");
        await File.WriteAllBytesAsync(Path.Combine(abandoned, "_0.cfs"), new byte[4096]);
        Directory.SetLastWriteTimeUtc(abandoned, DateTime.UtcNow.AddMinutes(-5));
        var held = Directory.CreateDirectory(Path.Combine(parent, "headlessnews-search-" + Guid.NewGuid().ToString("N"))).FullName;
        using var liveDirectory = Lucene.Net.Store.FSDirectory.Open(held);
        using (var live = new Lucene.Net.Index.IndexWriter(liveDirectory,
                   new Lucene.Net.Index.IndexWriterConfig(Lucene.Net.Util.LuceneVersion.LUCENE_48, new Lucene.Net.Analysis.Core.KeywordAnalyzer())))
        {
            Directory.SetLastWriteTimeUtc(held, DateTime.UtcNow.AddMinutes(-5));

            await using (var node = new ReadReplicaApi(api.ConnectionString, api.ConnectionString, new Dictionary<string, string?> { ["Search:IndexDirectory"] = parent }))
            {
                var index = node.Services.GetRequiredService<SearchIndex>();
                await Eventually.TrueAsync(() => Task.FromResult(index.IsReady), "the node's index to be built");

                Assert.False(Directory.Exists(abandoned));
                Assert.True(Directory.Exists(held));
                Assert.Equal(2, Directory.GetDirectories(parent).Length);
            }
        }
        Assert.Equal([held], Directory.GetDirectories(parent));
        Directory.Delete(parent, recursive: true);
    }
}
