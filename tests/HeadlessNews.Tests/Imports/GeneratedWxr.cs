using System.Globalization;
using System.Text;

namespace HeadlessNews.Tests.Imports;

/// <summary>A post of <see cref="GeneratedWxr"/>: what a test may vary (<paramref name="Id"/>: its post id, else its number).</summary>
internal sealed record GeneratedPost(string Title, string Name, string Creator, string Tag, string Status, string? Content = null, string? Id = null);

/// <summary>Fictional WXR exports of many similar posts, written to a temporary file.</summary>
internal static class GeneratedWxr
{
    /// <summary>
    /// A WXR of <paramref name="posts"/> published posts on a site of its own (one author, category and tag), or on
    /// <paramref name="site"/>; <paramref name="vary"/> changes some of them. The author's login is the run's, named <paramref name="author"/>.
    /// </summary>
    public static async Task<string> WriteAsync(
        string run, int posts, Func<int, GeneratedPost, GeneratedPost>? vary = null, string? site = null, string author = "Ceri Hughes")
    {
        site ??= $"https://{run}.harbour-gazette.example";
        var xml = new StringBuilder($"""
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
                 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
            <channel><title>Harbour Gazette</title><link>{site}</link><wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>{site}</wp:base_site_url>
            <wp:author><wp:author_login>{run}-ceri</wp:author_login><wp:author_display_name>{author}</wp:author_display_name></wp:author>
            """);
        for (var i = 1; i <= posts; i++)
        {
            var made = new GeneratedPost($"Harbour news {i}", $"harbour-{run}-{i}", $"{run}-ceri", $"conwy-{run}", "publish");
            var post = vary is null ? made : vary(i, made);
            var date = post.Status == "publish" ? "2015-07-02 09:30:00" : "0000-00-00 00:00:00";
            var id = post.Id ?? i.ToString(CultureInfo.InvariantCulture);
            xml.Append(CultureInfo.InvariantCulture, $"""
                <item><title>{post.Title}</title><link>{site}/?p={id}</link><dc:creator>{post.Creator}</dc:creator>
                <guid isPermaLink="false">{site}/?p={id}</guid>
                <content:encoded><![CDATA[{post.Content ?? $"The harbour wall, part {i}."}]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
                <wp:post_id>{id}</wp:post_id><wp:post_date_gmt>{date}</wp:post_date_gmt><wp:post_name>{post.Name}</wp:post_name>
                <wp:status>{post.Status}</wp:status><wp:post_type>post</wp:post_type>
                <category domain="category" nicename="news-{run}"><![CDATA[News {run}]]></category>
                <category domain="post_tag" nicename="{post.Tag}"><![CDATA[{post.Tag}]]></category></item>

                """);
        }
        xml.Append("</channel></rss>\n");
        var file = Path.Combine(Path.GetTempPath(), $"wxr-{run}-{Guid.NewGuid():N}.xml");
        await File.WriteAllTextAsync(file, xml.ToString());
        return file;
    }
}
