using System.Security.Cryptography;
using System.Text;

namespace HeadlessNews.Api.Features.Tips;

/// <summary>
/// Receipts: random phrases of plain English words (the list is ours, ReceiptWords.txt), at least 80 bits, which a
/// reader can copy by hand. Only their SHA-256 is stored: with that much entropy a fast hash cannot be reversed.
/// </summary>
public static class ReceiptPhrases
{
    public const string Header = "Tip-Receipt";
    public const int MinimumBits = 80;

    public static readonly IReadOnlyList<string> Words = Load();

    public static int WordCount { get; } = (int)Math.Ceiling(MinimumBits / Math.Log2(Words.Count));

    public static double Bits => WordCount * Math.Log2(Words.Count);

    public static string Create() =>
        string.Join('-', Enumerable.Range(0, WordCount).Select(_ => Words[RandomNumberGenerator.GetInt32(Words.Count)]));

    /// <summary>The stored form of a phrase as a reader may type it: any case, words separated by hyphens or spaces.</summary>
    public static byte[] Hash(string phrase)
    {
        var words = phrase.ToLowerInvariant().Split([' ', '-', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('-', words)));
    }

    private static string[] Load()
    {
        using var stream = typeof(ReceiptPhrases).Assembly.GetManifestResourceStream("HeadlessNews.Api.Features.Tips.ReceiptWords.txt")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();
    }
}
