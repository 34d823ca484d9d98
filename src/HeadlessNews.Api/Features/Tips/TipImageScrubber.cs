using NetVips;

namespace HeadlessNews.Api.Features.Tips;

/// <summary>
/// Re-encodes an image so nothing but its pixels survives: EXIF (GPS, camera serials), XMP, IPTC, ICC and comments are
/// dropped (<c>keep=none</c>), the orientation applied first. Kept apart so it can later call the media pipeline.
/// </summary>
internal static class TipImageScrubber
{
    /// <summary>The contract's pixel ceiling for uploads, judged from the header before decoding.</summary>
    private const long MaxPixels = 100_000_000;

    static TipImageScrubber()
    {
        Cache.Max = 0;
    }

    /// <summary>The clean image (PNG when it has transparency, else JPEG), or why it was refused.</summary>
    public static (byte[]? Bytes, string? ContentType, string? Refusal) Reencode(byte[] input)
    {
        try
        {
            using var image = Image.NewFromBuffer(input, failOn: Enums.FailOn.Error);
            if ((long)image.Width * image.Height > MaxPixels)
            {
                return (null, null, $"The image has more than {MaxPixels:N0} pixels.");
            }
            using var upright = image.Autorot();
            return upright.HasAlpha()
                ? (upright.WriteToBuffer(".png[keep=none]"), "image/png", null)
                : (upright.WriteToBuffer(".jpg[Q=90,keep=none]"), "image/jpeg", null);
        }
        catch (VipsException)
        {
            return (null, null, "The image does not decode completely (truncated or corrupt).");
        }
    }
}
