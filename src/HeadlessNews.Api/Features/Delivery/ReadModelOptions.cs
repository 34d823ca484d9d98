using System.ComponentModel.DataAnnotations;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>How the delivery read model follows big changes (section <c>ReadModel</c>).</summary>
public sealed class ReadModelOptions
{
    public const string Section = "ReadModel";

    /// <summary>
    /// Articles a section or author rename relabels in one transaction (see <see cref="ReadModelRelabel"/>): about a
    /// second of work on an archive's cold pages, so a writer to one of them never waits longer.
    /// </summary>
    [Range(1, 100_000)]
    public int RelabelBatchSize { get; set; } = 500;
}
