using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;
using NpgsqlTypes;
using static HeadlessNews.Api.Features.Delivery.SearchIndexDocuments;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>A match the index chose for a search, ranked: <c>Tier</c> 1 for those past the first candidates of their kind.</summary>
internal sealed record IndexedMatch(string Kind, Guid Id, float Rank, long At, int Tier);

/// <summary>
/// A search over <see cref="SearchIndex"/>: the query as PostgreSQL parses it (<c>websearch_to_tsquery</c>, English and
/// folded Welsh) turned into the index's terms, the newest matches of each kind asked kept as candidates, and each ranked
/// as <see cref="SearchEndpoints"/> describes.
/// </summary>
internal sealed class SearchIndexQuery(NpgsqlTsQuery english, NpgsqlTsQuery welsh)
{
    private readonly Query? _english = Match(english);
    private readonly Query? _welsh = Match(welsh);
    private readonly string[] _englishLexemes = Wanted(english).Distinct().ToArray();
    private readonly string[] _welshLexemes = Wanted(welsh).Distinct().ToArray();

    private static readonly Sort NewestFirst = new(new SortField(Time, SortFieldType.INT64, true));

    /// <summary>
    /// The newest <paramref name="candidates"/> matches of each kind visible at <paramref name="now"/>, ranked; the first
    /// <paramref name="firstTier"/> of each kind are tier 0.
    /// </summary>
    public List<IndexedMatch> Candidates(IndexSearcher searcher, IEnumerable<string> kinds, string? language, DateTimeOffset now, int candidates, int firstTier)
    {
        var matches = new List<IndexedMatch>();
        var leaves = new Dictionary<int, Leaf>();
        foreach (var kind in kinds)
        {
            if (Filtered(kind, language, now.UtcTicks) is not { } query)
            {
                continue;
            }
            var top = searcher.Search(query, null, candidates, NewestFirst);
            for (var i = 0; i < top.ScoreDocs.Length; i++)
            {
                var document = top.ScoreDocs[i].Doc;
                var index = ReaderUtil.SubIndex(document, searcher.IndexReader.Leaves);
                if (!leaves.TryGetValue(index, out var leaf))
                {
                    leaves[index] = leaf = new Leaf(searcher.IndexReader.Leaves[index], _englishLexemes, _welshLexemes);
                }
                var (id, at, relevance) = leaf.Read(document, kind);
                matches.Add(new(kind, id, Score(relevance, at, now), at, i < firstTier ? 0 : 1));
            }
        }
        return matches;
    }

    /// <summary>
    /// <c>(0.05 + relevance) × (1 + 2^(−age / 7 days))</c>, as <see cref="SearchEndpoints"/> explains; an undated quote
    /// counts as new.
    /// </summary>
    private static float Score(double relevance, long at, DateTimeOffset now)
    {
        var weeks = at == long.MinValue ? 0 : Math.Max(0, (now.UtcTicks - at) / (double)TimeSpan.TicksPerDay / 7);
        return (float)((0.05 + relevance) * (1 + Math.Pow(2, -Math.Min(weeks, 64))));
    }

    /// <summary>The query for one kind: its words as that kind is indexed, what is visible now, and the language asked.</summary>
    private BooleanQuery? Filtered(string kind, string? language, long now)
    {
        var match = kind switch
        {
            Article => Either(_english is null ? null : And(new TermQuery(new Term(Welsh, "0")), _english),
                              _welsh is null ? null : And(new TermQuery(new Term(Welsh, "1")), _welsh)),
            Notice when language is not null => language.StartsWith("cy", StringComparison.Ordinal) ? _welsh : _english,
            Notice or Quote => Either(_english, _welsh),
            _ => _english,
        };
        if (match is null)
        {
            return null;
        }
        var query = new BooleanQuery { { new TermQuery(new Term(Kind, kind)), Occur.MUST }, { match, Occur.MUST } };
        switch (kind)
        {
            case Article:
                query.Add(NumericRangeQuery.NewInt64Range(Time, null, now, true, true), Occur.MUST);
                break;
            case Notice:
                query.Add(NumericRangeQuery.NewInt64Range(From, null, now, true, true), Occur.MUST);
                query.Add(NumericRangeQuery.NewInt64Range(To, now, null, false, true), Occur.MUST);
                break;
            default:
                query.Add(NumericRangeQuery.NewInt64Range(Visible, null, now, true, true), Occur.MUST);
                break;
        }
        if (language is not null && kind is Article or Quote)
        {
            query.Add(new TermQuery(new Term(Language, language)), Occur.MUST);
        }
        else if (language is not null && kind is Notice)
        {
            var primary = Primary(language);
            query.Add(Either(Either(new TermQuery(new Term(Readable, "primary:" + primary)), new TermQuery(new Term(Readable, "translated:" + language))),
                new TermQuery(new Term(Readable, "translated:" + primary)))!, Occur.MUST);
        }
        return query;
    }

    /// <summary>
    /// A parsed query as the index's terms; null when it asks for no word (only stop words, or only exclusions, which
    /// PostgreSQL's search also answered with nothing).
    /// </summary>
    private static Query? Match(NpgsqlTsQuery node) => node switch
    {
        NpgsqlTsQueryLexeme lexeme => new TermQuery(new Term(Words, lexeme.Text)),
        NpgsqlTsQueryAnd and => AndOf(and.Left, and.Right),
        NpgsqlTsQueryOr or => Either(Match(or.Left), Match(or.Right)),
        NpgsqlTsQueryFollowedBy phrase => (Query?)Phrase(phrase) ?? AndOf(phrase.Left, phrase.Right),
        _ => null,
    };

    private static BooleanQuery? AndOf(NpgsqlTsQuery left, NpgsqlTsQuery right)
    {
        var query = new BooleanQuery();
        var wanted = false;
        foreach (var side in new[] { left, right })
        {
            if (side is NpgsqlTsQueryNot not)
            {
                if (Match(not.Child) is { } excluded)
                {
                    query.Add(excluded, Occur.MUST_NOT);
                }
            }
            else if (Match(side) is { } required)
            {
                query.Add(required, Occur.MUST);
                wanted = true;
            }
        }
        return wanted ? query : null;
    }

    private static BooleanQuery? And(Query left, Query? right) => right is null ? null : new BooleanQuery { { left, Occur.MUST }, { right, Occur.MUST } };

    private static Query? Either(Query? left, Query? right) =>
        left is null ? right : right is null ? left : new BooleanQuery { { left, Occur.SHOULD }, { right, Occur.SHOULD } };

    /// <summary>A phrase of lexemes (<c>'harbour' &lt;-&gt; 'wall'</c>, <c>&lt;2&gt;</c> over a stop word) at PostgreSQL's positions; null for anything else.</summary>
    private static PhraseQuery? Phrase(NpgsqlTsQueryFollowedBy phrase)
    {
        var terms = new List<(string Lexeme, int Position)>();
        if (!Flatten(phrase, 0, terms, out _))
        {
            return null;
        }
        var query = new PhraseQuery();
        foreach (var (lexeme, position) in terms)
        {
            query.Add(new Term(Words, lexeme), position);
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

    /// <summary>
    /// What a search reads of its candidates in one segment of the index: id, time, and relevance from the best weight
    /// each of the query's words has in the candidate's lead (<see cref="SearchIndexDocuments"/>): PostgreSQL's weights,
    /// headline (A) 1, standfirst (B) 0.4, body opening or issuer (C) 0.2, other (D) 0.1, averaged over the words asked,
    /// so a headline holding every word is 1 as in ts_rank_cd, and a match deeper in the body 0.
    /// </summary>
    private sealed class Leaf
    {
        private static readonly (char Letter, double Weight)[] Weights = [('A', 1.0), ('B', 0.4), ('C', 0.2), ('D', 0.1)];
        private readonly int _base;
        private readonly BinaryDocValues _ids;
        private readonly NumericDocValues _at;
        private readonly NumericDocValues _welsh;
        private readonly SortedSetDocValues _lead;
        private readonly Dictionary<long, double> _english = [];
        private readonly Dictionary<long, double> _welshWords = [];
        private readonly int _englishCount;
        private readonly int _welshCount;
        private readonly BytesRef _id = new();

        public Leaf(AtomicReaderContext context, string[] english, string[] welsh)
        {
            var reader = context.AtomicReader;
            _base = context.DocBase;
            _ids = reader.GetBinaryDocValues(Id);
            _at = reader.GetNumericDocValues(At);
            _welsh = reader.GetNumericDocValues(Welsh);
            _lead = reader.GetSortedSetDocValues(Lead) ?? DocValues.EMPTY_SORTED_SET;
            _englishCount = Find(english, _english);
            _welshCount = Find(welsh, _welshWords);
        }

        public (Guid Id, long At, double Relevance) Read(int document, string kind)
        {
            var inLeaf = document - _base;
            _ids.Get(inLeaf, _id);
            var relevance = kind switch
            {
                Article => Relevance(inLeaf, _welsh.Get(inLeaf) == 1),
                Source => Relevance(inLeaf, welsh: false),
                _ => Math.Max(Relevance(inLeaf, welsh: false), Relevance(inLeaf, welsh: true)),
            };
            return (new Guid(_id.Bytes.AsSpan(_id.Offset, _id.Length)), _at.Get(inLeaf), relevance);
        }

        private int Find(string[] words, Dictionary<long, double> ordinals)
        {
            foreach (var word in words)
            {
                foreach (var (letter, weight) in Weights)
                {
                    var ordinal = _lead.LookupTerm(new BytesRef(letter + word));
                    if (ordinal >= 0)
                    {
                        ordinals[ordinal] = weight;
                    }
                }
            }
            return words.Length;
        }

        private double Relevance(int document, bool welsh)
        {
            var (ordinals, words) = welsh ? (_welshWords, _welshCount) : (_english, _englishCount);
            if (ordinals.Count == 0)
            {
                return 0;
            }
            var total = 0.0;
            _lead.SetDocument(document);
            for (var ordinal = _lead.NextOrd(); ordinal != SortedSetDocValues.NO_MORE_ORDS; ordinal = _lead.NextOrd())
            {
                if (ordinals.TryGetValue(ordinal, out var weight))
                {
                    total += weight;
                }
            }
            return total / words;
        }
    }
}
