using System.Buffers;
using System.Text;

namespace HeadlessNews.Api.Infrastructure.Text;

/// <summary>
/// What no text the API accepts may hold: C0 controls other than tab, line feed and carriage return (PostgreSQL cannot
/// store NUL, XML feeds cannot carry the others), DEL and the C1 controls (U+007F-U+009F: never text, and HTML forbids
/// them), unpaired surrogates, and the 66 Unicode noncharacters (U+FFFE and unpaired surrogates make
/// <see cref="string.Normalize()"/> throw; none of them is text).
/// </summary>
public static class AcceptedText
{
    /// <summary>
    /// The text cut to <paramref name="maxLength"/> characters if it is longer, never between the two halves of a character
    /// written as a surrogate pair (an emoji): half of one is refused text, and PostgreSQL cannot store it.
    /// </summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
    public static string? Cut(string? text, int maxLength) => text is null || text.Length <= maxLength ? text : text[..WholeCharacters(text, maxLength)];

    /// <summary>
    /// The text's length in characters as a reader and PostgreSQL count them, Unicode scalar values: an emoji written as a
    /// surrogate pair is one, where <see cref="string.Length"/> counts two UTF-16 units.
    /// </summary>
    public static int CodePoints(string text) => Encoding.UTF32.GetByteCount(text) / 4;

    /// <summary>Where to cut <paramref name="text"/> at <paramref name="cut"/> or one before, so a surrogate pair stays whole.</summary>
    public static int WholeCharacters(string text, int cut) => char.IsHighSurrogate(text[cut - 1]) ? cut - 1 : cut;

    /// <summary>Where the first refused character is, or -1; <paramref name="codePoint"/> is its code point (a lone surrogate's own value).</summary>
    public static int IndexOfRefused(ReadOnlySpan<char> text, out int codePoint)
    {
        // DEL and the C1 controls lie inside the range the loop below skips: a vectorised search of their own finds the
        // first, and the loop looks only before it.
        var control = text.IndexOfAnyInRange('\u007F', '\u009F');
        var before = control < 0 ? text : text[..control];
        var start = 0;
        int found;
        // Almost all text is U+0020..U+D7FF; a vectorised search skips it, and only the rest is decoded one code point at a time.
        while ((found = before[start..].IndexOfAnyExceptInRange(' ', '\uD7FF')) >= 0)
        {
            var at = start + found;
            if (Rune.DecodeFromUtf16(before[at..], out var rune, out var consumed) != OperationStatus.Done)
            {
                codePoint = before[at];
                return at;
            }
            if (IsRefused(rune.Value))
            {
                codePoint = rune.Value;
                return at;
            }
            start = at + consumed;
        }
        codePoint = control < 0 ? 0 : text[control];
        return control;
    }

    /// <summary>
    /// The text without the characters <see cref="IndexOfRefused"/> finds: for text the API keeps though no caller typed it
    /// as a field (a caption inside an image file, a multipart filename), which it cleans rather than refuses, so the
    /// stored value can be sent back unchanged.
    /// </summary>
    public static string WithoutRefused(string text)
    {
        var first = IndexOfRefused(text, out _);
        if (first < 0)
        {
            return text;
        }
        var kept = new StringBuilder(text.Length).Append(text, 0, first);
        var rest = text.AsSpan(first);
        while (!rest.IsEmpty)
        {
            var decoded = Rune.DecodeFromUtf16(rest, out var rune, out var consumed);
            if (decoded == OperationStatus.Done && !IsRefused(rune.Value) && rune.Value is not (>= 0x7F and <= 0x9F))
            {
                kept.Append(rest[..consumed]);
            }
            rest = rest[Math.Max(consumed, 1)..];
        }
        return kept.ToString();
    }

    private static bool IsRefused(int codePoint) => codePoint < ' '
        ? codePoint is not ('\t' or '\n' or '\r')
        : codePoint is >= 0xFDD0 and <= 0xFDEF || (codePoint & 0xFFFE) == 0xFFFE;
}
