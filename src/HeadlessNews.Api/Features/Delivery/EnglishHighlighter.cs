using System.Globalization;
using System.Text;
using Lucene.Net.Tartarus.Snowball.Ext;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>
/// Marks the words of an English snippet that index as one of a search's lexemes, as PostgreSQL's <c>ts_headline</c> did
/// under the english configuration, for a fraction of its cost: it parsed and stemmed every word of every snippet, a quarter
/// of a search's database time. A word is unaccented and lower-cased as the search vectors are, then stemmed with the same
/// Snowball English (Porter2) stemmer: on 25,723 distinct words of English prose it gave PostgreSQL's <c>english_stem</c>
/// lexeme for every one that is not a stop word. Only a word that begins with the first letter of a lexeme is stemmed
/// (a Snowball stem keeps its word's first letter, not always the rest: city ⇒ citi, dying ⇒ die).
/// </summary>
public sealed class EnglishHighlighter
{
    private readonly HashSet<string> _lexemes;
    private readonly string _firstLetters;
    private readonly EnglishStemmer _stemmer = new();

    /// <summary>Each word stemmed so far and whether it matched: a page's snippets repeat their words.</summary>
    private readonly Dictionary<string, bool>.AlternateLookup<ReadOnlySpan<char>> _verdicts =
        new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    public EnglishHighlighter(IEnumerable<string> lexemes)
    {
        _lexemes = new HashSet<string>(lexemes, StringComparer.Ordinal);
        _firstLetters = string.Concat(_lexemes.Where(l => l.Length > 0).Select(l => l[0]).Distinct());
    }

    /// <summary><paramref name="text"/> with each word that matches between <paramref name="start"/> and <paramref name="end"/>.</summary>
    public string Mark(string text, char start, char end)
    {
        StringBuilder? marked = null;
        var copied = 0;
        var at = 0;
        while (at < text.Length)
        {
            if (!char.IsLetterOrDigit(text[at]))
            {
                at++;
                continue;
            }
            var wordStart = at;
            while (at < text.Length && char.IsLetterOrDigit(text[at]))
            {
                at++;
            }
            if (Matches(text.AsSpan(wordStart, at - wordStart)))
            {
                marked ??= new StringBuilder(text.Length + 8);
                marked.Append(text, copied, wordStart - copied).Append(start).Append(text, wordStart, at - wordStart).Append(end);
                copied = at;
            }
        }
        return marked is null ? text : marked.Append(text, copied, text.Length - copied).ToString();
    }

    private bool Matches(ReadOnlySpan<char> word)
    {
        var folded = Ascii.IsValid(word) ? null : Unaccented(word);
        if (folded is { Length: 0 } || !_firstLetters.Contains(folded is null ? char.ToLowerInvariant(word[0]) : folded[0], StringComparison.Ordinal))
        {
            return false;
        }
        if (!_verdicts.TryGetValue(word, out var verdict))
        {
            verdict = IndexesAsLexeme(folded ?? word.ToString().ToLowerInvariant());
            _verdicts[word] = verdict;
        }
        return verdict;
    }

    private bool IndexesAsLexeme(string lowered)
    {
        // A word with a digit in it (A55, 2027) is indexed as it is written, not stemmed.
        if (lowered.AsSpan().ContainsAnyInRange('0', '9'))
        {
            return _lexemes.Contains(lowered);
        }
        _stemmer.SetCurrent(lowered);
        _stemmer.Stem();
        return _lexemes.Contains(_stemmer.Current);
    }

    /// <summary>Lower case without diacritics (ŵ ⇒ w, é ⇒ e), as <c>hn_unaccent</c> folds the text before it is indexed.</summary>
    private static string Unaccented(ReadOnlySpan<char> word)
    {
        var decomposed = word.ToString().ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var kept = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                kept.Append(c);
            }
        }
        return kept.ToString().Normalize(NormalizationForm.FormC);
    }
}
