using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessNews.Api.Features.Tips;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Tips;

public sealed class TipIntakeTests(TipsApiFactory api) : IClassFixture<TipsApiFactory>
{
    [Fact]
    public async Task A_reader_sends_a_tip_and_reads_the_newsroom_s_reply_with_the_receipt_only()
    {
        var reader = api.CreateClient();
        var marker = Guid.NewGuid().ToString("N");
        var receipt = await TipTestKit.SubmitAsync(reader, $"The footbridge at Betws-y-Coed is cracked {marker}", contact: "a reader");
        Assert.Matches("^[a-z]+(-[a-z]+){7,}$", receipt);

        var newsroom = await api.ClientWithScopesAsync("tips:manage");
        var id = await TipTestKit.FindIdAsync(newsroom, marker);
        await (await newsroom.PostAsJsonAsync($"/v1/manage/tips/{id}/messages", new { text = "Thank you: can you send a photo?" })).AssertSuccessAsync(HttpStatusCode.Created);

        var conversation = await (await reader.SendAsync(TipTestKit.WithReceipt(HttpMethod.Get, "/v1/tips/messages", receipt.ToUpperInvariant().Replace('-', ' ')))).AssertSuccessAsync();
        var messages = conversation.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["reader", "newsroom"], messages.Select(m => m.GetProperty("from").GetString()));
        Assert.Equal("Thank you: can you send a photo?", messages[1].GetProperty("text").GetString());
        Assert.Equal(0, messages[1].GetProperty("at").GetDateTimeOffset().Minute);

        await (await reader.SendAsync(TipTestKit.WithReceipt(HttpMethod.Post, "/v1/tips/messages", receipt, new { message = "Sending it now." }))).AssertSuccessAsync(HttpStatusCode.Created);
        var tip = await (await newsroom.GetAsync($"/v1/manage/tips/{id}")).AssertSuccessAsync();
        Assert.Equal("Sending it now.", tip.GetProperty("messages")[2].GetProperty("text").GetString());
        Assert.Equal("a reader", tip.GetProperty("contact").GetString());
    }

    [Fact]
    public async Task The_message_limit_counts_characters_so_an_emoji_counts_once()
    {
        var reader = api.CreateClient();
        var limit = new TipsOptions().MaxMessageLength;
        await TipTestKit.SubmitAsync(reader, string.Concat(Enumerable.Repeat("\U0001F600", limit)));

        var altcha = await TipTestKit.SolveAsync(reader);
        var problem = await (await reader.PostAsJsonAsync("/v1/tips", new { message = string.Concat(Enumerable.Repeat("\U0001F600", limit + 1)), altcha }))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal($"message is required, at most {limit} characters (Unicode code points: an emoji is one).",
            problem.GetProperty("errors").GetProperty("message")[0].GetString());
    }

    [Fact]
    public async Task A_wrong_receipt_is_a_404_for_reading_and_writing()
    {
        var reader = api.CreateClient();
        var guess = string.Join('-', Enumerable.Repeat(ReceiptPhrases.Words[0], ReceiptPhrases.WordCount));
        await (await reader.SendAsync(TipTestKit.WithReceipt(HttpMethod.Get, "/v1/tips/messages", guess))).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await reader.SendAsync(TipTestKit.WithReceipt(HttpMethod.Post, "/v1/tips/messages", guess, new { message = "hello" }))).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await reader.GetAsync("/v1/tips/messages")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_receipt_phrase_carries_at_least_80_bits_from_a_list_of_distinct_plain_words()
    {
        Assert.True(ReceiptPhrases.Bits >= 80, $"{ReceiptPhrases.Bits} bits");
        Assert.Equal(2048, ReceiptPhrases.Words.Count);
        Assert.All(ReceiptPhrases.Words, w => Assert.Matches("^[a-z]{3,9}$", w));
    }

    [Fact]
    public async Task A_replayed_solution_is_refused_with_400()
    {
        var reader = api.CreateClient();
        var altcha = await TipTestKit.SolveAsync(reader);
        await (await reader.PostAsJsonAsync("/v1/tips", new { message = "First use", altcha })).AssertSuccessAsync(HttpStatusCode.Accepted);
        var replay = await (await reader.PostAsJsonAsync("/v1/tips", new { message = "Second use", altcha })).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("already been used", replay.GetProperty("errors").GetProperty("altcha")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_expired_or_missing_solution_is_refused_and_stores_nothing()
    {
        var reader = api.CreateClient();
        var before = await TipTestKit.CountTipsAsync(api);
        var challenge = await (await reader.GetAsync("/v1/tips/challenge")).AssertSuccessAsync();
        Assert.Equal("SHA-256", challenge.GetProperty("algorithm").GetString());
        Assert.Equal(1000, challenge.GetProperty("maxnumber").GetInt32());
        Assert.Matches(@"^[0-9a-f]{24}\?expires=[0-9]+&$", challenge.GetProperty("salt").GetString());

        var solved = await TipTestKit.SolveAsync(reader);
        var solution = JsonDocument.Parse(Convert.FromBase64String(solved)).RootElement;
        var salt = solution.GetProperty("salt").GetString()!;
        var number = solution.GetProperty("number").GetInt64();
        var forged = new List<string?> { null, "", "not base64!", Convert.ToBase64String("{}"u8.ToArray()), TipTestKit.Altcha(challenge, 1_000_001) };
        var digits = number.ToString(CultureInfo.InvariantCulture);
        if (digits.Length > 1)
        {
            // Moving the number's first digit into the salt keeps the hash, and would push the expiry out if it were accepted.
            forged.Add(TipTestKit.Altcha(solution, long.Parse(digits[1..], CultureInfo.InvariantCulture), salt + digits[0]));
        }
        foreach (var altcha in forged)
        {
            await (await reader.PostAsJsonAsync("/v1/tips", new { message = "Forged", altcha })).AssertProblemAsync(HttpStatusCode.BadRequest);
        }

        api.Clock.Advance(TimeSpan.FromHours(1));
        try
        {
            await (await reader.PostAsJsonAsync("/v1/tips", new { message = "Too late", altcha = solved })).AssertProblemAsync(HttpStatusCode.BadRequest);
        }
        finally
        {
            api.Clock.Advance(TimeSpan.FromHours(-1));
        }
        Assert.Equal(before, await TipTestKit.CountTipsAsync(api));
    }

    [Fact]
    public async Task A_thousand_bot_submissions_without_valid_proof_store_nothing()
    {
        var bot = api.CreateClient();
        var before = await TipTestKit.CountTipsAsync(api);
        var challenge = await (await bot.GetAsync("/v1/tips/challenge")).AssertSuccessAsync();
        var statuses = new List<HttpStatusCode>();
        using var gate = new SemaphoreSlim(8);
        await Task.WhenAll(Enumerable.Range(0, 1000).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                // Guesses at the number, made-up payloads and none at all, as spam robots send them.
                object body = (i % 3) switch
                {
                    0 => new { message = $"Cheap pills {i}", altcha = TipTestKit.Altcha(challenge, i) },
                    1 => new { message = $"Cheap pills {i}", altcha = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new { algorithm = "SHA-256", challenge = "00", number = i, salt = "x", signature = "00" })) },
                    _ => new { message = $"Cheap pills {i}" },
                };
                var response = await bot.PostAsJsonAsync("/v1/tips", body);
                lock (statuses)
                {
                    statuses.Add(response.StatusCode);
                }
            }
            finally
            {
                gate.Release();
            }
        }));

        // One of the guesses at the number may be right by chance: that one is a valid proof and is accepted once.
        Assert.True(statuses.Count(s => s == HttpStatusCode.Accepted) <= 1);
        Assert.Equal(statuses.Count(s => s == HttpStatusCode.Accepted), await TipTestKit.CountTipsAsync(api) - before);
        Assert.All(statuses.Where(s => s != HttpStatusCode.Accepted), s => Assert.Equal(HttpStatusCode.BadRequest, s));
    }

    [Fact]
    public async Task The_honeypot_is_answered_like_a_success_and_stores_nothing()
    {
        var bot = api.CreateClient();
        var before = await TipTestKit.CountTipsAsync(api);
        var altcha = await TipTestKit.SolveAsync(bot);
        var answer = await (await bot.PostAsJsonAsync("/v1/tips", new { message = "Buy now", altcha, website = "https://spam.example" })).AssertSuccessAsync(HttpStatusCode.Accepted);
        var receipt = answer.GetProperty("receipt").GetString()!;
        Assert.Equal(before, await TipTestKit.CountTipsAsync(api));
        await (await bot.SendAsync(TipTestKit.WithReceipt(HttpMethod.Get, "/v1/tips/messages", receipt))).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Everything_under_tips_is_no_store_and_cors_lets_a_site_send_the_receipt_header()
    {
        var reader = api.CreateClient();
        var challenge = await reader.GetAsync("/v1/tips/challenge");
        Assert.True(challenge.Headers.CacheControl?.NoStore);
        var missing = await reader.GetAsync("/v1/tips/messages");
        Assert.True(missing.Headers.CacheControl?.NoStore);

        var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/tips/messages");
        preflight.Headers.Add("Origin", TipTestKit.Origin);
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "tip-receipt");
        var allowed = await reader.SendAsync(preflight);
        Assert.Equal(TipTestKit.Origin, allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("tip-receipt", string.Join(',', allowed.Headers.GetValues("Access-Control-Allow-Headers")), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_message_that_is_empty_or_too_long_is_a_validation_problem()
    {
        var reader = api.CreateClient();
        var altcha = await TipTestKit.SolveAsync(reader);
        await (await reader.PostAsJsonAsync("/v1/tips", new { message = " ", altcha })).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await reader.PostAsJsonAsync("/v1/tips", new { message = new string('a', 20_001), altcha })).AssertProblemAsync(HttpStatusCode.BadRequest);
        using var notJson = new StringContent("{", System.Text.Encoding.UTF8, "application/json");
        await (await reader.PostAsync("/v1/tips", notJson)).AssertProblemAsync(HttpStatusCode.BadRequest);
        using var brokenForm = new StringContent("{\"message\": \"hi\"}", System.Text.Encoding.UTF8);
        brokenForm.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=x");
        await (await reader.PostAsync("/v1/tips", brokenForm)).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("{\"message\": 42, \"altcha\": \"x\"}", "message")]
    [InlineData("{\"message\": \"Flooding on\\u0000 the A55\", \"altcha\": \"x\"}", "message")]
    [InlineData("{\"message\": \"Flooding\", \"contact\": [\"a\"], \"altcha\": \"x\"}", "contact")]
    public async Task A_field_of_the_wrong_type_or_with_a_nul_is_a_400_naming_the_field_as_every_other_route_does(string body, string field)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var problem = await (await api.CreateClient().PostAsync("/v1/tips", content)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }
}
