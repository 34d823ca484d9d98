using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using HeadlessNews.Tests.Reliability;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HeadlessNews.Tests.Tips;

/// <summary>The tips API with every log category at Trace, captured in memory.</summary>
public sealed class LogCapturingTipsApiFactory : TipsApiFactory
{
    public CapturingLoggerProvider Logs { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?>(base.Settings.Concat(LogCapturingApiFactory.TraceEverything));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(Logs));
    }
}

public sealed class TipPrivacyTests(LogCapturingTipsApiFactory api) : IClassFixture<LogCapturingTipsApiFactory>
{
    [Fact]
    public async Task No_address_user_agent_cookie_or_receipt_is_stored_logged_or_written_to_a_file()
    {
        var marker = Guid.NewGuid().ToString("N")[..12];
        var (agent, cookie, address) = ($"TipperPhone-{marker}", $"sess{marker}", "203.0.113.77");
        var reader = api.CreateClient();
        reader.DefaultRequestHeaders.UserAgent.ParseAdd(agent);
        reader.DefaultRequestHeaders.Add("Cookie", $"session={cookie}");
        reader.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        reader.DefaultRequestHeaders.Add("X-Real-IP", address);
        var receipt = await TipTestKit.SubmitAsync(reader, $"Fly-tipping behind the leisure centre {marker}");
        await (await reader.SendAsync(TipTestKit.WithReceipt(HttpMethod.Post, "/v1/tips/messages", receipt, new { message = $"More {marker}" }))).AssertSuccessAsync(HttpStatusCode.Created);
        await (await reader.SendAsync(TipTestKit.WithReceipt(HttpMethod.Get, "/v1/tips/messages", receipt))).AssertSuccessAsync();
        await (await reader.SendAsync(TipTestKit.WithReceipt(HttpMethod.Get, "/v1/tips/messages", receipt + "-wrong"))).AssertProblemAsync(HttpStatusCode.NotFound);
        var newsroom = await api.ClientWithScopesAsync("tips:read");
        var id = await TipTestKit.FindIdAsync(newsroom, marker);

        var dump = await DatabaseDump.DumpAsync(api.ConnectionString);
        Assert.Contains(id, dump, StringComparison.Ordinal);
        var words = receipt.Split('-');
        var logs = string.Join('\n', api.Logs.Entries.Select(e => e.Text));
        var files = string.Join('\n', Directory.EnumerateFiles(api.KeyRingPath, "*", SearchOption.AllDirectories).Select(File.ReadAllText));
        foreach (var secret in new[] { agent, cookie, address, receipt, string.Join(' ', words), string.Join('-', words[1..]) })
        {
            foreach (var form in TipTestKit.Forms(secret))
            {
                Assert.DoesNotContain(form, dump, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(form, logs, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(form, files, StringComparison.OrdinalIgnoreCase);
            }
        }
        Assert.Contains(api.Logs.Entries, e => e.Message.Contains("/v1/tips/messages", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_database_dump_reveals_no_text_contact_reply_note_or_attachment_of_a_tip()
    {
        var marker = Guid.NewGuid().ToString("N")[..12];
        var (message, name, contact, attachment) = ($"The councillor took a bribe {marker}", $"Gwen {marker}", $"gwen-{marker}@example.org", $"Minutes of the meeting {marker}");
        var reader = api.CreateClient();
        using var form = new MultipartFormDataContent
        {
            { new StringContent(message), "message" },
            { new StringContent(name), "name" },
            { new StringContent(contact), "contact" },
            { new StringContent(await TipTestKit.SolveAsync(reader)), "altcha" },
        };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(attachment));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        form.Add(file, "attachments", $"minutes-{marker}.txt");
        await (await reader.PostAsync("/v1/tips", form)).AssertSuccessAsync(HttpStatusCode.Accepted);
        var newsroom = await api.ClientWithScopesAsync("tips:manage");
        var id = await TipTestKit.FindIdAsync(newsroom, marker);
        var reply = $"We are looking into it {marker}";
        var note = $"Check with the clerk {marker}";
        await (await newsroom.PostAsJsonAsync($"/v1/manage/tips/{id}/messages", new { text = reply })).AssertSuccessAsync(HttpStatusCode.Created);
        var update = new HttpRequestMessage(HttpMethod.Put, $"/v1/manage/tips/{id}") { Content = JsonContent.Create(new { status = "triaged", notes = note }) };
        update.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
        await (await newsroom.SendAsync(update)).AssertSuccessAsync();

        var tip = await (await newsroom.GetAsync($"/v1/manage/tips/{id}")).AssertSuccessAsync();
        Assert.Equal(contact, tip.GetProperty("contact").GetString());
        Assert.Equal(note, tip.GetProperty("notes").GetString());
        var stored = await newsroom.GetStringAsync(tip.GetProperty("attachments")[0].GetProperty("url").GetString());
        Assert.Equal(attachment, stored);

        var dump = await DatabaseDump.DumpAsync(api.ConnectionString);
        Assert.Contains(id, dump, StringComparison.Ordinal);
        foreach (var plain in new[] { marker, message, name, contact, attachment, reply, note })
        {
            foreach (var shown in TipTestKit.Forms(plain))
            {
                Assert.DoesNotContain(shown, dump, StringComparison.OrdinalIgnoreCase);
            }
        }
    }
}
