using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace HeadlessNews.Api.Features.Imports;

/// <summary>
/// A WXR file's text with the characters XML 1.0 forbids left out. WordPress writes posts as they were stored, so a control
/// character pasted from a word processor (a vertical tab, a form feed) reaches the file as it is, and an XML parser stops
/// there: every post after it would be lost. Blank lines before the XML declaration are left out too: a theme or plugin
/// that prints a line break (a blank line after a closing <c>?&gt;</c>) puts them at the top of every export, and WordPress's
/// own importer reads such a file. The file is decoded as its XML declaration says (UTF-8 unless it names another, a
/// Windows code page included).
/// </summary>
public sealed partial class WxrText : TextReader
{
    /// <summary>
    /// C0 controls but tab, line feed and carriage return, DEL and the C1 controls (XML allows those, the API's text does not,
    /// see <see cref="Infrastructure.Text.AcceptedText"/>: an imported story must save again as it is), and the two non-characters.
    /// </summary>
    public static readonly SearchValues<char> Forbidden = SearchValues.Create(
        [.. Enumerable.Range(0, 32).Select(c => (char)c).Where(c => c is not ('\t' or '\n' or '\r')), .. Enumerable.Range(0x7F, 0x21).Select(c => (char)c), '\uFFFE', '\uFFFF']);

    private readonly StreamReader _inner;
    private bool _started;

    public WxrText(Stream stream) => _inner = new StreamReader(stream, DeclaredEncoding(stream), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);

    /// <summary>The text without the forbidden characters.</summary>
    public static string Clean(string text) => text.AsSpan().ContainsAny(Forbidden) ? string.Concat(text.Where(c => !Forbidden.Contains(c))) : text;

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        while (true)
        {
            var read = _inner.Read(buffer);
            // A read of nothing but forbidden characters (or leading blank lines) is not the end of the file: read on.
            var kept = read == 0 ? 0 : Kept(buffer[..read]);
            if (read == 0 || kept > 0)
            {
                return kept;
            }
        }
    }

    public override Task<int> ReadAsync(char[] buffer, int index, int count) => ReadAsync(buffer.AsMemory(index, count)).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var read = await _inner.ReadAsync(buffer, cancellationToken);
            var kept = read == 0 ? 0 : Kept(buffer.Span[..read]);
            if (read == 0 || kept > 0)
            {
                return kept;
            }
        }
    }

    public override int Peek() => -1;

    public override int Read()
    {
        Span<char> one = stackalloc char[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Moves the characters kept to the front (the allowed ones, but the blank lines before the declaration); how many there are.</summary>
    private int Kept(Span<char> chars)
    {
        var kept = Compact(chars);
        if (_started)
        {
            return kept;
        }
        var start = chars[..kept].IndexOfAnyExcept(" \t\r\n");
        if (start < 0)
        {
            return 0;
        }
        _started = true;
        chars[start..kept].CopyTo(chars);
        return kept - start;
    }

    /// <summary>Moves the allowed characters to the front; how many there are.</summary>
    private static int Compact(Span<char> chars)
    {
        var first = chars.IndexOfAny(Forbidden);
        if (first < 0)
        {
            return chars.Length;
        }
        var kept = first;
        for (var i = first + 1; i < chars.Length; i++)
        {
            if (!Forbidden.Contains(chars[i]))
            {
                chars[kept++] = chars[i];
            }
        }
        return kept;
    }

    /// <summary>An encoding by name: .NET's own, or a Windows or ISO code page (an old site's export may declare windows-1252).</summary>
    public static Encoding EncodingNamed(string name) => CodePagesEncodingProvider.Instance.GetEncoding(name) ?? Encoding.GetEncoding(name);

    /// <summary>The encoding the declaration names (read from the start of a seekable stream, which is then rewound), else UTF-8.</summary>
    private static Encoding DeclaredEncoding(Stream stream)
    {
        if (!stream.CanSeek)
        {
            return Encoding.UTF8;
        }
        Span<byte> start = stackalloc byte[200];
        var read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        stream.Seek(-read, SeekOrigin.Current);
        if (EncodingAttribute().Match(Encoding.ASCII.GetString(start[..read])) is { Success: true } declared)
        {
            try
            {
                return EncodingNamed(declared.Groups[1].Value);
            }
            catch (ArgumentException)
            {
                // An encoding .NET does not know: UTF-8, as WordPress writes nearly always.
            }
        }
        return Encoding.UTF8;
    }

    [GeneratedRegex(@"^\s*<\?xml[^>]*\bencoding\s*=\s*[""']([\w.:-]+)[""']")]
    private static partial Regex EncodingAttribute();
}
