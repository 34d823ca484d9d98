using System.IO.Compression;
using System.Text.RegularExpressions;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Imports;

/// <summary>
/// WordPress.com hands out its export as a zip, and splits a large site into several numbered files, each with the
/// site's header: a post's featured picture may be described in another file than the post.
/// </summary>
public sealed class WordPressSplitExportTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_zip_of_several_export_files_imports_as_one_export_with_pictures_found_across_files()
    {
        var (run, file) = WordPressImportTests.Fixture(out _);
        var zip = Path.ChangeExtension(file, ".zip");
        var (attachments, posts) = Split(await File.ReadAllTextAsync(file));
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            // Named so that the posts come first: their pictures are learnt from the whole export before any is imported.
            await WriteAsync(archive, $"glannau.wordpress.{run}.000.xml", posts);
            await WriteAsync(archive, $"glannau.wordpress.{run}.001.xml", attachments);
        }

        var (exit, output) = await ImportAsync(zip);

        Assert.True(exit == 0, output);
        var harbour = await api.CreateClient().GetJsonAsync($"/v1/articles/harbour-wall-repaired-{run}");
        Assert.Equal($"https://{run}.glannau-gazette.example/wp-content/uploads/2015/07/wall.jpg", harbour.GetProperty("heroImage").GetProperty("url").GetString());
        Assert.Contains("posts        created 10", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_of_export_files_imports_too_and_malformed_xml_names_its_file()
    {
        var (run, file) = WordPressImportTests.Fixture(out _);
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"wxr-{run}")).FullName;
        var (attachments, posts) = Split(await File.ReadAllTextAsync(file));
        await File.WriteAllTextAsync(Path.Combine(folder, "export.000.xml"), attachments);
        await File.WriteAllTextAsync(Path.Combine(folder, "export.001.xml"), posts);

        var (exit, output) = await ImportAsync(folder);
        Assert.True(exit == 0, output);
        Assert.Equal("Stone harbour wall", (await api.CreateClient().GetJsonAsync($"/v1/articles/harbour-wall-repaired-{run}")).GetProperty("heroImage").GetProperty("alt").GetString());

        await File.WriteAllTextAsync(Path.Combine(folder, "export.000.xml"), "<rss><channel><item></channel>");
        (exit, output) = await ImportAsync(folder);
        Assert.Equal(65, exit);
        Assert.Contains("export.000.xml: ", output, StringComparison.Ordinal);
    }

    /// <summary>The fixture as two files with its header each: one with the attachments, one with everything else.</summary>
    private static (string Attachments, string Posts) Split(string wxr)
    {
        var items = Regex.Matches(wxr, @"\t<item>.*?</item>\n", RegexOptions.Singleline).Select(m => m.Value).ToList();
        var header = wxr[..wxr.IndexOf("\t<item>", StringComparison.Ordinal)];
        const string footer = "</channel>\n</rss>\n";
        var attachments = items.Where(i => i.Contains("<wp:post_type><![CDATA[attachment]]></wp:post_type>", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(attachments);
        return (header + string.Concat(attachments) + footer, header + string.Concat(items.Except(attachments)) + footer);
    }

    private static async Task WriteAsync(ZipArchive archive, string name, string text)
    {
        await using var entry = archive.CreateEntry(name).Open();
        await entry.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text));
    }

    private Task<(int Exit, string Output)> ImportAsync(string source) => api.RunImportAsync(source, "--media", "link");
}
