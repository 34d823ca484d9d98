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

    [Fact]
    public async Task An_entry_is_held_compressed_and_read_back_byte_for_byte()
    {
        var inner = FrameworkStore();
        var store = new CompressedOutputCacheStore(inner);
        await store.SetAsync("page", ArticlePage, ["articles"], TimeSpan.FromMinutes(1), CancellationToken.None);

        var held = await inner.GetAsync("page", CancellationToken.None);
        Assert.NotNull(held);
        Assert.True(held.Length < ArticlePage.Length / 3, $"held {held.Length} bytes of {ArticlePage.Length}");
        Assert.Equal(ArticlePage, await store.GetAsync("page", CancellationToken.None));
    }

    [Fact]
    public async Task An_entry_read_many_times_in_a_row_is_kept_decoded_and_a_new_version_replaces_it()
    {
        var store = new CompressedOutputCacheStore(FrameworkStore());
        await store.SetAsync("list", ArticlePage, ["articles"], TimeSpan.FromMinutes(1), CancellationToken.None);
        var decoded = new List<byte[]>();
        for (var i = 0; i < CompressedOutputCacheStore.HotAfter; i++)
        {
            decoded.Add((await store.GetAsync("list", CancellationToken.None))!);
        }
        // Until its HotAfter-th read in a row (two readers walking the same pages never get there), an entry is decoded
        // afresh each time; that last decoded copy is the one kept.
        Assert.Equal(decoded.Count, decoded.Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.Same(decoded[^1], await store.GetAsync("list", CancellationToken.None));

        var changed = ArticlePage.Reverse().ToArray();
        await store.SetAsync("list", changed, ["articles"], TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Equal(changed, await store.GetAsync("list", CancellationToken.None));
    }

    [Fact]
    public async Task A_list_with_bodies_stored_from_the_frameworks_buffer_is_held_compressed_below_the_large_object_heap()
    {
        var inner = FrameworkStore();
        IOutputCacheBufferStore store = new CompressedOutputCacheStore(inner);
        var list = Enumerable.Repeat(ArticlePage, 40).SelectMany(page => page).ToArray();
        await store.SetAsync("list", new ReadOnlySequence<byte>(list), new[] { "articles" }, TimeSpan.FromMinutes(1), CancellationToken.None);

        var held = await inner.GetAsync("list", CancellationToken.None);
        Assert.NotNull(held);
        Assert.True(held.Length < 85_000, $"held {held.Length} bytes of {list.Length}");
        Assert.Equal(list, await store.GetAsync("list", CancellationToken.None));
        var pipe = new Pipe();
        Assert.True(await store.TryGetAsync("list", pipe.Writer, CancellationToken.None));
        await pipe.Writer.CompleteAsync();
        Assert.Equal(list, (await pipe.Reader.ReadAtLeastAsync(list.Length + 1)).Buffer.ToArray());
    }

    [Fact]
    public async Task An_entry_lz4_barely_shrinks_is_held_as_it_is()
    {
        var inner = FrameworkStore();
        var store = new CompressedOutputCacheStore(inner);
        var alreadyCompressed = new byte[8_000];
        new Random(7).NextBytes(alreadyCompressed);
        await store.SetAsync("page.br", alreadyCompressed, ["articles"], TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Same(await inner.GetAsync("page.br", CancellationToken.None), await store.GetAsync("page.br", CancellationToken.None));
        Assert.Equal(alreadyCompressed, await store.GetAsync("page.br", CancellationToken.None));
    }

    [Fact]
    public async Task Eviction_by_tag_reaches_the_entries_underneath()
    {
        var store = new CompressedOutputCacheStore(FrameworkStore());
        await store.SetAsync("page", ArticlePage, ["articles"], TimeSpan.FromMinutes(1), CancellationToken.None);
        await store.EvictByTagAsync("articles", CancellationToken.None);
        Assert.Null(await store.GetAsync("page", CancellationToken.None));
    }
}
