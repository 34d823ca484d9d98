using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using HeadlessNews.Api.Features.Tips;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessNews.Tests.Tips;

/// <summary>Its own database: the test moves the clock 91 days on.</summary>
public sealed class TipRetentionApiFactory : TipsApiFactory;

public sealed class TipRetentionTests(TipRetentionApiFactory api) : IClassFixture<TipRetentionApiFactory>
{
    [Fact]
    public async Task Tips_are_destroyed_90_days_after_their_last_activity_unless_linked_and_kept_and_only_a_daily_count_remains()
    {
        var newsroom = await api.ClientWithScopesAsync("tips:manage", "content:write");
        var marker = Guid.NewGuid().ToString("N");
        var oldReceipt = await TipTestKit.SubmitAsync(api.CreateClient(), $"Old tip {marker}");
        await TipTestKit.SubmitAsync(api.CreateClient(), $"Kept tip {marker}");
        await TipTestKit.SubmitAsync(api.CreateClient(), $"Linked but not kept {marker}");
        var old = await TipTestKit.FindIdAsync(newsroom, $"Old tip {marker}");
        var kept = await TipTestKit.FindIdAsync(newsroom, $"Kept tip {marker}");
        var linked = await TipTestKit.FindIdAsync(newsroom, $"Linked but not kept {marker}");
        var article = await newsroom.CreateArticleAsync(new { headline = $"From a tip {marker}" });
        foreach (var (id, keep) in new[] { (kept, true), (linked, false) })
        {
            var update = new HttpRequestMessage(HttpMethod.Put, $"/v1/manage/tips/{id}")
            {
                Content = JsonContent.Create(new { status = "triaged", articleId = article.GetProperty("id").GetString(), keep }),
            };
            update.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
            await (await newsroom.SendAsync(update)).AssertSuccessAsync();
        }

        var retention = api.Services.GetRequiredService<TipRetention>();
        api.Clock.Advance(TimeSpan.FromDays(89));
        Assert.Equal(0, await retention.PurgeAsync(CancellationToken.None) ?? 0);
        await (await newsroom.GetAsync($"/v1/manage/tips/{old}")).AssertSuccessAsync();

        api.Clock.Advance(TimeSpan.FromDays(2));
        var purged = await retention.PurgeAsync(CancellationToken.None);
        Assert.True(purged >= 2, $"purged {purged}");
        Assert.Null(await retention.PurgeAsync(CancellationToken.None));

        await (await newsroom.GetAsync($"/v1/manage/tips/{old}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await newsroom.GetAsync($"/v1/manage/tips/{linked}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await newsroom.GetAsync($"/v1/manage/tips/{kept}")).AssertSuccessAsync();
        await (await api.CreateClient().SendAsync(TipTestKit.WithReceipt(HttpMethod.Get, "/v1/tips/messages", oldReceipt))).AssertProblemAsync(HttpStatusCode.NotFound);
        var gone = new[] { Guid.Parse(old), Guid.Parse(linked) };
        Assert.Equal(0, await api.WithDbAsync(db => db.Set<TipMessage>().CountAsync(m => gone.Contains(m.TipId))));
        var today = DateOnly.FromDateTime(api.Clock.GetUtcNow().UtcDateTime);
        Assert.Equal(purged, await api.WithDbAsync(db => db.Set<TipPurge>().Where(p => p.Day == today).Select(p => p.Purged).SingleAsync()));
    }
}
