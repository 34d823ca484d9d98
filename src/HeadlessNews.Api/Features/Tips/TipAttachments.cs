using System.Buffers;
using System.Buffers.Binary;
using System.Collections;
using System.Globalization;
using System.Text;
using HeadlessNews.Api.Features.Media;

namespace HeadlessNews.Api.Features.Tips;

/// <summary>An attachment ready to seal: metadata removed, type judged from the content.</summary>
public sealed record CleanAttachment(string ContentType, byte[] Content);

/// <summary>Why an attachment was refused: 415 (a kind we do not take) or 422 (we read it and cannot make it safe).</summary>
public sealed record AttachmentRefusal(int Status, string Detail);

/// <summary>
/// Judges each attachment by its bytes, never its name or declared type, and removes what could identify the sender:
/// images are re-encoded by the media library (<see cref="ImageFiles.Scrub"/>, within its pixel limit and its gate on
/// concurrent image work, so tips cannot take more memory than uploads), MP3 loses its ID3 tags, WAV keeps only its format and sound
/// chunks, text must be UTF-8. PDFs are refused: their metadata lives in the Info dictionary, XMP streams (often
/// compressed inside object streams), per-page metadata and earlier revisions that incremental saves keep; removing all
/// of it needs a full PDF rewriter, and a partial strip would promise a safety it does not give.
/// </summary>
public sealed class TipAttachments(ImageWork imageWork, IOptions<MediaOptions> media)
{
    public async Task<(CleanAttachment? Clean, AttachmentRefusal? Refusal)> CleanAsync(byte[] content, int position, CancellationToken cancellationToken)
    {
        var span = content.AsSpan();
        var which = $"Attachment {position}";
        if (span.Trim((ReadOnlySpan<byte>)[(byte)' ', (byte)'\t', (byte)'\r', (byte)'\n', 0xEF, 0xBB, 0xBF]).IsEmpty)
        {
            return Refused(StatusCodes.Status422UnprocessableEntity, $"{which} is empty.");
        }
        if (span.StartsWith("%PDF-"u8))
        {
            return Refused(StatusCodes.Status422UnprocessableEntity,
                $"{which} is a PDF. PDFs are not accepted because their author, producer and XMP metadata and earlier revisions cannot be removed reliably; send screenshots or photos of the pages, or paste the text.");
        }
        if (IsImage(span))
        {
            var maxPixels = media.Value.MaxPixels;
            var (bytes, type, refusal) = await imageWork.RunAsync(() => ImageFiles.Scrub(content, maxPixels), cancellationToken);
            return bytes is null ? Refused(refusal!.Status, $"{which}: {refusal.Detail}") : (new CleanAttachment(type!, bytes), null);
        }
        if (span.Length > 12 && span.StartsWith("RIFF"u8) && span[8..12].SequenceEqual("WAVE"u8))
        {
            return WavWithoutTags(span) is { } wav ? (new CleanAttachment("audio/wav", wav), null)
                : Refused(StatusCodes.Status422UnprocessableEntity, $"{which} is a WAV file without sound data.");
        }
        if (span.StartsWith("ID3"u8) || MpegFrameLength(span) > 0)
        {
            var audio = Mp3WithoutTags(span);
            var frames = MpegFramesLength(audio);
            return frames switch
            {
                null => Refused(StatusCodes.Status422UnprocessableEntity,
                    $"{which} is an MP3 file with data between or after its audio frames that is neither sound nor a tag this API removes."),
                0 => Refused(StatusCodes.Status422UnprocessableEntity, $"{which} is an MP3 file without sound data."),
                _ => (new CleanAttachment("audio/mpeg", Kept(content, audio[..frames.Value])), null),
            };
        }
        if (span.StartsWith("OggS"u8) || span.StartsWith("fLaC"u8) || (span.Length > 8 && span[4..8].SequenceEqual("ftyp"u8)))
        {
            return Refused(StatusCodes.Status422UnprocessableEntity,
                $"{which} is Ogg, FLAC or MP4 audio, whose tags this API cannot remove; send it as MP3 or WAV.");
        }
        var text = span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? span[3..] : span;
        if (IsUtf8Text(text))
        {
            return (new CleanAttachment("text/plain; charset=utf-8", Kept(content, text)), null);
        }
        return Refused(StatusCodes.Status415UnsupportedMediaType,
            $"{which} is not an accepted kind: images (JPEG, PNG, GIF, WebP), MP3 or WAV audio, or UTF-8 plain text.");
    }

    /// <summary>
    /// How many bytes from the start are whole MPEG audio frames, each header followed by the next: null when something
    /// else comes between them or after them (a file hiding other data behind a sync word). A last frame cut short, as a
    /// recording stopped mid-frame leaves it, is left out.
    /// </summary>
    private static int? MpegFramesLength(ReadOnlySpan<byte> audio)
    {
        var at = 0;
        while (at < audio.Length)
        {
            var length = MpegFrameLength(audio[at..]);
            if (length == 0)
            {
                return null;
            }
            if (at + length > audio.Length)
            {
                return at;
            }
            at += length;
        }
        return at;
    }

    // Bit rates in kbit/s by bit-rate index: MPEG-1 layers I, II, III; MPEG-2 and 2.5 layer I; their layers II and III.
    private static readonly int[][] BitRates =
    [
        [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
        [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
        [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
        [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    ];

    /// <summary>
    /// The length of the MPEG audio frame (MPEG-1, 2 or 2.5, layer I, II or III) whose header starts
    /// <paramref name="frame"/>, from its bit rate, sample rate and padding; 0 when the bytes are not such a header
    /// (no sync word, a reserved version, layer or sample rate, or a free or invalid bit rate).
    /// </summary>
    private static int MpegFrameLength(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 4 || frame[0] != 0xFF || (frame[1] & 0xE0) != 0xE0)
        {
            return 0;
        }
        var version = (frame[1] >> 3) & 3; // 0: MPEG-2.5, 1: reserved, 2: MPEG-2, 3: MPEG-1
        var layer = 4 - ((frame[1] >> 1) & 3); // 4: reserved
        var bitRateIndex = frame[2] >> 4;
        var sampleRateIndex = (frame[2] >> 2) & 3;
        if (version == 1 || layer == 4 || bitRateIndex is 0 or 15 || sampleRateIndex == 3)
        {
            return 0;
        }
        var mpeg1 = version == 3;
        var bitRate = 1000 * BitRates[mpeg1 ? layer - 1 : Math.Min(layer, 2) + 2][bitRateIndex];
        var sampleRate = (sampleRateIndex switch { 0 => 44_100, 1 => 48_000, _ => 32_000 }) >> (mpeg1 ? 0 : version == 2 ? 1 : 2);
        var padding = (frame[2] >> 1) & 1;
        return layer switch
        {
            1 => ((12 * bitRate / sampleRate) + padding) * 4,
            3 when !mpeg1 => (72 * bitRate / sampleRate) + padding,
            _ => (144 * bitRate / sampleRate) + padding,
        };
    }

    private static (CleanAttachment?, AttachmentRefusal?) Refused(int status, string detail) => (null, new AttachmentRefusal(status, detail));

    /// <summary>What is kept of <paramref name="content"/> (a part of it): the file itself when nothing was cut, else a copy.</summary>
    private static byte[] Kept(byte[] content, ReadOnlySpan<byte> kept) => kept.Length == content.Length ? content : kept.ToArray();

    /// <summary>A picture the media library knows by its bytes, but AVIF, which tips leave with the other ISO BMFF files (below).</summary>
    private static bool IsImage(ReadOnlySpan<byte> span) => ImageFiles.Sniff(span) is { } type && type != ImageFiles.Avif;

    /// <summary>
    /// Drops ID3v2 tags at the start (several may follow each other), an ID3v1 tag at the end, and before it APEv2 tags,
    /// appended ID3v2 tags (found from their footers) and Lyrics3 tags (v2 from its size and <c>LYRICS200</c>, v1 from
    /// <c>LYRICSEND</c> back to its <c>LYRICSBEGIN</c>, at most 5,100 bytes before).
    /// </summary>
    private static ReadOnlySpan<byte> Mp3WithoutTags(ReadOnlySpan<byte> span)
    {
        while (span.Length > 10 && span.StartsWith("ID3"u8))
        {
            var total = 10 + Id3Size(span[6..10]) + ((span[5] & 0x10) != 0 ? 10 : 0);
            span = total >= span.Length ? [] : span[total..];
        }
        if (span.Length >= 128 && span[^128..].StartsWith("TAG"u8))
        {
            span = span[..^128];
        }
        while (true)
        {
            long total;
            if (span.Length >= 32 && span[^32..].StartsWith("APETAGEX"u8))
            {
                // The footer's size counts the items and the footer; a header, when the flags say so, comes on top.
                var hasHeader = (span[^9] & 0x80) != 0;
                total = Math.Max(32, BinaryPrimitives.ReadUInt32LittleEndian(span[^20..^16]) + (hasHeader ? 32L : 0));
            }
            else if (span.Length >= 10 && span[^10..].StartsWith("3DI"u8))
            {
                total = 20 + Id3Size(span[^4..]);
            }
            else if (span.Length >= 15 && span.EndsWith("LYRICS200"u8)
                && int.TryParse(span[^15..^9], NumberStyles.None, CultureInfo.InvariantCulture, out var lyrics))
            {
                total = 15L + lyrics;
            }
            else if (span.EndsWith("LYRICSEND"u8) && span[^Math.Min(span.Length, 5100 + 9)..].LastIndexOf("LYRICSBEGIN"u8) is var begin and >= 0)
            {
                total = Math.Min(span.Length, 5100 + 9) - begin;
            }
            else
            {
                return span;
            }
            span = total >= span.Length ? [] : span[..^(int)total];
        }
    }

    private static int Id3Size(ReadOnlySpan<byte> synchsafe) =>
        (synchsafe[0] & 0x7F) << 21 | (synchsafe[1] & 0x7F) << 14 | (synchsafe[2] & 0x7F) << 7 | (synchsafe[3] & 0x7F);

    /// <summary>
    /// A WAV file rebuilt from its <c>fmt </c> and <c>data</c> chunks only (LIST/INFO, bext and iXML carry names and places).
    /// A <c>data</c> size past the end of the file (0xFFFFFFFF from a recorder that never finished) says nothing of where
    /// the samples stop: they stop where chunks start that run exactly to the end of the file, else at its end.
    /// </summary>
    private static byte[]? WavWithoutTags(ReadOnlySpan<byte> span)
    {
        // Measured first, then copied once into a file of exactly that size.
        var (length, hasData) = CopyWavChunks(span, []);
        if (!hasData)
        {
            return null;
        }
        var wav = new byte[12 + length];
        "RIFF"u8.CopyTo(wav);
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(4), (uint)(4 + length));
        "WAVE"u8.CopyTo(wav.AsSpan(8));
        CopyWavChunks(span, wav.AsSpan(12));
        return wav;
    }

    /// <summary>
    /// The length of the <c>fmt </c> and <c>data</c> chunks as they are kept (each padded to an even length), copied into
    /// <paramref name="kept"/> unless it is empty, and whether there was a <c>data</c> chunk holding samples.
    /// </summary>
    private static (int Length, bool HasData) CopyWavChunks(ReadOnlySpan<byte> span, Span<byte> kept)
    {
        var written = 0;
        var hasData = false;
        for (var at = 12; at + 8 <= span.Length;)
        {
            var id = span.Slice(at, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(span.Slice(at + 4, 4));
            var overruns = size > span.Length - at - 8;
            var length = !overruns ? (int)size : id.SequenceEqual("data"u8) ? SamplesLength(span, at + 8) : span.Length - at - 8;
            if (id.SequenceEqual("fmt "u8) || id.SequenceEqual("data"u8))
            {
                hasData |= id.SequenceEqual("data"u8) && length > 0;
                if (!kept.IsEmpty)
                {
                    id.CopyTo(kept[written..]);
                    BinaryPrimitives.WriteUInt32LittleEndian(kept[(written + 4)..], (uint)length);
                    span.Slice(at + 8, length).CopyTo(kept[(written + 8)..]);
                }
                // An odd length's pad byte is left as the zero the new array holds.
                written += 8 + length + (length % 2);
            }
            // The chunks found after samples of unknown length start where they were found, pad byte or not.
            at += 8 + length + (overruns ? 0 : length % 2);
        }
        return (written, hasData);
    }

    /// <summary>
    /// From <paramref name="start"/> to the first place where chunks with printable ids follow each other to exactly the end
    /// of the file (the last one's pad byte may be missing), or to its end. Whether chunks run to the end from an offset is
    /// worked out once per offset, from the end backwards: walking the chain again from every offset took hours of CPU on
    /// 10 MB of empty chunks that fall 3 bytes short.
    /// </summary>
    private static int SamplesLength(ReadOnlySpan<byte> span, int start)
    {
        var reachesEnd = new BitArray(span.Length);
        var samples = span.Length - start;
        for (var at = span.Length - 8; at >= start; at--)
        {
            if (span[at] is not (> 0x20 and < 0x7F) || span[(at + 1)..(at + 4)].IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) >= 0)
            {
                continue;
            }
            var size = BinaryPrimitives.ReadUInt32LittleEndian(span.Slice(at + 4, 4));
            var end = at + 8L + size;
            var next = end + size % 2;
            if (end == span.Length || (end + 1 == span.Length && size % 2 == 1) || (next + 8 <= span.Length && reachesEnd[(int)next]))
            {
                reachesEnd[at] = true;
                samples = at - start;
            }
        }
        return samples;
    }

    /// <summary>
    /// Whether the bytes are UTF-8 with no control characters but tab and line breaks, judged character by character in
    /// place: decoding 10 MB into a string would hold 20 MB more.
    /// </summary>
    private static bool IsUtf8Text(ReadOnlySpan<byte> text)
    {
        for (var rest = text; !rest.IsEmpty;)
        {
            if (Rune.DecodeFromUtf8(rest, out var character, out var length) != OperationStatus.Done
                || (Rune.IsControl(character) && character.Value is not ('\t' or '\r' or '\n')))
            {
                return false;
            }
            rest = rest[length..];
        }
        return true;
    }
}
