using System.Buffers;
using System.Net.Http.Headers;
using System.Text;

namespace HeadlessNews.Api.Features.Webhooks;

/// <summary>
/// What the delivery log keeps of a target's answer: at most <see cref="MaxBytes"/> bytes, and only of a text answer
/// (text/*, JSON, XML), read as UTF-8 and cut between characters. Binary answers, and answers that declare no type,
/// leave no excerpt.
/// </summary>
public static class WebhookResponseExcerpt
{
    public const int MaxBytes = 256;

    public static async Task<string?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!IsText(response.Content.Headers.ContentType))
        {
            return null;
        }
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxBytes];
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
        {
            filled += read;
        }
        return Decode(buffer.AsSpan(0, filled));
    }

    private static bool IsText(MediaTypeHeaderValue? contentType) =>
        contentType?.MediaType is { } type
        && (type.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.Equals("application/xml", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+xml", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// UTF-8 up to a character cut off by the limit; invalid bytes become U+FFFD, NUL is dropped (PostgreSQL text cannot
    /// hold it), and the result never encodes to more than <see cref="MaxBytes"/> bytes (a U+FFFD takes three).
    /// </summary>
    private static string? Decode(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        Span<char> utf16 = stackalloc char[2];
        var length = 0;
        while (!bytes.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(bytes, out var rune, out var consumed);
            if (status == OperationStatus.NeedMoreData || (length += rune.Utf8SequenceLength) > MaxBytes)
            {
                break;
            }
            if (rune.Value != 0)
            {
                text.Append(utf16[..rune.EncodeToUtf16(utf16)]);
            }
            bytes = bytes[consumed..];
        }
        return text.Length == 0 ? null : text.ToString();
    }
}
