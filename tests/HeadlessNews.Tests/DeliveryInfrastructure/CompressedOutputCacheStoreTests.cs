using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using HeadlessNews.Api.Infrastructure.Caching;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessNews.Tests.DeliveryInfrastructure;

public sealed class CompressedOutputCacheStoreTests
{
    private static readonly byte[] ArticlePage = Encoding.UTF8.GetBytes(
        "{\"items\":[" + string.Join(',', Enumerable.Range(1, 40).Select(i =>
            $"{{\"slug\":\"rhyl-sea-wall-repairs-{i}\",\"headline\":\"Rhyl sea wall repairs reach stage {i}\",\"section\":{{\"slug\":\"news\",\"name\":\"News\"}}}}")) + "]}");

    /// <summary>The framework's own in-memory store, as AddOutputCache registers it.</summary>
    private static IOutputCacheStore FrameworkStore() =>
        new ServiceCollection().AddOptions().AddOutputCache().BuildServiceProvider().GetRequiredService<IOutputCacheStore>();

    private static async Task<byte[]> ReadThroughPipeAsync(CompressedOutputCacheStore store, string key)
    {
        var pipe = new Pipe();
        Assert.True(await store.TryGetAsync(key, pipe.Writer, CancellationToken.None));
        await pipe.Writer.CompleteAsync();
        var read = await pipe.Reader.ReadAtLeastAsync(int.MaxValue);
        return read.Buffer.ToArray();
    }

    [Fact]
    public async Task An_entry_is_held_compressed_and_read_back_byte_for_byte()
    {
        var inner = FrameworkStore();
        var store = new CompressedOutputCacheStore(inner);
        await store.SetAsync("page", new ReadOnlySequence<byte>(ArticlePage), new[] { "articles" }, TimeSpan.FromMinutes(1), CancellationToken.None);

        var held = await inner.GetAsync("page", CancellationToken.None);
        Assert.NotNull(held);
        Assert.True(held.Length < ArticlePage.Length / 3, $"held {held.Length} bytes of {ArticlePage.Length}");
        Assert.Equal(ArticlePage, await ReadThroughPipeAsync(store, "page"));
        Assert.Equal(ArticlePage, await store.GetAsync("page", CancellationToken.None));
    }

    [Fact]
    public async Task Eviction_by_tag_reaches_the_entries_underneath()
    {
        var store = new CompressedOutputCacheStore(FrameworkStore());
        await store.SetAsync("page", ArticlePage, ["articles"], TimeSpan.FromMinutes(1), CancellationToken.None);
        await store.EvictByTagAsync("articles", CancellationToken.None);
        Assert.Null(await store.GetAsync("page", CancellationToken.None));
        Assert.False(await store.TryGetAsync("page", new Pipe().Writer, CancellationToken.None));
    }
}
