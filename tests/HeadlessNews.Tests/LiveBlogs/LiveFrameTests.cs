using System.Text;
using HeadlessNews.Api.Features.Delivery;

namespace HeadlessNews.Tests.LiveBlogs;

/// <summary>What a replay keeps of a live blog's frames (the rule the database replay applies in SQL, here for a node's memory).</summary>
public sealed class LiveFrameTests
{
    private static readonly Guid A = Guid.NewGuid(), B = Guid.NewGuid(), C = Guid.NewGuid(), D = Guid.NewGuid();

    [Fact]
    public void A_replay_sends_each_entry_once_as_it_is_now_and_leaves_out_one_created_and_deleted_since()
    {
        LiveFrame[] since =
        [
            LiveFrame.Of(1, A, LiveEvents.Created, """{"v":"a1"}"""),
            LiveFrame.Of(2, A, LiveEvents.Updated, """{"v":"a2"}"""),
            LiveFrame.Of(3, B, LiveEvents.Created, """{"v":"b1"}"""),
            LiveFrame.Of(4, C, LiveEvents.Updated, """{"v":"c2"}"""),
            LiveFrame.Of(5, B, LiveEvents.Deleted, """{"id":"b"}"""),
            LiveFrame.Of(6, D, LiveEvents.Deleted, """{"id":"d"}"""),
            LiveFrame.Of(7, C, LiveEvents.Updated, """{"v":"c3"}"""),
        ];

        var replay = LiveFrame.Coalesce(since).Select(f => Encoding.UTF8.GetString(f.Bytes)).ToList();

        Assert.Equal(
        [
            "id: 2\nevent: entry.created\ndata: {\"v\":\"a2\"}\n\n",
            "id: 6\nevent: entry.deleted\ndata: {\"id\":\"d\"}\n\n",
            "id: 7\nevent: entry.updated\ndata: {\"v\":\"c3\"}\n\n",
        ], replay);
    }
}
