using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using NetVips;

namespace HeadlessNews.Tests.Media;

/// <summary>Real image files made by the tests: photo-like noise, metadata written in, and hand-crafted hostile files.</summary>
internal static class TestImages
{
    /// <summary>A noisy RGB picture (JPEG compresses it like a photo), different every call so uploads never collide.</summary>
    public static Image Photo(int width, int height)
    {
        using var noise = Image.Gaussnoise(width, height, mean: Random.Shared.Next(60, 190), sigma: 40);
        using var rgb = noise.Bandjoin(noise, noise).Cast(Enums.BandFormat.Uchar);
        return rgb.Copy(interpretation: Enums.Interpretation.Srgb);
    }

    public static byte[] Jpeg(Image image) => image.JpegsaveBuffer(q: 85, keep: Enums.ForeignKeep.All);

    /// <summary>A photo whose EXIF carries GPS coordinates (where the photographer stood) and a camera owner.</summary>
    public static byte[] JpegWithGps(int width, int height)
    {
        using var photo = Photo(width, height);
        using var tagged = photo.Mutate(m =>
        {
            m.Set(GValue.GStrType, "exif-ifd0-Artist", "Gwen Pritchard");
            m.Set(GValue.GStrType, "exif-ifd3-GPSLatitudeRef", "N");
            m.Set(GValue.GStrType, "exif-ifd3-GPSLatitude", "53/1 16/1 48/1");
            m.Set(GValue.GStrType, "exif-ifd3-GPSLongitudeRef", "W");
            m.Set(GValue.GStrType, "exif-ifd3-GPSLongitude", "3/1 49/1 39/1");
        });
        return Jpeg(tagged);
    }

    /// <summary>XMP with a caption, a credit and a copyright notice, as photo desks' tools write it.</summary>
    public static byte[] JpegWithXmp(string caption, string credit, string copyright)
    {
        var xmp = $"""
            <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
            <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:Credit="{credit}">
            <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{caption}</rdf:li></rdf:Alt></dc:description>
            <dc:rights><rdf:Alt><rdf:li xml:lang="x-default">{copyright}</rdf:li></rdf:Alt></dc:rights>
            </rdf:Description></rdf:RDF></x:xmpmeta>
            """;
        using var photo = Photo(400, 300);
        using var tagged = photo.Mutate(m => m.Set(GValue.BlobType, "xmp-data", Encoding.UTF8.GetBytes(xmp)));
        return Jpeg(tagged);
    }

    /// <summary>
    /// A photo with an IPTC-IIM block (in Photoshop's APP13 resource, as Photoshop and exiftool write it) holding the given
    /// 2:xx datasets as raw bytes, with no coded character set (1:90) unless one is given.
    /// </summary>
    public static byte[] JpegWithIptc(IReadOnlyDictionary<byte, byte[]> datasets, byte[]? codedCharacterSet = null)
    {
        var iim = new List<byte>();
        void Add(byte record, byte dataset, byte[] value) =>
            iim.AddRange([0x1C, record, dataset, (byte)(value.Length >> 8), (byte)value.Length, .. value]);
        if (codedCharacterSet is not null)
        {
            Add(1, 90, codedCharacterSet);
        }
        foreach (var (dataset, value) in datasets)
        {
            Add(2, dataset, value);
        }
        if (iim.Count % 2 == 1)
        {
            iim.Add(0);
        }
        byte[] resource = [.. "Photoshop 3.0\0"u8, .. "8BIM"u8, 0x04, 0x04, 0, 0, 0, 0, (byte)(iim.Count >> 8), (byte)iim.Count, .. iim];
        using var photo = Photo(300, 200);
        using var tagged = photo.Mutate(m => m.Set(GValue.BlobType, "iptc-data", resource));
        return Jpeg(tagged);
    }

    /// <summary>EXIF orientation 6: stored landscape, to be shown rotated 90° clockwise (portrait).</summary>
    public static byte[] RotatedJpeg(int storedWidth, int storedHeight)
    {
        using var photo = Photo(storedWidth, storedHeight);
        using var tagged = photo.Mutate(m => m.Set(GValue.GIntType, "orientation", 6));
        return Jpeg(tagged);
    }

    public static byte[] CmykJpeg(int width, int height)
    {
        using var photo = Photo(width, height);
        using var cmyk = photo.Colourspace(Enums.Interpretation.Cmyk);
        return cmyk.JpegsaveBuffer(q: 85);
    }

    /// <summary>A real JPEG cut off half way through its compressed data.</summary>
    public static byte[] TruncatedJpeg()
    {
        using var photo = Photo(800, 600);
        var whole = Jpeg(photo);
        return whole[..(whole.Length / 2)];
    }

    /// <summary>A few dozen bytes declaring a 50,000 × 50,000 RGB PNG: decoding it would need 7.5 GB.</summary>
    public static byte[] HugePngHeader()
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(0), 50_000);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), 50_000);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // truecolour
        var idat = new byte[] { 0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01 };
        return [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, .. Chunk("IHDR", ihdr), .. Chunk("IDAT", idat), .. Chunk("IEND", [])];
    }

    /// <summary>
    /// A real interlaced (Adam7) PNG of 16-bit RGBA pixels in one random colour, written row by row without holding the
    /// picture: small on disk however large it declares itself, and decodable only whole.
    /// </summary>
    public static byte[] InterlacedPng(int width, int height)
    {
        var pixel = new byte[8];
        Random.Shared.NextBytes(pixel.AsSpan(0, 6));
        pixel[6] = pixel[7] = 0xFF;
        using var compressed = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            foreach (var (x0, y0, dx, dy) in new[] { (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2) })
            {
                var (columns, rows) = ((width - x0 + dx - 1) / dx, (height - y0 + dy - 1) / dy);
                if (columns == 0 || rows == 0)
                {
                    continue;
                }
                var row = new byte[1 + columns * pixel.Length]; // filter type 0, then the pixels
                for (var i = 1; i < row.Length; i += pixel.Length)
                {
                    pixel.CopyTo(row, i);
                }
                for (var y = 0; y < rows; y++)
                {
                    zlib.Write(row);
                }
            }
        }
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(0), (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = 16; // bit depth
        ihdr[9] = 6; // truecolour with alpha
        ihdr[12] = 1; // Adam7
        return [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, .. Chunk("IHDR", ihdr), .. Chunk("IDAT", compressed.ToArray()), .. Chunk("IEND", [])];
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        var typeAndData = (byte[])[.. Encoding.ASCII.GetBytes(type), .. data];
        var chunk = new byte[8 + data.Length + 4];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        typeAndData.CopyTo(chunk, 4);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.HashToUInt32(typeAndData));
        return chunk;
    }

    public static byte[] SvgWithScript() =>
        Encoding.UTF8.GetBytes("""<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script><rect width="10" height="10"/></svg>""");

    /// <summary>A picture with a red square centred on (<paramref name="x"/>, <paramref name="y"/>) (fractions) on grey.</summary>
    public static byte[] RedSquareAt(int width, int height, double x, double y, int size)
    {
        using var grey = Image.Black(width, height, bands: 3).Linear([1, 1, 1], [128 + Random.Shared.Next(-20, 20), 128, 128]).Cast(Enums.BandFormat.Uchar);
        using var red = Image.Black(size, size, bands: 3).Linear([1, 1, 1], [255, 0, 0]).Cast(Enums.BandFormat.Uchar);
        using var composed = grey.Insert(red, (int)(x * width) - size / 2, (int)(y * height) - size / 2);
        using var srgb = composed.Copy(interpretation: Enums.Interpretation.Srgb);
        return srgb.JpegsaveBuffer(q: 90);
    }
}
