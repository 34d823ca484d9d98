using System.ComponentModel.DataAnnotations;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>
/// How many uncached full-text reads (<c>/v1/search</c>, the lists' <c>?q=</c>) one node sends to the database at once
/// (section <c>Search</c>); the rest wait their turn, oldest first (<see cref="SearchTurns"/>). A search is CPU work in
/// PostgreSQL (~2.5 ms at 100,000 articles): 32 of them at once on two cores shared the CPU, so each took as long as its
/// busiest neighbours (p99 197-313 ms at ~620 a second); six at once and the rest queued: p99 83-102 ms at ~6 % fewer a
/// second (bench/README.md, "Searches taking turns").
/// </summary>
public sealed class SearchOptions
{
    public const string Section = "Search";

    /// <summary>Searches running at once; three per processor core by default (two at once on two cores lost a third of the throughput).</summary>
    [Range(1, 10_000)]
    public int MaxConcurrent { get; set; } = 3 * Environment.ProcessorCount;

    /// <summary>Searches waiting for a turn; one more is refused with <c>503</c> and <c>Retry-After</c>.</summary>
    [Range(0, 100_000)]
    public int MaxQueued { get; set; } = 1000;

    /// <summary>
    /// Whether <c>/v1/search</c> finds and ranks its candidates in this node's own index (<see cref="SearchIndex"/>) rather
    /// than in the database; false leaves every search to the database statement.
    /// </summary>
    public bool UseIndex { get; set; } = true;

    /// <summary>Where the node keeps its index (a new directory in it, removed when the node stops); the system's temporary directory by default.</summary>
    public string? IndexDirectory { get; set; }
}
