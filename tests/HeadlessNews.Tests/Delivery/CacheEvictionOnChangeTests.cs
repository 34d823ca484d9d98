using System.IO.Hashing;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HeadlessNews.Api.Features.Feeds;
using HeadlessNews.Api.Infrastructure.Caching;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessNews.Tests.Delivery;

/// <summary>With the server output cache on (the default): changes evict cached answers at once.</summary>
public sealed class CacheEvictionOnChangeTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Unpublishing_evicts_the_cached_article_and_list_at_once()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var article = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Prestatyn library hours extended"), body = Editorial.OneParagraph() });
        var slug = article.GetProperty("slug").GetString();
        var reader = api.CreateClient();
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/v1/articles/{slug}")).StatusCode);
            Assert.Contains(slug!, await reader.GetStringAsync("/v1/articles?limit=100"), StringComparison.Ordinal);
        }
        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{article.Id()}/unpublish", article.Version(), new { })).AssertSuccessAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/v1/articles/{slug}")).StatusCode);
        Assert.DoesNotContain(slug!, await reader.GetStringAsync("/v1/articles?limit=100"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_feed_cached_before_an_unpublish_is_recorded_gets_a_new_last_modified_once_it_is()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var section = (await editor.CreateSectionAsync()).GetProperty("slug").GetString()!;
        await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Rhyl pier survey"), section, body = Editorial.OneParagraph() });
        var pulled = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Story pulled for legal reasons"), section, body = Editorial.OneParagraph() });
        var reader = api.CreateClient();
        var feed = $"/v1/feeds/articles.rss?section={section}";
        var before = await reader.GetAsync(feed);
        Assert.Contains(pulled.Id(), await before.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        api.Clock.Advance(TimeSpan.FromMinutes(1));
        try
        {
            await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{pulled.Id()}/unpublish", pulled.Version(), new { })).AssertSuccessAsync();
            // Rendered again at once (the unpublish evicted it), most likely before the change feed holds the removal.
            Assert.DoesNotContain(pulled.Id(), await reader.GetStringAsync(feed), StringComparison.Ordinal);
            // Once the change feed records the removal, the cached feed is evicted and dated by it (before, 304 for 10 minutes).
            await Eventually.TrueAsync(async () =>
            {
                var revalidate = new HttpRequestMessage(HttpMethod.Get, feed);
                revalidate.Headers.IfModifiedSince = before.Content.Headers.LastModified;
                return (await reader.SendAsync(revalidate)).StatusCode == HttpStatusCode.OK;
            }, "a full answer to If-Modified-Since once the unpublish is in the change feed");
            Assert.True(await api.WithDbAsync(db => db.Set<ContentChange>().AnyAsync(c => c.ResourceId == Guid.Parse(pulled.Id()) && c.Op == "delete")));
        }
        finally
        {
            api.Clock.Advance(TimeSpan.FromMinutes(-1));
        }
    }

    [Fact]
    public async Task A_list_read_before_an_unpublish_and_answered_after_its_eviction_is_not_kept_in_the_cache()
    {
        await using var standby = DatabaseStandIn.For(api.ConnectionString);
        await using var node = new ReadReplicaApi(api.ConnectionString, standby.Through(api.ConnectionString));
        var editor = await node.ClientWithScopesAsync("*");
        var article = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Flint market hall closes"), body = Editorial.OneParagraph() });
        var slug = article.GetProperty("slug").GetString()!;
        var reader = node.CreateClient();
        // The read pool's connection is open before the hold, so what is held is the list's answer, not a handshake.
        Assert.Contains(slug, await reader.GetStringAsync("/v1/articles?limit=99"), StringComparison.Ordinal);

        // Only the answer carrying the story is held: an eviction (the change feed recording the publication evicts the
        // feeds) makes the node ask the standby how far it has replayed, and that answer must pass.
        var hold = standby.HoldAnswers(containing: slug);
        var before = reader.GetStringAsync("/v1/articles?limit=100");
        await hold.Holding.WaitAsync(TimeSpan.FromSeconds(10));
        // Committed and evicted while the read's answer is on its way from PostgreSQL.
        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{article.Id()}/unpublish", article.Version(), new { })).AssertSuccessAsync();
        hold.Release();
        Assert.Contains(slug, await before, StringComparison.Ordinal);

        Assert.DoesNotContain(slug, await reader.GetStringAsync("/v1/articles?limit=100"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_cached_route_varies_by_exactly_the_query_parameters_it_reads()
    {
        var paths = JsonNode.Parse(await api.CreateClient().GetStringAsync("/openapi/v1.json"))!["paths"]!;
        var cached = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<DeliveryCachePolicy>() is not null).ToList();
        Assert.Contains(cached, e => e.RoutePattern.RawText!.EndsWith("/search", StringComparison.Ordinal));
        foreach (var endpoint in cached)
        {
            var path = Regex.Replace(endpoint.RoutePattern.RawText!.Replace("//", "/", StringComparison.Ordinal), @"\{(\w+):[^}]*\}", "{$1}");
            var expected = paths[path]!["get"]!["parameters"]?.AsArray().Where(p => (string?)p!["in"] == "query").Select(p => (string)p!["name"]!).Order().ToArray() ?? [];
            var varies = endpoint.Metadata.GetMetadata<DeliveryCachePolicy>()!.QueryKeys.Select(k => k!.ToLowerInvariant()).Order();
            Assert.True(expected.Select(k => k.ToLowerInvariant()).SequenceEqual(varies), $"{path}: varies by {string.Join(',', varies)}, reads {string.Join(',', expected)}");
        }
    }

    [Theory]
    [InlineData("/v1/articles")]
    [InlineData("/v1/feeds/articles.json")]
    [InlineData("/v1/feeds/articles.rss")]
    public async Task Each_filter_value_has_its_own_cached_answer_and_an_unknown_parameter_shares_one(string route)
    {
        var editor = await api.ClientWithScopesAsync("*");
        var empty = (await editor.CreateSectionAsync()).GetProperty("slug").GetString();
        var used = (await editor.CreateSectionAsync()).GetProperty("slug").GetString();
        var headline = Editorial.Unique("Rhuddlan bridge reopens");
        await editor.CreatePublishedAsync(new { headline, body = Editorial.OneParagraph(), section = used });
        var reader = api.CreateClient();

        Assert.DoesNotContain(headline, await reader.GetStringAsync($"{route}?section={empty}"), StringComparison.Ordinal);
        Assert.Contains(headline, await reader.GetStringAsync($"{route}?section={used}"), StringComparison.Ordinal);
        Assert.DoesNotContain(headline, await reader.GetStringAsync($"{route}?section={empty}&utm_source={Guid.NewGuid():N}"), StringComparison.Ordinal);
        Assert.Contains(headline, await reader.GetStringAsync($"{route}?utm_source=feed&section={used}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Correcting_a_quote_once_changes_every_cached_article_that_uses_it()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var quote = await editor.CreateQuoteAsync("The bypass will open in 2027.");
        object Story(string headline) => new { headline = Editorial.Unique(headline), body = new object[] { new { type = "quote", quoteId = quote.Id() } } };
        var first = await editor.CreatePublishedAsync(Story("Bypass timetable"));
        var second = await editor.CreatePublishedAsync(Story("Bypass funding agreed"));
        var reader = api.CreateClient();
        foreach (var article in new[] { first, second })
        {
            Assert.Contains("2027", await reader.GetStringAsync($"/v1/articles/{article.GetProperty("slug").GetString()}"), StringComparison.Ordinal);
        }

        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/quotes/{quote.Id()}", quote.Version(),
            new { text = "The bypass will open in 2028.", speaker = new { name = "Siân Morgan", role = "Pier manager" } })).AssertSuccessAsync();

        foreach (var article in new[] { first, second })
        {
            var page = await reader.GetStringAsync($"/v1/articles/{article.GetProperty("slug").GetString()}");
            Assert.Contains("2028", page, StringComparison.Ordinal);
            Assert.DoesNotContain("2027", page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_revalidation_with_the_etag_is_a_304_and_responses_carry_cache_headers()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var section = (await editor.CreateSectionAsync()).GetProperty("slug").GetString()!;
        var article = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Denbigh castle repairs"), section, body = Editorial.OneParagraph() });
        var reader = api.CreateClient();
        var url = $"/v1/articles/{article.GetProperty("slug").GetString()}";
        var first = await reader.GetAsync(url);
        Assert.NotNull(first.Headers.ETag);
        Assert.True(first.Headers.CacheControl!.Public);
        var tags = first.Headers.GetValues("Surrogate-Key").Single().Split(' ');
        Assert.Contains($"article:{article.Id()}", tags);
        Assert.Contains($"section:{section}", tags);
        Assert.Contains($"section:{section}", (await reader.GetAsync($"/v1/articles?section={section}")).Headers.GetValues("Surrogate-Key").Single().Split(' '));
        // A filter that is not a slug is no tag: a header cannot carry what a query string can.
        Assert.DoesNotContain("section:", (await reader.GetAsync("/v1/articles?section=a%0D%0Ab")).Headers.GetValues("Surrogate-Key").Single(), StringComparison.Ordinal);

        var again = new HttpRequestMessage(HttpMethod.Get, url);
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await reader.SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task If_none_match_star_is_a_304_for_an_existing_resource_cached_or_not_and_a_404_for_a_missing_one()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var article = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Rhyl seafront lights"), body = Editorial.OneParagraph() });
        var url = $"/v1/articles/{article.GetProperty("slug").GetString()}";
        static HttpRequestMessage AnyCurrent(string path)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);
            return request;
        }

        var reader = api.CreateClient();
        // The first answer is made by the handler, the second comes from the server output cache; a keyed reader bypasses it.
        Assert.Equal(HttpStatusCode.NotModified, (await reader.SendAsync(AnyCurrent(url))).StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, (await reader.SendAsync(AnyCurrent(url))).StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, (await editor.SendAsync(AnyCurrent(url))).StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, (await reader.SendAsync(AnyCurrent("/v1/articles"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.SendAsync(AnyCurrent($"/v1/articles/no-such-story-{Guid.NewGuid():N}"))).StatusCode);
    }

    [Fact]
    public async Task A_page_larger_than_a_buffer_block_arrives_whole_with_the_etag_of_its_bytes_plain_or_compressed()
    {
        var editor = await api.ClientWithScopesAsync("*");
        // Twelve stories of ~4 KB each: with bodies the page spans several 32 KB response buffer blocks.
        var paragraph = string.Join(' ', Enumerable.Repeat("The harbour master said the new pontoons would be in place before the regatta, weather permitting.", 40));
        for (var i = 0; i < 12; i++)
        {
            await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Conwy harbour pontoons"), body = Editorial.OneParagraph(paragraph) });
        }
        // A keyed reader bypasses the server output cache, so the ETag and the 304 come from the delivery middleware.
        const string url = "/v1/articles?limit=100&include=body";
        static string ETagOf(byte[] bytes) => $"\"{Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(XxHash128.Hash(bytes))}\"";

        var plain = await editor.GetAsync(url);
        var body = await plain.Content.ReadAsByteArrayAsync();
        Assert.True(body.Length > 32 * 1024, $"the page is {body.Length} bytes");
        Assert.Equal(body.Length, plain.Content.Headers.ContentLength);
        Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("items").GetArrayLength() >= 12);
        Assert.Equal(ETagOf(body), plain.Headers.ETag!.Tag);

        var gzipRequest = new HttpRequestMessage(HttpMethod.Get, url);
        gzipRequest.Headers.AcceptEncoding.ParseAdd("gzip");
        var gzip = await editor.SendAsync(gzipRequest);
        var compressed = await gzip.Content.ReadAsByteArrayAsync();
        Assert.Equal("gzip", Assert.Single(gzip.Content.Headers.ContentEncoding));
        Assert.Equal(ETagOf(compressed), gzip.Headers.ETag!.Tag);
        using (var unzipped = new System.IO.Compression.GZipStream(new MemoryStream(compressed), System.IO.Compression.CompressionMode.Decompress))
        using (var copy = new MemoryStream())
        {
            await unzipped.CopyToAsync(copy);
            Assert.Equal(body, copy.ToArray());
        }

        var again = new HttpRequestMessage(HttpMethod.Get, url);
        again.Headers.IfNoneMatch.Add(plain.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await editor.SendAsync(again)).StatusCode);
    }
}
