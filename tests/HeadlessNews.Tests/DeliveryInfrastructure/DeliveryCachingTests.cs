using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessNews.Api.Infrastructure.Caching;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessNews.Tests.DeliveryInfrastructure;

public sealed class DeliveryCachingTests(DeliveryTestApiFactory api) : IClassFixture<DeliveryTestApiFactory>
{
    private static string Unique() => Guid.NewGuid().ToString("N")[..12];

    private static async Task<int> CallAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("call").GetInt32();
    }

    [Fact]
    public async Task An_anonymous_get_is_served_from_the_cache_until_its_tag_is_evicted()
    {
        var x = Unique();
        var client = api.CreateClient();
        Assert.Equal(1, await CallAsync(await client.GetAsync($"/v1/test-cache/{x}")));
        Assert.Equal(1, await CallAsync(await client.GetAsync($"/v1/test-cache/{x}")));
        Assert.Equal(1, api.CallsFor(x));

        await api.Services.GetRequiredService<ICacheInvalidator>().EvictAsync($"item:{x}");

        Assert.Equal(2, await CallAsync(await client.GetAsync($"/v1/test-cache/{x}")));
    }

    [Fact]
    public async Task A_hit_is_served_byte_for_byte_from_the_compressed_store()
    {
        Assert.IsType<CompressedOutputCacheStore>(api.Services.GetRequiredService<Microsoft.AspNetCore.OutputCaching.IOutputCacheStore>());
        var x = Unique();
        var client = api.CreateClient();
        var first = await (await client.GetAsync($"/v1/test-cache/{x}")).Content.ReadAsByteArrayAsync();
        var hit = await client.GetAsync($"/v1/test-cache/{x}");
        Assert.NotNull(hit.Headers.Age);
        Assert.Equal(first, await hit.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, api.CallsFor(x));
    }

    [Fact]
    public async Task Evicting_another_tag_leaves_the_entry_and_evicting_the_global_tag_flushes_it()
    {
        var x = Unique();
        var client = api.CreateClient();
        await client.GetAsync($"/v1/test-cache/{x}");
        await api.Services.GetRequiredService<ICacheInvalidator>().EvictAsync($"item:{Unique()}");
        Assert.Equal(1, await CallAsync(await client.GetAsync($"/v1/test-cache/{x}")));

        await api.Services.GetRequiredService<ICacheInvalidator>().EvictAsync(CacheTags.All);
        Assert.Equal(2, await CallAsync(await client.GetAsync($"/v1/test-cache/{x}")));
    }

    [Fact]
    public async Task Entries_vary_by_the_query_parameters_the_route_defines()
    {
        var x = Unique();
        var client = api.CreateClient();
        Assert.Equal(1, await CallAsync(await client.GetAsync($"/v1/test-cache/{x}?variant=1")));
        Assert.Equal(2, await CallAsync(await client.GetAsync($"/v1/test-cache/{x}?variant=2")));
        Assert.Equal(1, await CallAsync(await client.GetAsync($"/v1/test-cache/{x}?Variant=1")));
    }

    [Fact]
    public async Task Query_parameters_the_route_does_not_define_cannot_bypass_the_cache()
    {
        var x = Unique();
        var client = api.CreateClient();
        Assert.Equal(1, await CallAsync(await client.GetAsync($"/v1/test-cache/{x}?variant=1")));
        Assert.Equal(1, await CallAsync(await client.GetAsync($"/v1/test-cache/{x}?variant=1&x={Unique()}")));
        Assert.Equal(1, await CallAsync(await client.GetAsync($"/v1/test-cache/{x}?utm_source={Unique()}&variant=1")));
        Assert.Equal(1, api.CallsFor(x));
    }

    [Fact]
    public async Task A_delivery_response_carries_surrogate_keys_a_strong_etag_and_public_cache_control()
    {
        var response = await api.CreateClient().GetAsync($"/v1/test-cache/{Unique()}");
        Assert.Equal("public, max-age=60, stale-while-revalidate=300", response.Headers.CacheControl!.ToString());
        Assert.False(response.Headers.ETag!.IsWeak);
        var keys = response.Headers.GetValues(CacheTags.HeaderName).Single().Split(' ');
        Assert.Contains(CacheTags.All, keys);
        Assert.Contains("test-items", keys);
    }

    [Fact]
    public async Task Requests_with_an_authorization_header_are_never_cached_and_are_private()
    {
        var x = Unique();
        var partner = await api.ClientWithScopesAsync("feeds:partner");
        Assert.Equal(1, await CallAsync(await partner.GetAsync($"/v1/test-cache/{x}")));
        var second = await partner.GetAsync($"/v1/test-cache/{x}");
        Assert.Equal(2, await CallAsync(second));
        Assert.True(second.Headers.CacheControl is { Private: true, NoStore: true, Public: false });

        Assert.Equal(3, await CallAsync(await api.CreateClient().GetAsync($"/v1/test-cache/{x}")));
        Assert.Equal(4, await CallAsync(await partner.GetAsync($"/v1/test-cache/{x}")));
    }

    [Fact]
    public async Task Requests_with_a_key_query_parameter_are_never_cached_and_are_private()
    {
        var x = Unique();
        var client = api.CreateClient();
        Assert.Equal(1, await CallAsync(await client.GetAsync($"/v1/test-cache/{x}?key=abc")));
        var second = await client.GetAsync($"/v1/test-cache/{x}?key=abc");
        Assert.Equal(2, await CallAsync(second));
        Assert.True(second.Headers.CacheControl is { Private: true, NoStore: true, Public: false });
    }

    [Fact]
    public async Task If_none_match_with_the_current_etag_answers_304_from_the_cache()
    {
        var x = Unique();
        var client = api.CreateClient();
        var first = await client.GetAsync($"/v1/test-cache/{x}");
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/test-cache/{x}");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        var revalidated = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Equal(first.Headers.ETag, revalidated.Headers.ETag);
        Assert.Equal(1, api.CallsFor(x));
    }

    [Fact]
    public async Task If_none_match_answers_304_on_an_uncached_response_and_a_stale_tag_gets_the_body()
    {
        var x = Unique();
        var partner = await api.ClientWithScopesAsync("feeds:partner");
        var first = await partner.GetAsync($"/v1/test-cache/{x}");

        // Uncached, the handler now answers call=2: different bytes, so a different ETag and a full body.
        var stale = new HttpRequestMessage(HttpMethod.Get, $"/v1/test-cache/{x}");
        stale.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        var changed = await partner.SendAsync(stale);
        Assert.Equal(2, await CallAsync(changed));
        Assert.NotEqual(first.Headers.ETag, changed.Headers.ETag);

        // Make the handler produce the first answer's bytes again: the ETag matches and the answer is 304.
        api.Calls[x] = 0;
        var same = new HttpRequestMessage(HttpMethod.Get, $"/v1/test-cache/{x}");
        same.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        var notModified = await partner.SendAsync(same);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, api.CallsFor(x));
    }

    [Fact]
    public async Task Expire_at_caps_max_age_and_sets_stale_while_revalidate_to_zero()
    {
        var response = await api.CreateClient().GetAsync($"/v1/test-cache/{Unique()}?expireInSeconds=5");
        var cacheControl = response.Headers.CacheControl!;
        Assert.True(cacheControl.Public);
        // The clock keeps running while the request is handled, and max-age rounds down so it never passes the boundary.
        Assert.InRange(cacheControl.MaxAge!.Value, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(5));
        Assert.Equal("0", Assert.Single(cacheControl.Extensions, e => e.Name == "stale-while-revalidate").Value);
    }

    [Fact]
    public async Task Stale_while_revalidate_ends_at_the_boundary()
    {
        var response = await api.CreateClient().GetAsync($"/v1/test-cache/{Unique()}?expireInSeconds=100");
        var cacheControl = response.Headers.CacheControl!;
        Assert.Equal(TimeSpan.FromSeconds(60), cacheControl.MaxAge);
        var grace = int.Parse(Assert.Single(cacheControl.Extensions, e => e.Name == "stale-while-revalidate").Value!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(grace, 39, 40);
    }

    [Fact]
    public async Task A_boundary_later_than_max_age_leaves_the_default_cache_control()
    {
        var response = await api.CreateClient().GetAsync($"/v1/test-cache/{Unique()}?expireInSeconds=3600");
        Assert.Equal("public, max-age=60, stale-while-revalidate=300", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task The_server_entry_does_not_outlive_the_declared_boundary()
    {
        var x = Unique();
        var client = api.CreateClient();
        Assert.Equal(1, await CallAsync(await client.GetAsync($"/v1/test-cache/{x}?expireInSeconds=1")));
        Assert.Equal(1, await CallAsync(await client.GetAsync($"/v1/test-cache/{x}?expireInSeconds=1")));
        await Task.Delay(TimeSpan.FromMilliseconds(1300));
        Assert.Equal(2, await CallAsync(await client.GetAsync($"/v1/test-cache/{x}?expireInSeconds=1")));
    }

    [Fact]
    public async Task An_answer_whose_boundary_has_passed_is_not_cached_and_has_max_age_zero()
    {
        var x = Unique();
        var client = api.CreateClient();
        var first = await client.GetAsync($"/v1/test-cache/{x}?expireInSeconds=-5");
        Assert.Equal("public, max-age=0, stale-while-revalidate=0", first.Headers.CacheControl!.ToString());
        Assert.Equal(2, await CallAsync(await client.GetAsync($"/v1/test-cache/{x}?expireInSeconds=-5")));
    }

    [Fact]
    public async Task Brotli_is_used_when_the_client_accepts_it_and_cached_per_encoding()
    {
        var x = Unique();
        var client = api.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/test-cache/{x}");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));
        var compressed = await client.SendAsync(request);
        Assert.Equal("br", Assert.Single(compressed.Content.Headers.ContentEncoding));
        var bytes = await compressed.Content.ReadAsByteArrayAsync();
        await using var brotli = new System.IO.Compression.BrotliStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress);
        var json = await JsonSerializer.DeserializeAsync<JsonElement>(brotli);
        Assert.Equal(x, json.GetProperty("x").GetString());

        var plain = await client.GetAsync($"/v1/test-cache/{x}");
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        Assert.NotEqual(compressed.Headers.ETag, plain.Headers.ETag);
        Assert.True(bytes.Length < (await plain.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task Problem_responses_are_compressed_with_gzip()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/manage/api-keys");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        var response = await api.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
    }
}
