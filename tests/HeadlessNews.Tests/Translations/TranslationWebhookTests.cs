using System.Text.Json;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using HeadlessNews.Tests.Webhooks;
using static HeadlessNews.Tests.Webhooks.WebhookTestKit;

namespace HeadlessNews.Tests.Translations;

public sealed class TranslationWebhookTests(WebhookApi api) : IClassFixture<WebhookApi>
{
    [Fact]
    public async Task A_webhook_for_a_published_edition_names_its_language()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var editor = await api.ClientWithScopesAsync("*");
        await CreateWebhookAsync(editor, receiver.Url, ContentEventTypes.ArticlePublished);
        var english = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Bala lake festival"), body = Editorial.OneParagraph() });
        var welsh = await (await editor.PostJsonAsync($"/v1/manage/articles/{english.Id()}/translations", new { language = "cy", headline = Editorial.Unique("Gŵyl llyn Bala") }))
            .AssertSuccessAsync(System.Net.HttpStatusCode.Created);
        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{welsh.Id()}/publish", welsh.Version(), new { })).AssertSuccessAsync();

        JsonElement DataFor(string id) => receiver.Received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data"))
            .FirstOrDefault(d => d.GetProperty("id").GetString() == id);
        await Eventually.TrueAsync(() => DataFor(welsh.Id()).ValueKind != JsonValueKind.Undefined && DataFor(english.Id()).ValueKind != JsonValueKind.Undefined, "both editions' events");

        Assert.Equal("cy", DataFor(welsh.Id()).GetProperty("language").GetString());
        Assert.Equal("en-GB", DataFor(english.Id()).GetProperty("language").GetString());
    }

    [Fact]
    public async Task Creating_and_editing_a_Welsh_draft_announces_nothing_until_it_is_published()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var editor = await api.ClientWithScopesAsync("*");
        await CreateWebhookAsync(editor, receiver.Url, ContentEventTypes.ArticlePublished, ContentEventTypes.ArticleUpdated);
        var english = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Llandudno pier"), body = Editorial.OneParagraph() });
        var welsh = await (await editor.PostJsonAsync($"/v1/manage/articles/{english.Id()}/translations", new { language = "cy", headline = Editorial.Unique("Pier Llandudno") }))
            .AssertSuccessAsync(System.Net.HttpStatusCode.Created);
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{welsh.Id()}", welsh.Version(),
            new { headline = Editorial.Unique("Pier Llandudno ar agor"), body = Editorial.OneParagraph("Mae'r pier ar agor."), language = "cy" })).AssertSuccessAsync();
        // Events go out in order: once this later one has arrived, any about the draft would have too.
        var marker = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Conwy marker"), body = Editorial.OneParagraph() });

        bool Mentions(string id) => receiver.Received.Any(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("id").GetString() == id);
        await Eventually.TrueAsync(() => Mentions(marker.Id()), "the later story's event");

        Assert.False(Mentions(welsh.Id()));
    }
}
