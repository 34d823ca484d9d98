namespace HeadlessNews.Api.Features.Imports;

/// <summary>How pictures come across: fetched into the media library, kept as links to the old site, or left out.</summary>
public enum MediaMode
{
    Download,
    Link,
    Skip,
}

/// <param name="Since">REST source only: posts modified since then.</param>
/// <param name="Pages">Import pages as articles too (else they are skipped and counted).</param>
public sealed record ImportOptions(bool DryRun, MediaMode Media, bool Overwrite, DateTimeOffset? Since, bool Pages);

/// <summary>Created / updated / unchanged / skipped / failed for one kind of thing (posts, authors, sections…).</summary>
public sealed class KindCounts
{
    public int Created { get; set; }
    public int Updated { get; set; }
    public int Unchanged { get; set; }
    /// <summary>Left out on purpose: a kind or status not imported, an article edited here since.</summary>
    public int Skipped { get; set; }
    /// <summary>Meant to be imported but could not be saved (reported with outcome <c>failed</c>); a re-run tries again.</summary>
    public int Failed { get; set; }
    /// <summary>Why the items of this kind were skipped, when the kind as a whole is not imported (comments, menus, templates…).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; set; }
}

/// <summary>An item that was not imported as it was, and why.</summary>
/// <param name="Outcome">created, updated, unchanged, skipped or failed.</param>
public sealed record ReportedItem(string SourceId, string? Title, string Outcome, string Reason);

public sealed class ImageCounts
{
    public int Downloaded { get; set; }
    public int Linked { get; set; }
    public int Failed { get; set; }
    public int Left { get; set; }
}

/// <summary>What an import did (written as JSON by <c>--report</c>): counts per kind, every item not imported as it was, unconverted shortcodes.</summary>
public sealed class ImportReport
{
    public required string Source { get; init; }
    public bool DryRun { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; set; }
    public SortedDictionary<string, KindCounts> Counts { get; } = new(StringComparer.Ordinal);
    public ImageCounts Images { get; } = new();
    public List<ReportedItem> Items { get; } = [];
    /// <summary>Shortcode name ⇒ the posts (source ids) where it was kept as text.</summary>
    public SortedDictionary<string, List<string>> UnknownShortcodes { get; } = new(StringComparer.Ordinal);
    /// <summary>Why the run stopped early (malformed XML, with line and column; a site that stopped answering), if it did.</summary>
    public string? Error { get; set; }

    public KindCounts Kind(string kind)
    {
        if (!Counts.TryGetValue(kind, out var counts))
        {
            Counts[kind] = counts = new KindCounts();
        }
        return counts;
    }

    /// <param name="title">As the source has it: HTML (<c>the editor&amp;#8217;s notes</c>), reported as plain text.</param>
    public void Report(string sourceId, string? title, string outcome, string reason) =>
        Items.Add(new ReportedItem(sourceId, WordPressHtml.PlainText(title) is { Length: > 0 } plain ? plain : null, outcome, reason));

    /// <summary>Adds another report's counts, reported items and shortcodes to this one's (a post's, once it is written).</summary>
    public void Add(ImportReport other)
    {
        foreach (var (kind, counts) in other.Counts)
        {
            var into = Kind(kind);
            into.Created += counts.Created;
            into.Updated += counts.Updated;
            into.Unchanged += counts.Unchanged;
            into.Skipped += counts.Skipped;
            into.Failed += counts.Failed;
            into.Reason ??= counts.Reason;
        }
        Images.Downloaded += other.Images.Downloaded;
        Images.Linked += other.Images.Linked;
        Images.Failed += other.Images.Failed;
        Images.Left += other.Images.Left;
        Items.AddRange(other.Items);
        foreach (var (name, posts) in other.UnknownShortcodes)
        {
            if (!UnknownShortcodes.TryGetValue(name, out var into))
            {
                UnknownShortcodes[name] = into = [];
            }
            into.AddRange(posts);
        }
    }

    /// <summary>The summary lines printed at the end of a run.</summary>
    public IEnumerable<string> Summary()
    {
        yield return $"{(DryRun ? "Dry run of" : "Imported")} {Source}:";
        foreach (var (kind, counts) in Counts)
        {
            yield return $"  {kind,-12} created {counts.Created}, updated {counts.Updated}, unchanged {counts.Unchanged}, skipped {counts.Skipped}, failed {counts.Failed}"
                + (counts.Reason is null ? string.Empty : $" ({counts.Reason})");
        }
        yield return $"  images       downloaded {Images.Downloaded}, linked {Images.Linked}, failed {Images.Failed} (kept as links), left out {Images.Left}";
        foreach (var (name, posts) in UnknownShortcodes)
        {
            yield return $"  shortcode [{name}] kept as text in posts {string.Join(", ", posts)}";
        }
        if (Items.Count > 0)
        {
            yield return $"  {Items.Count} item(s) not imported exactly as they were: see the report.";
        }
        if (Error is not null)
        {
            yield return $"  stopped early: {Error}";
        }
    }
}

/// <summary>
/// What the <c>import.completed</c> webhook says of a run: the articles (posts and pages) created, updated, unchanged,
/// skipped and failed, the counts for every kind, and the pictures.
/// </summary>
public sealed record ImportCompletedData(
    Guid Id, string Source, int Created, int Updated, int Unchanged, int Skipped, int Failed, IReadOnlyDictionary<string, KindCounts> Counts, ImageCounts Images)
{
    public static ImportCompletedData Of(Guid id, ImportReport report)
    {
        var articles = report.Counts.Where(c => c.Key is WordPressImporter.Posts or WordPressImporter.Pages).Select(c => c.Value).ToList();
        return new ImportCompletedData(
            id, report.Source, articles.Sum(c => c.Created), articles.Sum(c => c.Updated), articles.Sum(c => c.Unchanged), articles.Sum(c => c.Skipped), articles.Sum(c => c.Failed),
            report.Counts, report.Images);
    }
}
