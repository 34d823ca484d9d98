using HeadlessNews.Api.Features.Imports;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Imports;

/// <summary>
/// What an import records of each post (its source hash) is what the next run compares with: a release that hashes the
/// same post differently would make every post of every earlier import "changed" and write a revision of each.
/// </summary>
public sealed class WordPressSourceHashTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    /// <summary>The hash the importer recorded for <see cref="Export"/>'s post, with the default --media, before Co-Authors Plus and Polylang were read (de0ac20).</summary>
    private const string RecordedBefore = "D7EB2275A7093D9D5DE83AE15FBD318C9EA5D346E2AC883F0FC9C7F691092415";

    [Fact]
    public async Task A_post_hashes_as_earlier_releases_recorded_it()
    {
        const string site = "https://hash.glannau-gazette.example";
        var file = Path.Combine(Path.GetTempPath(), $"wxr-hash-{Guid.NewGuid():N}.xml");
        await File.WriteAllTextAsync(file, Export.Replace("SITE", site, StringComparison.Ordinal));

        var (exit, output) = await api.RunImportAsync(file);

        Assert.True(exit == 0, output);
        var recorded = await api.WithDbAsync(db => db.Set<ImportedItem>().Where(i => i.Source == site).Select(i => i.SourceHash).SingleAsync());
        Assert.Equal(RecordedBefore, recorded);
    }

    private const string Export = """
        <?xml version="1.0" encoding="UTF-8"?>
        <rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
        <channel>
        <title>Glannau Gazette</title>
        <link>SITE</link>
        <wp:wxr_version>1.2</wp:wxr_version>
        <wp:base_site_url>SITE</wp:base_site_url>
        <item>
        <title>Lifeboat crew rescue two walkers at Penmon</title>
        <link>SITE/2019/08/03/lifeboat-penmon/</link>
        <dc:creator><![CDATA[ceri]]></dc:creator>
        <guid isPermaLink="false">SITE/?p=7</guid>
        <content:encoded><![CDATA[<p>The crew launched at 6pm.</p>]]></content:encoded>
        <excerpt:encoded><![CDATA[]]></excerpt:encoded>
        <wp:post_id>7</wp:post_id>
        <wp:post_date_gmt><![CDATA[2019-08-03 18:30:00]]></wp:post_date_gmt>
        <wp:post_name><![CDATA[lifeboat-penmon]]></wp:post_name>
        <wp:status><![CDATA[publish]]></wp:status>
        <wp:post_type><![CDATA[post]]></wp:post_type>
        <category domain="category" nicename="news"><![CDATA[News]]></category>
        </item>
        </channel>
        </rss>
        """;
}
