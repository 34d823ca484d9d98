using System.Net;
using System.Net.Http.Headers;
using System.Text;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Features.Tips;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NetVips;

namespace HeadlessNews.Tests.Tips;

public sealed class TipAttachmentTests(TipsApiFactory api) : IClassFixture<TipsApiFactory>
{
    private async Task<HttpResponseMessage> SubmitWithAsync(string marker, params byte[][] files)
    {
        var reader = api.CreateClient();
        return await SendAsync(reader, await TipTestKit.SolveAsync(reader), marker, files);
    }

    internal static async Task<HttpResponseMessage> SendAsync(
        HttpClient reader, string altcha, string marker, byte[][] files, CancellationToken cancellationToken = default)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent($"See attached {marker}"), "message" },
            { new StringContent(altcha), "altcha" },
        };
        foreach (var (file, i) in files.Select((f, i) => (f, i)))
        {
            var part = new ByteArrayContent(file);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "attachments", $"file{i}.bin");
        }
        return await reader.PostAsync("/v1/tips", form, cancellationToken);
    }

    /// <summary>Transactions that have written and wait for their client, in this class's database.</summary>
    private Task<int> WritingTransactionsIdleAsync() => api.WithDbAsync(db => db.Database.SqlQueryRaw<int>(
        """
        SELECT count(*)::int AS "Value" FROM pg_stat_activity
         WHERE datname = current_database() AND state = 'idle in transaction' AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()
        """).SingleAsync());

    private Task<int> CountAttachmentsAsync() => api.WithDbAsync(db => db.Set<TipAttachment>().CountAsync());

    private async Task<byte[]> StoredAttachmentAsync(string marker)
    {
        var newsroom = await api.ClientWithScopesAsync("tips:read");
        var tip = await (await newsroom.GetAsync($"/v1/manage/tips/{await TipTestKit.FindIdAsync(newsroom, marker)}")).AssertSuccessAsync();
        return await newsroom.GetByteArrayAsync(tip.GetProperty("attachments")[0].GetProperty("url").GetString());
    }

    /// <summary>A JPEG with a comment, an EXIF block and an XMP packet, each naming <paramref name="secret"/>.</summary>
    private static byte[] JpegWithMetadata(string secret)
    {
        using var image = Image.Black(32, 24) + 128;
        var plain = image.Cast(Enums.BandFormat.Uchar).WriteToBuffer(".jpg");
        static byte[] Segment(byte marker, byte[] payload) =>
            [0xFF, marker, (byte)((payload.Length + 2) >> 8), (byte)((payload.Length + 2) & 0xFF), .. payload];
        var exif = Segment(0xE1, [.. "Exif\0\0MM\0*\0\0\0\x08\0\0\0\0\0\0"u8, .. Encoding.ASCII.GetBytes($"GPS 53.22N 4.13W {secret}")]);
        var xmp = Segment(0xE1, [.. "http://ns.adobe.com/xap/1.0/\0"u8, .. Encoding.UTF8.GetBytes($"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><dc:creator>{secret}</dc:creator></x:xmpmeta>")]);
        var comment = Segment(0xFE, Encoding.ASCII.GetBytes($"Shot by {secret}"));
        return [.. plain[..2], .. exif, .. xmp, .. comment, .. plain[2..]];
    }

    [Fact]
    public async Task An_image_is_re_encoded_without_its_exif_xmp_gps_or_comment()
    {
        var marker = Guid.NewGuid().ToString("N");
        var secret = "Owner" + marker[..8];
        await (await SubmitWithAsync(marker, JpegWithMetadata(secret))).AssertSuccessAsync(HttpStatusCode.Accepted);

        var stored = await StoredAttachmentAsync(marker);
        Assert.Equal([0xFF, 0xD8], stored[..2]);
        var text = Encoding.Latin1.GetString(stored);
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exif", text, StringComparison.Ordinal);
        Assert.DoesNotContain("adobe", text, StringComparison.Ordinal);
        using var decoded = Image.NewFromBuffer(stored);
        Assert.Equal(32, decoded.Width);
    }

    [Fact]
    public async Task An_image_over_the_media_librarys_pixel_limit_is_refused_before_it_is_decoded()
    {
        var before = await TipTestKit.CountTipsAsync(api);
        using var wide = Image.Black(1001, 1000);
        var problem = await (await SubmitWithAsync(Guid.NewGuid().ToString("N"), wide.PngsaveBuffer())).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("1001 × 1000 pixels; at most 1,000,000", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await TipTestKit.CountTipsAsync(api));
    }

    [Fact]
    public async Task Images_in_tips_wait_for_the_media_librarys_gate_on_concurrent_image_work()
    {
        var work = api.Services.GetRequiredService<ImageWork>();
        var release = new TaskCompletionSource();
        var slots = api.Services.GetRequiredService<IOptions<MediaOptions>>().Value.MaxConcurrentRenders;
        var holders = Enumerable.Range(0, slots).Select(_ => work.RunAsync(() => release.Task.Wait(TimeSpan.FromMinutes(1)), CancellationToken.None)).ToList();
        using var picture = Image.Black(64, 48);
        var marker = Guid.NewGuid().ToString("N");
        var submitted = SubmitWithAsync(marker, picture.PngsaveBuffer());
        try
        {
            await Eventually.TrueAsync(() => work.Waiting == 1 || submitted.IsCompleted, "the tip's picture never queued for the gate");
            Assert.False(submitted.IsCompleted, "the tip was answered while every place in the gate was held");
            // Nothing of the tip is written while it waits: an open transaction would hold a connection, the spent
            // solution's row (a replay would wait on it) and the change feed's horizon for as long as the gate is busy.
            // The fewest of a few looks: a background job's transaction may be between two of its statements at any one.
            var looks = new List<int>();
            for (var i = 0; i < 5; i++)
            {
                looks.Add(await WritingTransactionsIdleAsync());
            }
            Assert.Equal(0, looks.Min());
        }
        finally
        {
            release.SetResult();
        }
        await Task.WhenAll(holders);
        await (await submitted).AssertSuccessAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task A_pdf_is_refused_with_the_reason_and_nothing_is_stored()
    {
        var before = await TipTestKit.CountTipsAsync(api);
        var pdf = "%PDF-1.7\n1 0 obj << /Author (Dafydd) /Producer (Word) >> endobj\n%%EOF"u8.ToArray();
        var problem = await (await SubmitWithAsync(Guid.NewGuid().ToString("N"), pdf)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("PDF", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await TipTestKit.CountTipsAsync(api));
    }

    [Fact]
    public async Task An_mp3_loses_its_id3_tags_and_a_file_of_another_kind_is_415()
    {
        var marker = Guid.NewGuid().ToString("N");
        var secret = "Artist" + marker[..8];
        var tag = Encoding.ASCII.GetBytes($"TPE1{secret}");
        byte[] id3 = [.. "ID3"u8, 3, 0, 0, 0, 0, 0, (byte)tag.Length, .. tag];
        var frames = Mp3Frames(3);
        byte[] id3v1 = [.. "TAG"u8, .. Encoding.ASCII.GetBytes(secret.PadRight(125))];
        await (await SubmitWithAsync(marker, [.. id3, .. frames, .. id3v1])).AssertSuccessAsync(HttpStatusCode.Accepted);
        Assert.Equal(frames, await StoredAttachmentAsync(marker));

        await (await SubmitWithAsync(Guid.NewGuid().ToString("N"), [0x00, 0x01, 0x02, 0x03])).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task An_mp3_loses_the_ape_and_appended_id3_tags_at_its_end_too()
    {
        var marker = Guid.NewGuid().ToString("N");
        var secret = Encoding.ASCII.GetBytes("Artist" + marker[..8]);
        var frames = Mp3Frames(3);
        // APEv2 (as mp3gain and foobar2000 write it): header, one item, footer; the size counts the item and the footer.
        byte[] item = [(byte)secret.Length, 0, 0, 0, 0, 0, 0, 0, .. "Artist"u8, 0, .. secret];
        byte[] ApeBlock(string preamble, uint flags) =>
            [.. Encoding.ASCII.GetBytes(preamble), .. BitConverter.GetBytes(2000u), .. BitConverter.GetBytes((uint)(item.Length + 32)),
             .. BitConverter.GetBytes(1u), .. BitConverter.GetBytes(flags), .. new byte[8]];
        byte[] ape = [.. ApeBlock("APETAGEX", 0xA0000000), .. item, .. ApeBlock("APETAGEX", 0x80000000)];
        // ID3v2.4 appended after the audio, found from its "3DI" footer.
        byte[] frame = [.. "TPE1"u8, 0, 0, 0, (byte)(secret.Length + 1), 0, 0, 3, .. secret];
        byte[] appended = [.. "ID3"u8, 4, 0, 0x10, 0, 0, 0, (byte)frame.Length, .. frame, .. "3DI"u8, 4, 0, 0x10, 0, 0, 0, (byte)frame.Length];

        await (await SubmitWithAsync(marker, [.. frames, .. appended, .. ape])).AssertSuccessAsync(HttpStatusCode.Accepted);
        Assert.Equal(frames, await StoredAttachmentAsync(marker));
    }

    [Fact]
    public async Task An_mp3_loses_lyrics3_tags_and_an_mp3_that_is_only_tags_or_an_empty_file_is_refused()
    {
        var marker = Guid.NewGuid().ToString("N");
        var secret = "Artist" + marker[..8];
        var frames = Mp3Frames(3);
        // Lyrics3 v2: fields, then the block's size in six digits and LYRICS200; v1: LYRICSBEGIN … LYRICSEND; then ID3v1.
        var fields = Encoding.ASCII.GetBytes($"LYRICSBEGININD00003110EAR{secret.Length:D5}{secret}");
        byte[] lyrics2 = [.. fields, .. Encoding.ASCII.GetBytes($"{fields.Length:D6}LYRICS200")];
        byte[] lyrics1 = [.. Encoding.ASCII.GetBytes($"LYRICSBEGIN[{secret}] sung by {secret}LYRICSEND")];
        byte[] id3v1 = [.. "TAG"u8, .. Encoding.ASCII.GetBytes(secret.PadRight(125))];
        await (await SubmitWithAsync(marker, [.. frames, .. lyrics1, .. lyrics2, .. id3v1])).AssertSuccessAsync(HttpStatusCode.Accepted);
        Assert.Equal(frames, await StoredAttachmentAsync(marker));

        byte[] tag = [.. "ID3"u8, 3, 0, 0, 0, 0, 0, 4, .. "TPE1"u8];
        var onlyTags = await (await SubmitWithAsync(Guid.NewGuid().ToString("N"), [.. tag, .. id3v1])).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("without sound data", onlyTags.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var empty = await (await SubmitWithAsync(Guid.NewGuid().ToString("N"), "\n \n"u8.ToArray())).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("is empty", empty.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var silentWav = await (await SubmitWithAsync(Guid.NewGuid().ToString("N"), Wav(Chunk("data", 0, [])))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("WAV file without sound data", silentWav.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>One MPEG audio frame: its 4-byte header and silence up to the length the header gives.</summary>
    private static byte[] Frame(byte[] header, int length) => [.. header, .. new byte[length - 4]];

    /// <summary>MPEG-1 layer III frames at 128 kbit/s and 44.1 kHz, without padding: 417 bytes each.</summary>
    private static byte[] Mp3Frames(int count) => [.. Enumerable.Repeat(Frame([0xFF, 0xFB, 0x90, 0x64], 417), count).SelectMany(f => f)];

    [Fact]
    public async Task Mp3_frames_of_every_version_and_layer_chain_by_their_own_lengths_and_a_cut_last_frame_is_dropped()
    {
        var marker = Guid.NewGuid().ToString("N");
        byte[] frames =
        [
            .. Frame([0xFF, 0xFB, 0x92, 0x64], 418), // MPEG-1 layer III, 128 kbit/s, 44.1 kHz, padded
            .. Frame([0xFF, 0xF3, 0x80, 0xC4], 208), // MPEG-2 layer III, 64 kbit/s, 22.05 kHz
            .. Frame([0xFF, 0xE3, 0x48, 0xC4], 288), // MPEG-2.5 layer III, 32 kbit/s, 8 kHz
            .. Frame([0xFF, 0xFD, 0x94, 0x04], 480), // MPEG-1 layer II, 160 kbit/s, 48 kHz
            .. Frame([0xFF, 0xFF, 0x10, 0x04], 32), // MPEG-1 layer I, 32 kbit/s, 44.1 kHz
        ];
        byte[] cut = [0xFF, 0xFB, 0x90, 0x64, .. new byte[100]];
        await (await SubmitWithAsync(marker, [.. frames, .. cut])).AssertSuccessAsync(HttpStatusCode.Accepted);
        Assert.Equal(frames, await StoredAttachmentAsync(marker));
    }

    [Fact]
    public async Task A_file_behind_an_mp3_frame_header_is_refused_not_stored_as_sound()
    {
        var before = await TipTestKit.CountTipsAsync(api);
        var secret = "Owner" + Guid.NewGuid().ToString("N")[..8];
        byte[] jpegAfterAFrame = [.. Frame([0xFF, 0xFB, 0x90, 0x00], 417), .. JpegWithMetadata(secret)];
        byte[] pdfAfterASyncWord = [0xFF, 0xFB, .. "junk"u8, .. Encoding.ASCII.GetBytes($"%PDF-1.7 1 0 obj << /Author ({secret}) >> endobj " + new string('x', 2000))];
        byte[] textBetweenFrames = [.. Mp3Frames(2), .. Encoding.ASCII.GetBytes($"Recorded by {secret}"), .. Mp3Frames(2)];
        foreach (var file in new[] { jpegAfterAFrame, pdfAfterASyncWord, textBetweenFrames })
        {
            var problem = await (await SubmitWithAsync(Guid.NewGuid().ToString("N"), file)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.Contains("MP3", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(before, await TipTestKit.CountTipsAsync(api));
    }

    internal static byte[] Chunk(string id, uint size, byte[] content) => [.. Encoding.ASCII.GetBytes(id), .. BitConverter.GetBytes(size), .. content];

    /// <summary>A RIFF/WAVE file of the given chunks, after a PCM format chunk (8 kHz, mono, 16-bit).</summary>
    internal static byte[] Wav(params byte[][] chunks)
    {
        byte[] format = [1, 0, 1, 0, 0x40, 0x1F, 0, 0, 0x80, 0x3E, 0, 0, 2, 0, 16, 0];
        byte[] body = [.. "WAVE"u8, .. Chunk("fmt ", 16, format), .. chunks.SelectMany(c => c)];
        return [.. "RIFF"u8, .. BitConverter.GetBytes((uint)body.Length), .. body];
    }

    [Fact]
    public async Task A_wav_whose_recorder_never_wrote_the_data_size_loses_the_tags_after_its_samples()
    {
        var marker = Guid.NewGuid().ToString("N");
        var secret = Encoding.ASCII.GetBytes("Reporter" + marker[..8] + "\0");
        var samples = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        byte[] info = [.. "INFO"u8, .. Chunk("IART", (uint)secret.Length, secret)];
        var unfinished = Wav(Chunk("data", uint.MaxValue, samples), Chunk("LIST", (uint)info.Length, info));

        await (await SubmitWithAsync(marker, unfinished)).AssertSuccessAsync(HttpStatusCode.Accepted);
        Assert.Equal(Wav(Chunk("data", (uint)samples.Length, samples)), await StoredAttachmentAsync(marker));
    }

    [Fact]
    public async Task Samples_of_unknown_length_that_only_look_like_chunks_falling_short_of_the_end_are_all_kept()
    {
        // Empty chunks from every eighth byte that miss the end by 3 bytes: each offset is judged once (walking the chain
        // from each one was quadratic, hours of CPU for a 10 MB attachment), and none reaches the end, so all is sound.
        var marker = Guid.NewGuid().ToString("N");
        byte[] samples = [.. Enumerable.Repeat("AAAA\0\0\0\0"u8.ToArray(), 6_000).SelectMany(c => c), .. "zzz"u8];

        await (await SubmitWithAsync(marker, Wav(Chunk("data", uint.MaxValue, samples)))).AssertSuccessAsync(HttpStatusCode.Accepted);
        Assert.Equal(Wav(Chunk("data", (uint)samples.Length, samples), [0]), await StoredAttachmentAsync(marker));
    }

    [Fact]
    public async Task A_tip_whose_fourth_attachment_is_refused_stores_nothing_and_its_solution_can_be_sent_again()
    {
        var (tips, attachments) = (await TipTestKit.CountTipsAsync(api), await CountAttachmentsAsync());
        var reader = api.CreateClient();
        var altcha = await TipTestKit.SolveAsync(reader);
        var sound = Wav(Chunk("data", 1000, new byte[1000]));
        var pdf = "%PDF-1.7\n%%EOF"u8.ToArray();

        var problem = await (await SendAsync(reader, altcha, Guid.NewGuid().ToString("N"), [sound, sound, sound, pdf]))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.StartsWith("Attachment 4 is a PDF", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal((tips, attachments), (await TipTestKit.CountTipsAsync(api), await CountAttachmentsAsync()));

        // Not even the spent solution was kept.
        await (await SendAsync(reader, altcha, Guid.NewGuid().ToString("N"), [sound])).AssertSuccessAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task A_tip_whose_request_is_aborted_after_some_attachments_were_stored_leaves_nothing()
    {
        var (tips, attachments) = (await TipTestKit.CountTipsAsync(api), await CountAttachmentsAsync());
        var work = api.Services.GetRequiredService<ImageWork>();
        var release = new TaskCompletionSource();
        var slots = api.Services.GetRequiredService<IOptions<MediaOptions>>().Value.MaxConcurrentRenders;
        var holders = Enumerable.Range(0, slots).Select(_ => work.RunAsync(() => release.Task.Wait(TimeSpan.FromMinutes(1)), CancellationToken.None)).ToList();
        var reader = api.CreateClient();
        var sound = Wav(Chunk("data", 1000, new byte[1000]));
        using var picture = Image.Black(64, 48);
        using var abort = new CancellationTokenSource();
        try
        {
            // Three sounds are stored before the picture waits for the image gate; then the reader goes away.
            var submitted = SendAsync(reader, await TipTestKit.SolveAsync(reader), Guid.NewGuid().ToString("N"), [sound, sound, sound, picture.PngsaveBuffer()], abort.Token);
            await Eventually.TrueAsync(() => work.Waiting == 1 || submitted.IsCompleted, "the tip's picture never queued for the gate");
            await abort.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => submitted);
            // The tip's request has ended, its transaction with it, once it gives its place in the upload gate back.
            using var place = await api.Services.GetRequiredService<TipUploadGate>().TryEnterAsync(CancellationToken.None);
            Assert.NotNull(place);
        }
        finally
        {
            release.SetResult();
        }
        await Task.WhenAll(holders);
        Assert.Equal((tips, attachments), (await TipTestKit.CountTipsAsync(api), await CountAttachmentsAsync()));
    }

    [Fact]
    public async Task More_than_five_attachments_are_refused()
    {
        var text = "note"u8.ToArray();
        await (await SubmitWithAsync(Guid.NewGuid().ToString("N"), text, text, text, text, text, text)).AssertProblemAsync(HttpStatusCode.BadRequest);
    }
}
