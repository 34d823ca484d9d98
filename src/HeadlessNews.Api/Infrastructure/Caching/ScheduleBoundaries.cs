using System.Collections.Concurrent;

namespace HeadlessNews.Api.Infrastructure.Caching;

/// <summary>
/// Remembers, per kind of content (a cache tag such as <c>articles</c> or <c>notices</c>), the next instant at which
/// delivery answers change without any write: a scheduled publication or embargo passing, a notice starting or ending.
/// Every list and search needs it to cap its cache lifetime; asking PostgreSQL once per change instead of once per
/// read saves a round trip on each. Evicting the kind's tag (on this node or, through the listener, on any other)
/// forgets it, and an answer computed while an eviction happened is never kept.
/// </summary>
public sealed class ScheduleBoundaries
{
    private readonly ConcurrentDictionary<string, Kind> _kinds = new(StringComparer.Ordinal);

    /// <summary>The next boundary after <paramref name="now"/> for <paramref name="tag"/>, asking <paramref name="query"/> only when not known.</summary>
    public async ValueTask<DateTimeOffset?> NextAsync(string tag, DateTimeOffset now, Func<CancellationToken, Task<DateTimeOffset?>> query, CancellationToken cancellationToken)
    {
        var kind = _kinds.GetOrAdd(tag, _ => new Kind());
        var generation = Interlocked.Read(ref kind.Generation);
        if (kind.Known is { } known && known.Generation == generation && known.From <= now && (known.Next is not { } next || now < next))
        {
            return known.Next;
        }
        var answer = await query(cancellationToken);
        kind.Known = new Answer(generation, now, answer);
        return answer;
    }

    /// <summary>Called for every evicted tag; <see cref="CacheTags.All"/> forgets every kind.</summary>
    public void Forget(string tag)
    {
        foreach (var (name, kind) in _kinds)
        {
            if (tag == CacheTags.All || tag == name)
            {
                Interlocked.Increment(ref kind.Generation);
            }
        }
    }

    /// <summary>Valid from <see cref="From"/> (a clock moved back must ask again) until <see cref="Next"/>, while the generation holds.</summary>
    private sealed record Answer(long Generation, DateTimeOffset From, DateTimeOffset? Next);

    private sealed class Kind
    {
        public long Generation;
        public volatile Answer? Known;
    }
}
