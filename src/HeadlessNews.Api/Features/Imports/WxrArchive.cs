using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Xml;
using HeadlessNews.Api.Infrastructure.Text;

namespace HeadlessNews.Api.Features.Imports;

/// <summary>
/// A WXR export as a <see cref="WordPressArchive"/>: one pass to learn the site, authors, pictures and reusable blocks,
/// then the items read again as a stream. The export is one file, or several: a zip (WordPress.com's download, which
/// splits a large site into numbered files) or a folder, read in name order, so a post finds its pictures in any of them.
/// Files of different sites (each file's channel names its site: a multisite network's subsites, two blogs) are
/// different sources, each imported on its own, as if its files were imported alone.
/// </summary>
public static partial class WxrArchive
{
    /// <summary>
    /// The export's sites, one archive each, in the order their first files come. Each file is read once. Malformed XML
    /// before the first complete item of a site throws (<see cref="XmlException"/>, with line and column); later, the items
    /// before it are imported and the report names the error.
    /// </summary>
    public static async Task<IReadOnlyList<WordPressArchive>> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var parts = Parts(path);
        if (parts.Count <= 1)
        {
            return [await OpenSiteAsync(path, parts, cancellationToken)];
        }
        // A file's site is in its channel, before its first author or item: read up to there.
        var sites = new List<(string? Key, List<ExportPart> Parts)>();
        foreach (var part in parts)
        {
            var key = await SiteKeyAsync(part, cancellationToken);
            if (sites.FirstOrDefault(s => s.Key == key).Parts is { } same)
            {
                same.Add(part);
            }
            else
            {
                sites.Add((key, [part]));
            }
        }
        var archives = new List<WordPressArchive>(sites.Count);
        foreach (var (_, siteParts) in sites)
        {
            archives.Add(await OpenSiteAsync(path, siteParts, cancellationToken));
        }
        return archives;
    }

    /// <summary>One file of the export: a file, or an entry of a zip; <paramref name="Named"/> when it is one of several (an error names it).</summary>
    private sealed record ExportPart(string Path, string? Entry, bool Named)
    {
        public string Name => Entry ?? System.IO.Path.GetFileName(Path);
    }

    private static List<ExportPart> Parts(string path)
    {
        if (Directory.Exists(path))
        {
            return [.. Directory.EnumerateFiles(path, "*.xml").Order(StringComparer.Ordinal).Select(file => new ExportPart(file, null, true))];
        }
        if (IsZip(path))
        {
            using var zip = ZipFile.OpenRead(path);
            return [.. zip.Entries.Where(e => e.FullName.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)).Select(e => e.FullName).Order(StringComparer.Ordinal)
                .Select(entry => new ExportPart(path, entry, true))];
        }
        return [new ExportPart(path, null, false)];
    }

    /// <summary>The site a file's channel names (see <see cref="WordPressArchive.SiteKey"/>), or null when it names none.</summary>
    private static async Task<string?> SiteKeyAsync(ExportPart part, CancellationToken cancellationToken)
    {
        await foreach (var entry in ReadAsync([part], cancellationToken))
        {
            if (entry is WpSite site)
            {
                return SiteUri(site) is { } uri ? WordPressArchive.SiteKey(uri) : null;
            }
        }
        return null;
    }

    private static Uri? SiteUri(WpSite? site) =>
        Uri.TryCreate(site?.BaseBlogUrl ?? site?.Link ?? site?.BaseSiteUrl, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https" ? parsed : null;

    /// <summary>
    /// Reads one site's files once. Malformed XML before the first complete item throws (<see cref="XmlException"/>, with line and
    /// column); later, the items before it are imported and the report names the error.
    /// </summary>
    private static async Task<WordPressArchive> OpenSiteAsync(string path, List<ExportPart> parts, CancellationToken cancellationToken)
    {
        WpSite? site = null;
        var authors = new Dictionary<string, WpAuthor>(StringComparer.OrdinalIgnoreCase);
        var attachments = new Dictionary<string, WpAttachment>(StringComparer.Ordinal);
        var reusableBlocks = new Dictionary<string, string>(StringComparer.Ordinal);
        var terms = new List<WpTerm>();
        var guests = new List<WpAuthor>();
        // Post id ⇒ the item number of its last copy (the export's items counted from 0).
        var lastCopies = new Dictionary<string, int>(StringComparer.Ordinal);
        var repeatedPostIds = new HashSet<string>(StringComparer.Ordinal);
        var items = 0;
        try
        {
            await foreach (var entry in ReadAsync(parts, cancellationToken))
            {
                switch (entry)
                {
                    case WpSite described:
                        site ??= described;
                        break;
                    case WpAuthor author when author.Login.Length > 0:
                        authors[author.Login] = author;
                        break;
                    case WpTerm term:
                        terms.Add(term);
                        break;
                    case WpItem item:
                        if (lastCopies.ContainsKey(item.PostId))
                        {
                            repeatedPostIds.Add(item.PostId);
                        }
                        lastCopies[item.PostId] = items;
                        items++;
                        if (item.PostType == "attachment" && (item.AttachmentUrl ?? item.SourceGuid) is { } url)
                        {
                            attachments[item.PostId] = new WpAttachment(url, item.Meta.GetValueOrDefault("_wp_attachment_image_alt") is { Length: > 0 } alt ? alt : null,
                                WordPressHtml.PlainText(item.Excerpt) is { Length: > 0 } caption ? caption : null, item.ParentId, item.MenuOrder,
                                Credit(item.Meta.GetValueOrDefault("_wp_attachment_metadata")));
                        }
                        else if (item.PostType == "wp_block" && item.Content is { } block)
                        {
                            reusableBlocks[item.PostId] = block;
                        }
                        else if (GuestAuthor(item) is { } guest)
                        {
                            guests.Add(guest);
                        }
                        break;
                }
            }
        }
        catch (XmlException) when (items > 0)
        {
            // The import reads the file again and stops at the same place, reporting it.
        }
        if (site?.WxrVersion is null)
        {
            // WordPress writes the version into every export, and its own importer refuses a file without one, as this does:
            // an RSS feed or another CMS's XML would otherwise import as junk drafts.
            throw new XmlException("This is not a WordPress export (WXR): its channel has no wp:wxr_version. Export the site with WordPress's Tools > Export.");
        }
        // A site's own user wins over a guest author with the same login, as Co-Authors Plus shows the user.
        foreach (var guest in guests)
        {
            authors.TryAdd(guest.Login, guest);
        }
        var baseUri = SiteUri(site);
        return new WordPressArchive(
            baseUri is null ? "file:" + Path.GetFileName(Path.TrimEndingDirectorySeparator(path)) : WordPressArchive.SiteKey(baseUri), baseUri, authors, terms, attachments, reusableBlocks, items,
            cancellationToken => ItemsAsync(parts, cancellationToken),
            Languages.IsValid(site?.Language) ? Languages.Normalise(site!.Language!) : null,
            lastCopies.Where(c => repeatedPostIds.Contains(c.Key)).ToDictionary(StringComparer.Ordinal));
    }

    private static async IAsyncEnumerable<WpItem> ItemsAsync(List<ExportPart> parts, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entry in ReadAsync(parts, cancellationToken))
        {
            if (entry is WpItem item)
            {
                yield return item;
            }
        }
    }

    /// <summary>Everything <see cref="WxrReader"/> reads in each file of the export, one file after another.</summary>
    private static async IAsyncEnumerable<object> ReadAsync(List<ExportPart> parts, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var part in parts)
        {
            using var zip = part.Entry is null ? null : ZipFile.OpenRead(part.Path);
            await using var stream = zip is null ? Open(part.Path) : zip.GetEntry(part.Entry!)!.Open();
            var entries = part.Named ? ReadNamedAsync(part.Name, stream, cancellationToken) : WxrReader.ReadAsync(stream, cancellationToken);
            await foreach (var entry in entries)
            {
                yield return entry;
            }
        }
    }

    /// <summary>One file of several: malformed XML names the file as well as the line and column.</summary>
    private static async IAsyncEnumerable<object> ReadNamedAsync(string name, Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var entries = WxrReader.ReadAsync(stream, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await entries.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (XmlException malformed)
            {
                throw new XmlException($"{name}: {malformed.Message}", malformed);
            }
            yield return entries.Current;
        }
    }

    private static bool IsZip(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> start = stackalloc byte[4];
        return file.ReadAtLeast(start, 4, throwOnEndOfStream: false) == 4 && start.SequenceEqual("PK\u0003\u0004"u8);
    }

    /// <summary>
    /// A Co-Authors Plus guest author: a byline without a WordPress account, named on posts by an <c>author</c> term whose
    /// name is its login (<c>cap-user_login</c>; its item's slug is <c>cap-</c> and the login when the meta is missing).
    /// </summary>
    private static WpAuthor? GuestAuthor(WpItem item)
    {
        if (item.PostType != WpItem.GuestAuthorType)
        {
            return null;
        }
        var login = item.Meta.GetValueOrDefault("cap-user_login") is { Length: > 0 } given ? given
            : item.PostName is { } slug && slug.StartsWith("cap-", StringComparison.Ordinal) ? slug["cap-".Length..] : item.PostName;
        var name = item.Meta.GetValueOrDefault("cap-display_name") is { Length: > 0 } displayName ? displayName : item.Title;
        var bio = WordPressHtml.PlainText(item.Meta.GetValueOrDefault("cap-description"));
        return string.IsNullOrWhiteSpace(login) ? null : new WpAuthor(login.Trim(), WordPressHtml.PlainText(name) is { Length: > 0 } plain ? plain : null, bio.Length > 0 ? bio : null);
    }

    /// <summary>The credit in an attachment's metadata (PHP-serialised: <c>s:6:"credit";s:15:"Glannau Gazette";</c>), if any.</summary>
    private static string? Credit(string? metadata) =>
        metadata is not null && CreditField().Match(metadata) is { Success: true } credit && WordPressHtml.PlainText(credit.Groups[1].Value) is { Length: > 0 } text
            ? AcceptedText.Cut(text, 200)
            : null;

    [System.Text.RegularExpressions.GeneratedRegex(@"s:6:""credit"";s:\d+:""(.*?)"";")]
    private static partial System.Text.RegularExpressions.Regex CreditField();

    private static FileStream Open(string path) => new(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Options = FileOptions.Asynchronous | FileOptions.SequentialScan, BufferSize = 1 << 16 });
}
