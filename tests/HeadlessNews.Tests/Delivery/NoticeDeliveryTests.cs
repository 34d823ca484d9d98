using System.Net;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Delivery;

public sealed class NoticeDeliveryTests(UncachedApiFactory api) : IClassFixture<UncachedApiFactory>
{
    private static async Task<string> PublishNoticeAsync(HttpClient editor, string title, double latitude, double longitude, DateTimeOffset? effectiveTo = null)
    {
        var notice = await editor.CreateAsync("/v1/manage/notices", new
        {
            reference = Editorial.Unique("CON/2026"),
            category = "traffic_and_roads",
            title,
            body = "<p>The road will be closed for resurfacing.</p>",
            issuer = new { name = "Conwy County Borough Council" },
            location = new { description = title, postcode = "LL32 8AY", latitude, longitude },
            effectiveTo,
        });
        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/notices/{notice.Id()}/publish", notice.Version(), new { })).AssertSuccessAsync();
        return notice.Id();
    }

    [Fact]
    public async Task Notices_near_a_point_are_found_by_distance_and_expired_ones_only_on_request()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var conwy = await PublishNoticeAsync(editor, Editorial.Unique("Castle Street closure"), 53.2801, -3.8277);
        var bangor = await PublishNoticeAsync(editor, Editorial.Unique("High Street closure"), 53.2274, -4.1293);
        var expiring = await PublishNoticeAsync(editor, Editorial.Unique("Quay closure"), 53.2806, -3.8290, api.Clock.GetUtcNow().AddHours(1));
        var reader = api.CreateClient();

        var near = (await reader.GetJsonAsync("/v1/notices?near=53.2801,-3.8277&radiusKm=5&limit=100")).GetProperty("items").EnumerateArray().Select(n => n.Id()).ToList();
        Assert.Contains(conwy, near);
        Assert.Contains(expiring, near);
        Assert.DoesNotContain(bangor, near);

        try
        {
            api.Clock.Advance(TimeSpan.FromHours(2));
            var active = (await reader.GetJsonAsync("/v1/notices?near=53.2801,-3.8277&radiusKm=5&limit=100")).GetProperty("items").EnumerateArray().Select(n => n.Id()).ToList();
            Assert.DoesNotContain(expiring, active);
            var all = (await reader.GetJsonAsync("/v1/notices?near=53.2801,-3.8277&radiusKm=5&includeExpired=true&limit=100")).GetProperty("items").EnumerateArray().ToList();
            Assert.False(all.Single(n => n.Id() == expiring).GetProperty("active").GetBoolean());
        }
        finally
        {
            api.Clock.Advance(TimeSpan.FromHours(-2));
        }
    }

    [Fact]
    public async Task A_draft_notice_is_never_delivered_and_bad_geography_is_a_400()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var draft = await editor.CreateAsync("/v1/manage/notices", new
        {
            reference = Editorial.Unique("DRAFT"), category = "planning", title = "Draft only", body = "<p>Not yet.</p>",
            issuer = new { name = "Gwynedd Council" },
        });
        var reader = api.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/v1/notices/{draft.Id()}")).StatusCode);
        await (await reader.GetAsync("/v1/notices?near=abc")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await reader.GetAsync("/v1/notices?near=91,0")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await reader.GetAsync("/v1/notices?near=53,-3&radiusKm=0")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await reader.GetAsync("/v1/notices?radiusKm=5")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Empty((await reader.GetJsonAsync("/v1/notices?category=no_such_category")).GetProperty("items").EnumerateArray());
    }
}
