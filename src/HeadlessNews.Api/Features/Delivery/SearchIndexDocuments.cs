using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Util;
using Npgsql;
using NpgsqlTypes;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>
/// What the search index (<see cref="SearchIndex"/>) holds of each searchable thing, read from PostgreSQL: the lexemes of
/// the search vector PostgreSQL already keeps for it, at their positions, so a word matches in the index exactly when it
/// matches in PostgreSQL (English-stemmed or Welsh-folded as the row was, phrases by position), and what the search
/// needs to choose and rank its candidates without reading a row: when it is visible, its time, language, and the best
/// weight of each lexeme in its lead (the ranking's relevance), and what an English article's hit shows. Everything
/// else a hit shows is read from PostgreSQL for the returned page only.
/// </summary>
internal static class SearchIndexDocuments
{
    public const string Key = "key", Time = "time", At = "at", Id = "id", Lead = "lead", Shown = "shown";
    public const string Welsh = "welsh", Language = "lang", Readable = "reads", From = "from", To = "to", Visible = "visible", Uses = "uses";

    public const string Article = "article", Notice = "notice", Quote = "quote", Source = "source";

    /// <summary>Between an article's slug, headline and snippet text in <see cref="Shown"/>: a character none of them holds.</summary>
    public const char ShownSeparator = '\0';

    /// <summary>An instant as the index keeps it; a missing one (a quote not dated) is <see cref="long.MinValue"/>.</summary>
    private static long Ticks(DateTimeOffset? instant) => instant?.UtcTicks ?? long.MinValue;

    public static Term KeyOf(string kind, Guid id) => new(Key, kind + ":" + id.ToString("N"));

    /// <summary>
    /// Each kind's rows: all of them, newest first, or (<paramref name="byId"/>) those whose ids are the statement's
    /// parameter. A row the index must no longer hold (unpublished, deleted) is not among them; a quote or source used by
    /// no published article is, without the time it became visible (<see cref="Read"/> makes no document of it).
    /// </summary>
    public static IEnumerable<(string Kind, string Sql)> Statements(bool byId)
    {
        var articles = byId ? "WHERE p.article_id = ANY($1)" : "ORDER BY p.visible_from DESC, p.article_id DESC";
        var notices = byId ? "AND n.id = ANY($1)" : "ORDER BY n.published_at DESC, n.id DESC";
        var quotes = byId ? "WHERE q.id = ANY($1)" : "ORDER BY q.created_at DESC, q.id DESC";
        var sources = byId ? "WHERE s.id = ANY($1)" : "ORDER BY s.created_at DESC, s.id DESC";
        yield return (Article, $"""
            SELECT p.article_id, p.visible_from, p.visible_from, p.language, p.search, p.search_lead,
                   p.quote_ids, p.source_ids, p.slug, p.headline, {SearchEndpoints.ArticleText}
              FROM published_articles p {articles}
            """);
        yield return (Notice, $"""
            SELECT n.id, n.published_at, n.published_at, n.language, n.search_vector, n.search_vector,
                   n.effective_from, n.effective_to, ARRAY(SELECT jsonb_object_keys(n.translations))
              FROM notices n WHERE n.status = 'published' {notices}
            """);
        // A quote or source is found while a visible article uses it: from the first such article's visible time.
        yield return (Quote, $"""
            SELECT q.id, q.created_at, q.said_at, q.language, q.search, q.search, used.since
              FROM quotes q CROSS JOIN LATERAL (
                   SELECT min(t.term_visible_from) AS since FROM published_article_terms t WHERE t.term = 'quote:' || q.id) used
              {quotes}
            """);
        yield return (Source, $"""
            SELECT s.id, s.created_at, s.created_at, 'en', s.search, s.search, used.since
              FROM sources s CROSS JOIN LATERAL (
                   SELECT min(t.term_visible_from) AS since FROM published_article_terms t WHERE t.term = 'source:' || s.id) used
              {sources}
            """);
    }

    /// <summary>The document for a row of <see cref="Statements"/>, or null when the row is not searchable now or later.</summary>
    public static Document? Read(string kind, NpgsqlDataReader row, out Guid id)
    {
        id = row.GetGuid(0);
        var language = row.GetString(3);
        var document = new Document
        {
            new StringField(Key, kind + ":" + id.ToString("N"), Field.Store.NO),
            new BinaryDocValuesField(Id, new BytesRef(id.ToByteArray())),
            new NumericDocValuesField(Time, row.GetFieldValue<DateTimeOffset>(1).UtcTicks),
            new NumericDocValuesField(At, Ticks(row.IsDBNull(2) ? null : row.GetFieldValue<DateTimeOffset>(2))),
            new NumericDocValuesField(Welsh, IsWelsh(language) ? 1 : 0),
            new Field(WordsOf(kind, IsWelsh(language)), new Tokens(Positioned(row.GetFieldValue<NpgsqlTsVector>(4))), WordsType),
            new Field(Lead, new Tokens(Weighted(row.GetFieldValue<NpgsqlTsVector>(5))), LeadType),
        };
        foreach (var tag in LanguageTags(language))
        {
            document.Add(new StringField(Language, tag, Field.Store.NO));
        }
        switch (kind)
        {
            case Article:
                // What an English article's hit shows, so that a page of them needs nothing from the database (see SearchEndpoints).
                document.Add(new BinaryDocValuesField(Shown, new BytesRef(string.Join(ShownSeparator, row.GetString(8), row.GetString(9), row.GetString(10)))));
                foreach (var used in row.GetFieldValue<Guid[]>(6).Select(quote => Quote + ":" + quote.ToString("N"))
                             .Concat(row.GetFieldValue<Guid[]>(7).Select(source => Source + ":" + source.ToString("N"))))
                {
                    document.Add(new StringField(Uses, used, Field.Store.YES));
                }
                break;
            case Notice:
                document.Add(new NumericDocValuesField(From, row.IsDBNull(6) ? long.MinValue : row.GetFieldValue<DateTimeOffset>(6).UtcTicks));
                document.Add(new NumericDocValuesField(To, row.IsDBNull(7) ? long.MaxValue : row.GetFieldValue<DateTimeOffset>(7).UtcTicks));
                // Readable in its own language and each it is translated into (see SearchEndpoints.NoticeLanguage).
                document.Add(new StringField(Readable, "primary:" + Primary(language), Field.Store.NO));
                foreach (var translation in row.GetFieldValue<string[]>(8))
                {
                    document.Add(new StringField(Readable, "translated:" + translation, Field.Store.NO));
                }
                break;
            default:
                if (row.IsDBNull(6))
                {
                    return null;
                }
                document.Add(new NumericDocValuesField(Visible, row.GetFieldValue<DateTimeOffset>(6).UtcTicks));
                break;
        }
        return document;
    }

    /// <summary>
    /// The field holding a kind's words, so that a search reads only the kind it asks for: an article's in its language's
    /// form (English-stemmed or Welsh-folded, and each matched with the query parsed the same way); notices and quotes
    /// hold both languages in one vector, and sources English.
    /// </summary>
    public static string WordsOf(string kind, bool welsh = false) => kind == Article ? (welsh ? "article.cy" : "article.en") : kind;

    /// <summary>Welsh rows were indexed with the simple configuration and folded (see <see cref="SearchVectors.WelshQuery"/>), as PostgreSQL's <c>LIKE 'cy%'</c> tells them.</summary>
    private static bool IsWelsh(string language) => language.StartsWith("cy", StringComparison.Ordinal);

    public static string Primary(string language) => language.Split('-')[0];

    /// <summary>A tag and each shorter prefix of it (cy-GB: cy-GB, cy), so that a term for the filter's tag matches as <c>Languages.MatchSql</c> does.</summary>
    private static IEnumerable<string> LanguageTags(string language)
    {
        for (var end = language.Length; end > 0; end = language.LastIndexOf('-', end - 1))
        {
            yield return language[..end];
        }
    }

    /// <summary>A tsvector's lexemes at their positions (PostgreSQL counts positions from 1, stop words included).</summary>
    private static (int Position, string Lexeme)[] Positioned(NpgsqlTsVector vector) =>
        vector.SelectMany(lexeme => lexeme.Count == 0
                ? [(1, lexeme.Text)]
                : Enumerable.Range(0, lexeme.Count).Select(i => (Math.Max(1, lexeme[i].Pos), lexeme.Text)))
            .OrderBy(token => token.Item1).ToArray();

    /// <summary>
    /// Each lexeme of the lead once per step of the best weight it has there (D once … A, the headline's, four times), so
    /// that its frequency in the lead field is its weight: one lookup a word when ranking.
    /// </summary>
    private static (int Position, string Lexeme)[] Weighted(NpgsqlTsVector vector)
    {
        var tokens = new List<(int, string)>();
        foreach (var lexeme in vector)
        {
            var best = NpgsqlTsVector.Lexeme.Weight.D;
            for (var i = 0; i < lexeme.Count; i++)
            {
                best = lexeme[i].Weight > best ? lexeme[i].Weight : best;
            }
            for (var step = 0; step <= (int)best; step++)
            {
                tokens.Add((tokens.Count + 1, lexeme.Text));
            }
        }
        return [.. tokens];
    }

    /// <summary>Words are matched and phrases found by position; nothing is scored by the index itself or stored.</summary>
    private static readonly FieldType WordsType = new()
    {
        IsIndexed = true,
        IsTokenized = true,
        IsStored = false,
        OmitNorms = true,
        IndexOptions = IndexOptions.DOCS_AND_FREQS_AND_POSITIONS,
    };

    /// <summary>Only how often each word is there counts.</summary>
    private static readonly FieldType LeadType = new()
    {
        IsIndexed = true,
        IsTokenized = true,
        IsStored = false,
        OmitNorms = true,
        IndexOptions = IndexOptions.DOCS_AND_FREQS,
    };

    /// <summary>Lexemes as tokens, in position order.</summary>
    private sealed class Tokens : TokenStream
    {
        private readonly (int Position, string Lexeme)[] _tokens;
        private readonly ICharTermAttribute _term;
        private readonly IPositionIncrementAttribute _increment;
        private int _next;
        private int _position;

        public Tokens((int Position, string Lexeme)[] tokens)
        {
            _tokens = tokens;
            _term = AddAttribute<ICharTermAttribute>();
            _increment = AddAttribute<IPositionIncrementAttribute>();
        }

        public override bool IncrementToken()
        {
            if (_next == _tokens.Length)
            {
                return false;
            }
            ClearAttributes();
            var (position, lexeme) = _tokens[_next++];
            _term.SetEmpty().Append(lexeme);
            _increment.PositionIncrement = position - _position;
            _position = position;
            return true;
        }

        public override void Reset()
        {
            base.Reset();
            _next = 0;
            _position = 0;
        }
    }
}
