using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HeadlessNews.Api.Features.Notices;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Notices;

public sealed class NoticeGeographyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const double OriginLatitude = 53.3285;
    private const double OriginLongitude = -3.8250;

    private static JsonObject At(string issuer, string reference, double latitude, double longitude)
    {
        var request = NoticeRequests.Valid(issuer);
        request["reference"] = reference;
        request["location"] = new JsonObject { ["description"] = reference, ["latitude"] = latitude, ["longitude"] = longitude };
        return request;
    }

    [Fact]
    public async Task Near_finds_notices_within_the_radius_and_not_those_in_the_corners_of_its_bounding_box()
    {
        var desk = await api.ClientWithScopesAsync("notices:write");
        var issuer = NoticeRequests.UniqueIssuer("Geography council");
        await desk.CreateAsync(At(issuer, "one km north", OriginLatitude + 0.009, OriginLongitude));
        await desk.CreateAsync(At(issuer, "four and a half km east", OriginLatitude, OriginLongitude + 0.0677));
        await desk.CreateAsync(At(issuer, "box corner six km north-east", OriginLatitude + 0.040, OriginLongitude + 0.066));
        await desk.CreateAsync(At(issuer, "Bangor", 53.2274, -4.1293));
        var unplaced = NoticeRequests.Valid(issuer);
        unplaced.Remove("location");
        await desk.CreateAsync(unplaced);

        var near = await api.WithDbAsync(db => db.Set<Notice>().Where(n => n.IssuerName == issuer)
            .Near(OriginLatitude, OriginLongitude, 5).Select(n => n.Reference).OrderBy(r => r).ToListAsync());
        Assert.Equal(["four and a half km east", "one km north"], near);

        var wider = await api.WithDbAsync(db => db.Set<Notice>().Where(n => n.IssuerName == issuer)
            .Near(OriginLatitude, OriginLongitude, 25).CountAsync());
        Assert.Equal(4, wider);
    }

    [Fact]
    public async Task Active_means_published_and_inside_the_effective_window_exactly_at_its_edges()
    {
        var desk = await api.ClientWithScopesAsync("notices:write");
        var issuer = NoticeRequests.UniqueIssuer("Active council");
        var now = NoticeMapping.AsStored(api.Clock.GetUtcNow().AddDays(30));

        async Task<string> CreateAsync(string reference, DateTimeOffset? from, DateTimeOffset? to, params string[] actions)
        {
            var request = NoticeRequests.Valid(issuer);
            request["reference"] = reference;
            request["effectiveFrom"] = from;
            request["effectiveTo"] = to;
            var notice = await desk.CreateAsync(request);
            var version = 1;
            foreach (var action in actions)
            {
                await desk.WorkflowAsync(notice.Id(), action, version++);
            }
            return reference;
        }

        await CreateAsync("open-ended", null, null, "publish");
        await CreateAsync("starts now", now, now.AddDays(1), "publish");
        await CreateAsync("ends just after now", now.AddDays(-1), now.AddTicks(10), "publish");
        await CreateAsync("ends now", now.AddDays(-1), now, "publish");
        await CreateAsync("starts later", now.AddTicks(10), null, "publish");
        await CreateAsync("draft", null, null);
        await CreateAsync("withdrawn", null, null, "publish", "withdraw");

        var active = await api.WithDbAsync(db => db.Set<Notice>().Where(n => n.IssuerName == issuer)
            .Active(now).Select(n => n.Reference).OrderBy(r => r).ToListAsync());
        Assert.Equal(["ends just after now", "open-ended", "starts now"], active);
    }

    [Fact]
    public async Task Near_refuses_coordinates_out_of_range_and_a_non_positive_radius()
    {
        await api.WithDbAsync(db =>
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => db.Set<Notice>().Near(91, 0, 5));
            Assert.Throws<ArgumentOutOfRangeException>(() => db.Set<Notice>().Near(0, 181, 5));
            Assert.Throws<ArgumentOutOfRangeException>(() => db.Set<Notice>().Near(0, 0, 0));
            return Task.FromResult(0);
        });
    }
}
