using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using NetVips;

namespace HeadlessNews.Api.Features.Media;

/// <summary>What an upload turned out to be, judged from its bytes, with its master when it has one (see <see cref="ImageFiles.Inspect"/>).</summary>
public sealed record InspectedImage(string ContentType, int Width, int Height, EmbeddedMetadata Metadata, byte[]? Master);

/// <summary>Caption, credit and copyright found in the file's IPTC, XMP or EXIF (in that order of preference).</summary>
public sealed record EmbeddedMetadata(string? Caption, string? Credit, string? Copyright);

/// <summary>Why an upload is refused: the HTTP status and what to say.</summary>
/// <param name="Unreachable">The source's server was not reached (its name found no address, no connection, no answer in time), as opposed to answering no.</param>
public sealed record ImageRefusal(int Status, string Detail, bool Unreachable = false);

/// <summary>
/// Everything done to image bytes with libvips: sniffing the type, reading the header (dimensions, orientation,
/// embedded metadata) before anything is decoded, proving the file decodes completely, and making renditions with
/// shrink-on-load so memory stays near the output's size.
/// </summary>
public static partial class ImageFiles
{
    public const string Jpeg = "image/jpeg";
    public const string Png = "image/png";
    public const string Gif = "image/gif";
    public const string WebP = "image/webp";
    public const string Avif = "image/avif";

    // Here rather than at start-up: libvips is loaded (~6 MB) only by a process that handles pictures.
    static ImageFiles()
    {
        // libvips' operation cache would grow with traffic; renditions are stored, so nothing is worth caching.
        NetVips.Cache.Max = 0;
        NetVips.Cache.MaxMem = 0;
        NetVips.Cache.MaxFiles = 0;
    }

    /// <summary>The accepted type the bytes are, by their signature; null for anything else (SVG, HTML, PDF, HEIC, …).</summary>
    public static string? Sniff(ReadOnlySpan<byte> bytes) => bytes switch
    {
        [0xFF, 0xD8, 0xFF, ..] => Jpeg,
        [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Png,
        [(byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'7' or (byte)'9', (byte)'a', ..] => Gif,
        [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => WebP,
        _ when IsAvif(bytes) => Avif,
        _ => null,
    };

    /// <summary>An ISO BMFF <c>ftyp</c> box whose major or compatible brands include <c>avif</c>/<c>avis</c>.</summary>
    private static bool IsAvif(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 16 || !bytes.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            return false;
        }
        var boxSize = (int)Math.Min(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes), (uint)bytes.Length);
        for (var offset = 8; offset + 4 <= boxSize; offset += 4)
        {
            var brand = bytes.Slice(offset, 4);
            if (brand.SequenceEqual("avif"u8) || brand.SequenceEqual("avis"u8))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Reads the header, refuses more than <paramref name="maxPixels"/> before decoding, then proves the whole file decodes.
    /// That decode is kept, as a JPEG master, for a picture at least twice <see cref="MediaUrls.SrcMaxWidth"/> wide: at the
    /// smallest halving of its width that is still that wide (<see cref="MasterWidth"/>), which JPEG decodes straight to,
    /// so it costs the upload little more than the proof did, and narrower renditions shrink from it at a fraction of the
    /// original's decode (as WordPress keeps a "-scaled" copy of big uploads).
    /// </summary>
    public static (InspectedImage? Image, ImageRefusal? Refusal) Inspect(byte[] bytes, long maxPixels)
    {
        if (Sniff(bytes) is not { } contentType)
        {
            return (null, new ImageRefusal(StatusCodes.Status415UnsupportedMediaType,
                "Only JPEG, PNG, WebP, AVIF and GIF images are accepted (judged by content); SVG and other files are not."));
        }
        try
        {
            using var header = Image.NewFromBuffer(bytes, access: Enums.Access.Sequential);
            if (TooManyPixels(header, maxPixels) is { } tooMany)
            {
                return (null, tooMany);
            }
            var (width, height) = Upright(header);
            var metadata = ReadMetadata(header);
            var masterWidth = header.HasAlpha() ? null : MasterWidth(width);
            var keepsMaster = masterWidth is not null;
            // Decoding at a smaller size still reads every byte of the compressed data, so truncation and corruption show.
            byte[]? master = null;
            using (var probe = Image.ThumbnailBuffer(bytes, masterWidth ?? 64, height: keepsMaster ? 10_000_000 : null,
                size: Enums.Size.Down, optionString: "fail_on=truncated", failOn: Enums.FailOn.Truncated))
            {
                if (keepsMaster)
                {
                    master = probe.JpegsaveBuffer(q: 90, keep: Enums.ForeignKeep.None);
                }
                else
                {
                    _ = probe.Avg();
                }
            }
            return (new InspectedImage(contentType, width, height, metadata, master), null);
        }
        catch (VipsException)
        {
            return (null, Undecodable);
        }
    }

    /// <summary>
    /// The picture again with nothing but its pixels (for files from outside the newsroom, such as readers' tips): judged
    /// by its header as <see cref="Inspect"/> does, then streamed through libvips at its own size, orientation applied, in
    /// sRGB, without EXIF (GPS, camera serials), XMP, IPTC, ICC or comments; PNG when it has transparency, else JPEG.
    /// Streaming keeps memory near a few rows of pixels, except that applying an orientation holds the whole picture.
    /// </summary>
    public static (byte[]? Bytes, string? ContentType, ImageRefusal? Refusal) Scrub(byte[] bytes, long maxPixels)
    {
        try
        {
            using var header = Image.NewFromBuffer(bytes, access: Enums.Access.Sequential);
            if (TooManyPixels(header, maxPixels) is { } tooMany)
            {
                return (null, null, tooMany);
            }
            using var clean = Image.ThumbnailBuffer(bytes, Upright(header).Width, height: 10_000_000, size: Enums.Size.Down,
                optionString: "fail_on=truncated", failOn: Enums.FailOn.Truncated);
            return clean.HasAlpha()
                ? (clean.PngsaveBuffer(keep: Enums.ForeignKeep.None), Png, null)
                : (clean.JpegsaveBuffer(q: 90, keep: Enums.ForeignKeep.None), Jpeg, null);
        }
        catch (VipsException)
        {
            return (null, null, Undecodable);
        }
    }

    private static readonly ImageRefusal Undecodable = new(StatusCodes.Status422UnprocessableEntity, "The image does not decode completely (truncated or corrupt).");

    /// <summary>
    /// How much memory reading one interlaced (Adam7) PNG may take. libvips cannot stream one, so it is decoded whole, for
    /// the upload and again for every rendition made from it: a 1.2 MB file of 10,000 × 10,000 16-bit pixels took 1.2 GB.
    /// </summary>
    private const long MaxWholeDecodeBytes = 256L * 1024 * 1024;

    /// <summary>
    /// The refusal for a header declaring more than <paramref name="maxPixels"/>, or an interlaced PNG that would take more
    /// than <see cref="MaxWholeDecodeBytes"/> to decode, before anything is decoded.
    /// </summary>
    private static ImageRefusal? TooManyPixels(Image header, long maxPixels)
    {
        var pixels = (long)header.Width * header.Height;
        if (pixels > maxPixels)
        {
            return new ImageRefusal(StatusCodes.Status422UnprocessableEntity,
                $"The image declares {header.Width} × {header.Height} pixels; at most {maxPixels:N0} pixels are accepted.");
        }
        var bytesPerSample = header.Format switch { Enums.BandFormat.Uchar or Enums.BandFormat.Char => 1, Enums.BandFormat.Ushort or Enums.BandFormat.Short => 2, _ => 4 };
        var interlaced = header.Contains("interlaced") && header.Get("interlaced") is int flag && flag != 0;
        return interlaced && pixels * header.Bands * bytesPerSample > MaxWholeDecodeBytes
            ? new ImageRefusal(StatusCodes.Status422UnprocessableEntity,
                $"The image is an interlaced PNG of {header.Width} × {header.Height} pixels, which cannot be read a few rows at a time; save it without interlacing, or smaller.")
            : null;
    }

    /// <summary>The size shown once the EXIF orientation is applied (5 to 8 turn the picture a quarter).</summary>
    private static (int Width, int Height) Upright(Image header) =>
        header.Contains("orientation") && header.Get("orientation") is int orientation && orientation >= 5
            ? (header.Height, header.Width)
            : (header.Width, header.Height);

    /// <summary>The width of the master kept for a picture <paramref name="width"/> wide (upright), or null when it gets none.</summary>
    public static int? MasterWidth(int width)
    {
        int? master = null;
        for (var halved = width / 2; halved >= MediaUrls.SrcMaxWidth; halved /= 2)
        {
            master = halved;
        }
        return master;
    }

    /// <summary>
    /// A rendition <paramref name="width"/> wide (never wider than the original), cropped to <paramref name="ratio"/> around
    /// <paramref name="focal"/> when given, oriented, in sRGB, with no metadata at all.
    /// </summary>
    public static byte[] Render(byte[] original, int originalWidth, int originalHeight, int width, double? ratio, FocalPoint focal, string format)
    {
        var targetWidth = Math.Min(width, originalWidth);
        Image image;
        if (ratio is not { } aspect)
        {
            image = Image.ThumbnailBuffer(original, targetWidth, height: 10_000_000, size: Enums.Size.Down);
        }
        else
        {
            var targetHeight = (int)Math.Round(targetWidth / aspect);
            if (targetHeight > originalHeight)
            {
                targetHeight = originalHeight;
                targetWidth = (int)Math.Round(targetHeight * aspect);
            }
            var scale = Math.Max((double)targetWidth / originalWidth, (double)targetHeight / originalHeight);
            using var scaled = Image.ThumbnailBuffer(original, (int)Math.Ceiling(originalWidth * scale),
                height: (int)Math.Ceiling(originalHeight * scale), size: Enums.Size.Down);
            var cropWidth = Math.Min(targetWidth, scaled.Width);
            var cropHeight = Math.Min(targetHeight, scaled.Height);
            var left = Math.Clamp((int)Math.Round(focal.X * scaled.Width - cropWidth / 2.0), 0, scaled.Width - cropWidth);
            var top = Math.Clamp((int)Math.Round(focal.Y * scaled.Height - cropHeight / 2.0), 0, scaled.Height - cropHeight);
            image = scaled.Crop(left, top, cropWidth, cropHeight);
        }
        using (image)
        {
            using var srgb = image.Interpretation is Enums.Interpretation.Srgb or Enums.Interpretation.Bw ? image.Copy() : image.Colourspace(Enums.Interpretation.Srgb);
            return format switch
            {
                "webp" => srgb.WebpsaveBuffer(q: 80, effort: 2, keep: Enums.ForeignKeep.None),
                "avif" => srgb.HeifsaveBuffer(q: 55, compression: Enums.ForeignHeifCompression.Av1, effort: 2, keep: Enums.ForeignKeep.None),
                _ => Flatten(srgb).JpegsaveBuffer(q: 82, keep: Enums.ForeignKeep.None),
            };
        }
    }

    /// <summary>JPEG has no alpha: transparent areas become white.</summary>
    private static Image Flatten(Image image) => image.HasAlpha() ? image.Flatten(background: [255, 255, 255]) : image;

    private static EmbeddedMetadata ReadMetadata(Image image)
    {
        var iptc = image.Contains("iptc-data") ? Iptc((byte[])image.Get("iptc-data")) : new Dictionary<int, string>();
        var xmp = image.Contains("xmp-data") ? Xmp((byte[])image.Get("xmp-data")) : null;
        string? Exif(string field) => image.Contains(field) && image.Get(field) is string value ? Clean(ExifValue().Match(value).Groups[1].Value) : null;
        return new EmbeddedMetadata(
            Caption: iptc.GetValueOrDefault(120) ?? XmpText(xmp, Dc + "description") ?? Exif("exif-ifd0-ImageDescription"),
            Credit: iptc.GetValueOrDefault(110) ?? XmpText(xmp, Photoshop + "Credit") ?? iptc.GetValueOrDefault(80) ?? XmpText(xmp, Dc + "creator") ?? Exif("exif-ifd0-Artist"),
            Copyright: iptc.GetValueOrDefault(116) ?? XmpText(xmp, Dc + "rights") ?? Exif("exif-ifd0-Copyright"));
    }

    private static readonly XNamespace Dc = "http://purl.org/dc/elements/1.1/";
    private static readonly XNamespace Photoshop = "http://ns.adobe.com/photoshop/1.0/";

    /// <summary>
    /// IPTC-IIM application record (2:xx) datasets: 0x1C, record, dataset, 16-bit length, value. The text is UTF-8 when
    /// the envelope's coded character set (1:90) says so (ESC % G); without it IIM text is an 8-bit set, Latin-1 by the
    /// standard's default and Windows-1252 in practice (Photoshop), read as 1252 unless the bytes are valid UTF-8 (files
    /// whose writer left 1:90 out; Latin-1 text is almost never valid UTF-8 once it holds a byte above 0x7F).
    /// </summary>
    private static Dictionary<int, string> Iptc(byte[] block)
    {
        var data = IimOf(block);
        var values = new List<(int Dataset, int Start, int Length)>();
        var declaredUtf8 = false;
        for (var i = 0; i + 5 <= data.Length;)
        {
            if (data[i] != 0x1C)
            {
                i++;
                continue;
            }
            var length = (data[i + 3] << 8) | data[i + 4];
            if ((length & 0x8000) != 0 || i + 5 + length > data.Length)
            {
                break;
            }
            if (data[i + 1] == 1 && data[i + 2] == 90)
            {
                declaredUtf8 = data.Slice(i + 5, length).SequenceEqual(Utf8Escape);
            }
            else if (data[i + 1] == 2)
            {
                values.Add((data[i + 2], i + 5, length));
            }
            i += 5 + length;
        }
        var found = new Dictionary<int, string>();
        foreach (var (dataset, start, length) in values)
        {
            if (Clean(IptcText(data.Slice(start, length), declaredUtf8)) is { } value)
            {
                found.TryAdd(dataset, value);
            }
        }
        return found;
    }

    /// <summary>
    /// The IIM block of Photoshop's image resources (APP13 "Photoshop 3.0", resource 8BIM 0x0404), or the data itself
    /// when it is not wrapped. Walked resource by resource: a scan for 0x1C took a header byte (a resource size of 28) for
    /// the first dataset and read nothing.
    /// </summary>
    private static ReadOnlySpan<byte> IimOf(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> header = "Photoshop 3.0\0"u8;
        if (!data.StartsWith(header))
        {
            return data;
        }
        for (var at = header.Length; at + 12 <= data.Length && data.Slice(at, 4).SequenceEqual("8BIM"u8);)
        {
            var id = (data[at + 4] << 8) | data[at + 5];
            // The name is a Pascal string (a length byte, then the characters) padded to an even length.
            var sizeAt = at + 6 + ((data[at + 6] + 2) & ~1);
            if (sizeAt + 4 > data.Length)
            {
                break;
            }
            var size = BinaryPrimitives.ReadInt32BigEndian(data[sizeAt..]);
            var start = sizeAt + 4;
            if (size < 0 || size > data.Length - start)
            {
                break;
            }
            if (id == 0x0404)
            {
                return data.Slice(start, size);
            }
            at = start + size + (size & 1);
        }
        return [];
    }

    /// <summary>ISO 2022's designation of UTF-8, as IPTC's 1:90 holds it.</summary>
    private static ReadOnlySpan<byte> Utf8Escape => [0x1B, 0x25, 0x47];

    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly Encoding Windows1252 = CodePagesEncodingProvider.Instance.GetEncoding(1252)!;

    private static string IptcText(ReadOnlySpan<byte> bytes, bool declaredUtf8)
    {
        if (declaredUtf8)
        {
            return Encoding.UTF8.GetString(bytes);
        }
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Windows1252.GetString(bytes);
        }
    }

    private static XDocument? Xmp(byte[] data)
    {
        try
        {
            var text = Encoding.UTF8.GetString(data).TrimEnd('\0');
            var start = text.IndexOf("<x:xmpmeta", StringComparison.Ordinal) is >= 0 and var at ? at : text.IndexOf("<rdf:RDF", StringComparison.Ordinal);
            return start < 0 ? null : XDocument.Parse(text[start..][..(text[start..].LastIndexOf('>') + 1)], LoadOptions.None);
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }

    /// <summary>An XMP property as an element (plain, or rdf:Alt/Seq/Bag's first item) or as an attribute of rdf:Description.</summary>
    private static string? XmpText(XDocument? xmp, XName name)
    {
        if (xmp is null)
        {
            return null;
        }
        var element = xmp.Descendants(name).FirstOrDefault();
        var value = element is null
            ? xmp.Descendants().Attributes(name).FirstOrDefault()?.Value
            : element.Descendants().LastOrDefault(d => !d.HasElements)?.Value ?? element.Value;
        return Clean(value);
    }

    /// <summary>Embedded text as stored: without what <see cref="AcceptedText"/> refuses (an editor must be able to send it back unchanged); null when nothing is left.</summary>
    private static string? Clean(string? value) => AcceptedText.WithoutRefused(value ?? string.Empty).Trim() is { Length: > 0 } kept ? kept : null;

    /// <summary>libvips shows EXIF strings as <c>value (value, ASCII, n components, n bytes)</c>.</summary>
    [GeneratedRegex(@"^(.*?)(?: \([^()]*\))?$", RegexOptions.Singleline)]
    private static partial Regex ExifValue();
}
