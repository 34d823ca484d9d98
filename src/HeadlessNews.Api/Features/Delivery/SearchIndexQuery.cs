using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;
using NpgsqlTypes;
using static HeadlessNews.Api.Features.Delivery.SearchIndexDocuments;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>A match the index chose for a search, ranked: <c>Tier</c> 1 for those past the first candidates of their kind.</summary>
internal sealed record IndexedMatch(string Kind, Guid Id, float Rank, long At, int Tier, Func<string?> Shown);

/// <summary>
/// A search over <see cref="SearchIndex"/>: the query as PostgreSQL parses it (<c>websearch_to_tsquery</c>, English and
/// folded Welsh) turned into the index's terms, the newest matches of each kind asked kept as candidates, and each ranked
/// as <see cref="SearchEndpoints"/> describes.
/// </summary>
internal sealed partial class SearchIndexQuery(NpgsqlTsQuery english, NpgsqlTsQuery welsh)
{
    private readonly string[] _englishLexemes = Wanted(english).Distinct().ToArray();
    private readonly string[] _welshLexemes = Wanted(welsh).Distinct().ToArray();

    /// <summary>The lexemes the English form wants present: the words English snippets mark.</summary>
    public string[] EnglishLexemes => _englishLexemes;

    /// <summary>The first lexeme of each form as its text shows it: a snippet is cut around it (as <c>SearchEndpoints.FirstLexeme</c> in SQL).</summary>
    public string? EnglishStem { get; } = FirstLexeme(english);

    public string? WelshStem { get; } = FirstLexeme(welsh);

    /// <summary>The Welsh form, which ts_headline marks Welsh snippets with.</summary>
    public NpgsqlTsQuery WelshForm => welsh;

    private static string? FirstLexeme(NpgsqlTsQuery query) => FirstQuoted().Match(query.ToString()) is { Success: true } first ? first.Groups[1].Value : null;

    [System.Text.RegularExpressions.GeneratedRegex("'([^']+)'")]
    private static partial System.Text.RegularExpressions.Regex FirstQuoted();

    /// <summary>
    /// The newest <paramref name="candidates"/> matches of each kind visible at <paramref name="now"/>, ranked; the first
    /// <paramref name="firstTier"/> of each kind are tier 0. <paramref name="newestFirst"/> are the segments whose
    /// documents are in newest-first order (see <see cref="SearchIndex.NewestFirst"/>).
    /// </summary>
    public List<IndexedMatch> Candidates(IndexSearcher searcher, IReadOnlySet<object> newestFirst, IEnumerable<string> kinds, string? language, DateTimeOffset now, int candidates, int firstTier)
    {
        var matches = new List<IndexedMatch>();
        foreach (var kind in kinds)
        {
            if (Filtered(kind, language) is not { } query)
            {
                continue;
            }
            var newest = new NewestVisible(kind, now.UtcTicks, candidates, newestFirst);
            searcher.Search(query, newest);
            var found = newest.Documents();
            var relevance = Relevance(found, kind);
            for (var i = 0; i < found.Count; i++)
            {
                var candidate = found[i];
                var (id, at) = candidate.Read();
                matches.Add(new(kind, id, Score(relevance[i], at, now), at, i < firstTier ? 0 : 1, candidate.Shown));
            }
        }
        return matches;
    }

    /// <summary>A word's weight in a lead from how often the lead field holds it (see <c>SearchIndexDocuments.Weighted</c>).</summary>
    private static readonly double[] Weights = [0, 0.1, 0.2, 0.4, 1.0];

    /// <summary>
    /// Relevance from the best weight each of the query's words has in a match's lead (<see cref="SearchIndexDocuments"/>):
    /// PostgreSQL's weights, headline (A) 1, standfirst (B) 0.4, body opening or issuer (C) 0.2, other (D) 0.1, averaged
    /// over the words asked, so a headline holding every word is 1 as in ts_rank_cd, and a match deeper in the body 0.
    /// Read from each word's postings, skipping to the matches in document order. An article counts its own language's
    /// form of the query; notices and quotes, which hold both languages, the better of the two.
    /// </summary>
    private double[] Relevance(List<Candidate> found, string kind)
    {
        var english = new double[found.Count];
        var welsh = new double[found.Count];
        var inOrder = Enumerable.Range(0, found.Count).OrderBy(i => found[i].Document).ToArray();
        foreach (var (words, sums) in new[] { (_englishLexemes, english), (_welshLexemes, welsh) })
        {
            foreach (var word in words)
            {
                var term = new BytesRef(word);
                DocsEnum? postings = null;
                AtomicReaderContext? leaf = null;
                foreach (var i in inOrder)
                {
                    var candidate = found[i];
                    if (candidate.Leaf != leaf)
                    {
                        leaf = candidate.Leaf;
                        var terms = leaf.AtomicReader.GetTerms(Lead)?.GetEnumerator();
                        postings = terms is not null && terms.SeekExact(term) ? terms.Docs(null, null, DocsFlags.FREQS) : null;
                    }
                    var document = candidate.Document - leaf.DocBase;
                    if (postings is not null && (postings.DocID >= document || postings.Advance(document) != DocIdSetIterator.NO_MORE_DOCS) && postings.DocID == document)
                    {
                        sums[i] += Weights[Math.Min(postings.Freq, Weights.Length - 1)];
                    }
                }
            }
        }
        var relevance = new double[found.Count];
        for (var i = 0; i < found.Count; i++)
        {
            var inEnglish = _englishLexemes.Length == 0 ? 0 : english[i] / _englishLexemes.Length;
            var inWelsh = _welshLexemes.Length == 0 ? 0 : welsh[i] / _welshLexemes.Length;
            relevance[i] = kind switch
            {
                Article => found[i].Welsh ? inWelsh : inEnglish,
                Source => inEnglish,
                _ => Math.Max(inEnglish, inWelsh),
            };
        }
        return relevance;
    }

    /// <summary>
    /// <c>(0.05 + relevance) × (1 + 2^(−age / 7 days))</c>, as <see cref="SearchEndpoints"/> explains; an undated quote
    /// counts as new.
    /// </summary>
    private static float Score(double relevance, long at, DateTimeOffset now)
    {
        var weeks = at == long.MinValue ? 0 : Math.Max(0, (now.UtcTicks - at) / (double)TimeSpan.TicksPerDay / 7);
        return (float)((0.05 + relevance) * (1 + Math.Pow(2, -Math.Min(weeks, SearchEndpoints.MaxBoostWeeks))));
    }

    /// <summary>The query for one kind: its words as that kind is indexed, and the language asked.</summary>
    private Query? Filtered(string kind, string? language)
    {
        var match = kind switch
        {
            Article => Either(Match(english, WordsOf(Article)), Match(welsh, WordsOf(Article, welsh: true))),
            Notice when language is not null => language.StartsWith("cy", StringComparison.Ordinal) ? Match(welsh, Notice) : Match(english, Notice),
            Notice or Quote => Either(Match(english, kind), Match(welsh, kind)),
            _ => Match(english, kind),
        };
        if (match is null || language is null || kind == Source)
        {
            return match;
        }
        var primary = Primary(language);
        var inLanguage = kind == Notice
            ? Either(Either(new TermQuery(new Term(Readable, "primary:" + primary)), new TermQuery(new Term(Readable, "translated:" + language))),
                new TermQuery(new Term(Readable, "translated:" + primary)))!
            : new TermQuery(new Term(Language, language));
        return new BooleanQuery { { match, Occur.MUST }, { inLanguage, Occur.MUST } };
    }

    /// <summary>
    /// A parsed query as the index's terms; null when it asks for no word (only stop words, or only exclusions, which
    /// PostgreSQL's search also answered with nothing).
    /// </summary>
    private static Query? Match(NpgsqlTsQuery node, string field) => node switch
    {
        NpgsqlTsQueryLexeme lexeme => new TermQuery(new Term(field, lexeme.Text)),
        NpgsqlTsQueryAnd => AllOf(Operands(node), field),
        // An alternative that only excludes matches nearly everything; PostgreSQL's search found nothing for it.
        NpgsqlTsQueryOr { Left: NpgsqlTsQueryNot } or NpgsqlTsQueryOr { Right: NpgsqlTsQueryNot } => null,
        NpgsqlTsQueryOr or => Either(Match(or.Left, field), Match(or.Right, field)),
        NpgsqlTsQueryFollowedBy phrase => (Query?)Phrase(phrase, field) ?? AllOf([phrase.Left, phrase.Right], field),
        _ => null,
    };

    /// <summary>The operands of a chain of ANDs (PostgreSQL nests them from the left: <c>(!a &amp; !b) &amp; c</c>), each once.</summary>
    private static IEnumerable<NpgsqlTsQuery> Operands(NpgsqlTsQuery node) =>
        node is NpgsqlTsQueryAnd and ? Operands(and.Left).Concat(Operands(and.Right)) : [node];

    /// <summary>Every operand required, the excluded ones absent; null when none is required.</summary>
    private static BooleanQuery? AllOf(IEnumerable<NpgsqlTsQuery> operands, string field)
    {
        var query = new BooleanQuery();
        var wanted = false;
        foreach (var operand in operands)
        {
            if (operand is NpgsqlTsQueryNot not)
            {
                if (Match(not.Child, field) is { } excluded)
                {
                    query.Add(excluded, Occur.MUST_NOT);
                }
            }
            else if (Match(operand, field) is { } required)
            {
                query.Add(required, Occur.MUST);
                wanted = true;
            }
        }
        return wanted ? query : null;
    }

    private static Query? Either(Query? left, Query? right) =>
        left is null ? right : right is null ? left : new BooleanQuery { { left, Occur.SHOULD }, { right, Occur.SHOULD } };

    /// <summary>A phrase of lexemes (<c>'harbour' &lt;-&gt; 'wall'</c>, <c>&lt;2&gt;</c> over a stop word) at PostgreSQL's positions; null for anything else.</summary>
    private static PhraseQuery? Phrase(NpgsqlTsQueryFollowedBy phrase, string field)
    {
        var terms = new List<(string Lexeme, int Position)>();
        if (!Flatten(phrase, 0, terms, out _))
        {
            return null;
        }
        var query = new PhraseQuery();
        foreach (var (lexeme, position) in terms)
        {
            query.Add(new Term(field, lexeme), position);
        }
        return query;
    }

    private static bool Flatten(NpgsqlTsQuery node, int start, List<(string, int)> terms, out int end)
    {
        switch (node)
        {
            case NpgsqlTsQueryLexeme lexeme:
                terms.Add((lexeme.Text, start));
                end = start;
                return true;
            case NpgsqlTsQueryFollowedBy phrase when Flatten(phrase.Left, start, terms, out var leftEnd):
                return Flatten(phrase.Right, leftEnd + phrase.Distance, terms, out end);
            default:
                end = start;
                return false;
        }
    }

    /// <summary>The lexemes a parsed query wants present (not those it excludes): what relevance counts.</summary>
    private static IEnumerable<string> Wanted(NpgsqlTsQuery node) => node switch
    {
        NpgsqlTsQueryLexeme lexeme => [lexeme.Text],
        NpgsqlTsQueryBinOp pair => Wanted(pair.Left).Concat(Wanted(pair.Right)),
        _ => [],
    };

    /// <summary>A kept match: where it is, and what a search reads of it.</summary>
    private sealed record Candidate(int Document, AtomicReaderContext Leaf, BinaryDocValues Ids, NumericDocValues At, bool Welsh)
    {
        /// <summary>An English article's slug, headline and snippet text (see <see cref="SearchIndexDocuments"/>); null for anything else.</summary>
        public string? Shown()
        {
            if (Welsh || Leaf.AtomicReader.GetBinaryDocValues(SearchIndexDocuments.Shown) is not { } values)
            {
                return null;
            }
            var shown = new BytesRef();
            values.Get(Document - Leaf.DocBase, shown);
            return shown.Length == 0 ? null : shown.Utf8ToString();
        }

        public (Guid Id, long At) Read()
        {
            var id = new BytesRef();
            Ids.Get(Document - Leaf.DocBase, id);
            return (new Guid(id.Bytes.AsSpan(id.Offset, id.Length)), At.Get(Document - Leaf.DocBase));
        }
    }

    /// <summary>
    /// The newest <c>size</c> matches visible at <c>now</c>, newest first: articles from their time, notices within their
    /// window, quotes and sources from when a visible article first used them (read from doc values for each match: a
    /// range query over all that is visible built a bit set of the whole index on every search). In a segment whose
    /// documents are newest first the first <c>size</c> visible matches are its newest, so it is read no further.
    /// </summary>
    private sealed class NewestVisible(string kind, long now, int size, IReadOnlySet<object> newestFirst) : ICollector
    {
        private readonly PriorityQueue<Candidate, (long Time, int Document)> _kept = new(Comparer<(long Time, int Document)>.Create(
            (a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : b.Document.CompareTo(a.Document)));
        private AtomicReaderContext? _leaf;
        private BinaryDocValues _ids = DocValues.EMPTY_BINARY;
        private NumericDocValues _time = DocValues.EMPTY_NUMERIC;
        private NumericDocValues _at = DocValues.EMPTY_NUMERIC;
        private NumericDocValues _welsh = DocValues.EMPTY_NUMERIC;
        private NumericDocValues _from = DocValues.EMPTY_NUMERIC;
        private NumericDocValues _to = DocValues.EMPTY_NUMERIC;
        private int _leftInOrder;

        public bool AcceptsDocsOutOfOrder => false;

        public void SetScorer(Scorer scorer)
        {
        }

        public void SetNextReader(AtomicReaderContext context)
        {
            _leaf = context;
            var reader = context.AtomicReader;
            NumericDocValues Numbers(string field) => reader.GetNumericDocValues(field) ?? DocValues.EMPTY_NUMERIC;
            _ids = reader.GetBinaryDocValues(Id) ?? DocValues.EMPTY_BINARY;
            _time = Numbers(Time);
            _at = Numbers(At);
            _welsh = Numbers(Welsh);
            (_from, _to) = kind switch
            {
                Article => (_time, DocValues.EMPTY_NUMERIC),
                Notice => (Numbers(From), Numbers(To)),
                _ => (Numbers(Visible), DocValues.EMPTY_NUMERIC),
            };
            _leftInOrder = newestFirst.Contains(reader.CoreCacheKey) ? size : int.MaxValue;
        }

        public void Collect(int doc)
        {
            if (_from.Get(doc) > now || (kind == Notice && _to.Get(doc) <= now))
            {
                return;
            }
            var key = (_time.Get(doc), _leaf!.DocBase + doc);
            if (_kept.Count < size)
            {
                _kept.Enqueue(new(key.Item2, _leaf, _ids, _at, _welsh.Get(doc) == 1), key);
            }
            else if (_kept.TryPeek(out _, out var oldest) && (key.Item1 > oldest.Time || (key.Item1 == oldest.Time && key.Item2 < oldest.Document)))
            {
                _kept.DequeueEnqueue(new(key.Item2, _leaf, _ids, _at, _welsh.Get(doc) == 1), key);
            }
            if (--_leftInOrder == 0)
            {
                throw new CollectionTerminatedException();
            }
        }

        /// <summary>The kept matches, newest first.</summary>
        public List<Candidate> Documents()
        {
            var documents = new List<Candidate>(_kept.Count);
            while (_kept.TryDequeue(out var document, out _))
            {
                documents.Add(document);
            }
            documents.Reverse();
            return documents;
        }
    }
}
