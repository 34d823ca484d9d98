using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Tips;

/// <summary>The API with its own tips key ring (a temporary folder) and an easy challenge, so tests solve it at once.</summary>
public class TipsApiFactory : ApiFactory
{
    public string KeyRingPath { get; } = Directory.CreateTempSubdirectory("hn-tips-keys-").FullName;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Tips:KeyRingPath"] = KeyRingPath,
        ["Tips:Challenge:MaxNumber"] = "1000",
        ["Cors:Origins"] = TipTestKit.Origin,
        // The media library's pixel limit, which tips share, low enough for a small test file to pass it.
        ["Media:MaxPixels"] = "1000000",
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(KeyRingPath, recursive: true);
        GC.SuppressFinalize(this);
    }
}

/// <summary>The tips API on real Kestrel, which enforces body limits on chunked bodies, with attachments of at most 64 KiB.</summary>
public sealed class KestrelTipsApiFactory : TipsApiFactory
{
    public KestrelTipsApiFactory() => UseKestrel(0);

    protected override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?>(base.Settings) { ["Tips:MaxAttachmentBytes"] = "65536" };
}

public static class TipTestKit
{
    public const string Origin = "https://news.example.cymru";

    /// <summary>Fetches a challenge and solves it as the altcha widget does: the base64 JSON it submits.</summary>
    public static async Task<string> SolveAsync(HttpClient client)
    {
        var challenge = await (await client.GetAsync("/v1/tips/challenge")).AssertSuccessAsync();
        var salt = challenge.GetProperty("salt").GetString()!;
        var target = challenge.GetProperty("challenge").GetString()!;
        var max = challenge.GetProperty("maxnumber").GetInt32();
        var number = Enumerable.Range(0, max + 1).First(n =>
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(salt + n.ToString(CultureInfo.InvariantCulture)))) == target);
        return Altcha(challenge, number);
    }

    public static string Altcha(JsonElement challenge, long number, string? salt = null) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new
        {
            algorithm = challenge.GetProperty("algorithm").GetString(),
            challenge = challenge.GetProperty("challenge").GetString(),
            number,
            salt = salt ?? challenge.GetProperty("salt").GetString(),
            signature = challenge.GetProperty("signature").GetString(),
        }));

    /// <summary>Sends a text tip with a fresh solution and returns the receipt.</summary>
    public static async Task<string> SubmitAsync(HttpClient client, string message, string? name = null, string? contact = null)
    {
        var altcha = await SolveAsync(client);
        var accepted = await (await client.PostAsJsonAsync("/v1/tips", new { message, name, contact, altcha })).AssertSuccessAsync(HttpStatusCode.Accepted);
        return accepted.GetProperty("receipt").GetString()!;
    }

    /// <summary>The tip's id, found from the newsroom's side by its first message (decrypted), so tests never rely on list order.</summary>
    public static async Task<string> FindIdAsync(HttpClient newsroom, string messageMarker)
    {
        string? cursor = null;
        do
        {
            var page = await (await newsroom.GetAsync("/v1/manage/tips?limit=100" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)))).AssertSuccessAsync();
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                var id = item.GetProperty("id").GetString()!;
                var tip = await (await newsroom.GetAsync($"/v1/manage/tips/{id}")).AssertSuccessAsync();
                if (tip.GetProperty("messages")[0].GetProperty("text").GetString()!.Contains(messageMarker, StringComparison.Ordinal))
                {
                    return id;
                }
            }
            cursor = page.GetProperty("next").GetString();
        }
        while (cursor is not null);
        throw new InvalidOperationException($"No tip says {messageMarker}.");
    }

    public static HttpRequestMessage WithReceipt(HttpMethod method, string url, string receipt, object? body = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("Tip-Receipt", receipt);
        return request;
    }

    /// <summary>A value as the dump may show it: itself, or its UTF-8 bytes in hex (bytea).</summary>
    public static string[] Forms(string value) => [value, Convert.ToHexStringLower(Encoding.UTF8.GetBytes(value))];

    public static Task<int> CountTipsAsync(ApiFactory api) => api.WithDbAsync(db => db.Set<HeadlessNews.Api.Features.Tips.Tip>().CountAsync());
}
