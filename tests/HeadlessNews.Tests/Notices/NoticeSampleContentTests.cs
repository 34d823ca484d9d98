using System.Net;
using HeadlessNews.Api.Features.Notices;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessNews.Tests.Notices;

public sealed class SeededApiFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Database:SeedSampleContent"] = "true" };
}

public sealed class NoticeSampleContentTests(SeededApiFactory api) : IClassFixture<SeededApiFactory>
{
    [Fact]
    public async Task Sample_notices_are_published_with_their_history_and_events_and_seeded_only_once()
    {
        var desk = await api.ClientWithScopesAsync("notices:write");
        var conwy = await (await desk.GetAsync("/v1/manage/notices?issuer=Conwy%20County%20Borough%20Council")).AssertSuccessAsync();
        var notices = conwy.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["planning", "traffic_and_roads"], notices.Select(n => n.GetProperty("category").GetString()).Order());
        Assert.All(notices, n => Assert.Equal("published", n.GetProperty("status").GetString()));
        Assert.All(notices, n => Assert.StartsWith("LL", n.GetProperty("location").GetProperty("postcode").GetString(), StringComparison.Ordinal));

        var history = await (await desk.GetAsync($"/v1/manage/notices/{notices[0].Id()}/revisions")).AssertSuccessAsync();
        var revision = Assert.Single(history.GetProperty("items").EnumerateArray());
        Assert.Equal("sample content", revision.GetProperty("keyName").GetString());
        var published = await api.WithDbAsync(db => db.Set<ContentEvent>().CountAsync(e => e.Type == ContentEventTypes.NoticePublished));
        var total = await api.WithDbAsync(db => db.Set<Notice>().CountAsync());
        Assert.Equal(total, published);
        Assert.Equal(NoticeSampleContent.Samples(api.Clock.GetUtcNow()).Count, total);

        foreach (var task in api.Services.GetServices<IDatabaseStartupTask>().OfType<NoticeSampleContent>())
        {
            await task.RunAsync(CancellationToken.None);
        }
        Assert.Equal(total, await api.WithDbAsync(db => db.Set<Notice>().CountAsync()));
    }

    [Fact]
    public void Every_sample_notice_passes_the_same_validation_as_the_api()
    {
        var validator = new NoticeRequestValidator();
        Assert.All(NoticeSampleContent.Samples(api.Clock.GetUtcNow()), sample => Assert.True(validator.Validate(sample).IsValid, sample.Title));
    }
}

public sealed class NoticeSampleContentOffTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_configured_database_gets_no_sample_notices_unless_asked()
    {
        var desk = await api.ClientWithScopesAsync("notices:write");
        var list = await (await desk.GetAsync("/v1/manage/notices")).AssertSuccessAsync(HttpStatusCode.OK);
        Assert.Equal(0, list.GetProperty("items").GetArrayLength());
    }
}
