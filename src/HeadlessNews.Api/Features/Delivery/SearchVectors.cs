using System.Globalization;
using HeadlessNews.Api.Features.Notices;
using HeadlessNews.Api.Features.Quotes;
using HeadlessNews.Api.Features.Sources;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NpgsqlTypes;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>
/// Search vectors that delivery adds to quotes and sources (stored generated columns with GIN indexes), so
/// <c>/v1/quotes?q=</c>, <c>/v1/sources?q=</c> and <c>/v1/search</c> never scan those tables. A quote's holds the speaker (B),
/// its text in its own language and each translation's text (A, through <c>hn_translated_text_vector</c>, see the
/// TranslationsQuoteSearch migration), so English or Welsh words find it (<see cref="SearchVectors.EitherLanguageMatchSql"/>).
/// </summary>
internal sealed class QuoteSearchConfiguration : IEntityTypeConfiguration<Quote>
{
    public void Configure(EntityTypeBuilder<Quote> builder)
    {
        builder.Property<NpgsqlTsVector>(SearchVectors.Column).HasComputedColumnSql($"""
            setweight(to_tsvector('simple'::regconfig, hn_unaccent(speaker_name || ' ' || coalesce(speaker_organisation, ''))), 'B') ||
            setweight(to_tsvector({PublishedArticleConfiguration.SearchConfiguration}, {PublishedArticleConfiguration.SearchText("text")}), 'A') ||
            hn_translated_text_vector(translations, 'text', 'A', 5000)
            """, stored: true);
        builder.HasIndex(SearchVectors.Column).HasMethod("gin");
    }
}

internal sealed class SourceSearchConfiguration : IEntityTypeConfiguration<Source>
{
    public void Configure(EntityTypeBuilder<Source> builder)
    {
        builder.Property<NpgsqlTsVector>(SearchVectors.Column).HasComputedColumnSql("""
            setweight(to_tsvector('english'::regconfig, hn_unaccent(title)), 'A') ||
            setweight(to_tsvector('english'::regconfig, hn_unaccent(coalesce(publisher, ''))), 'B') ||
            setweight(to_tsvector('english'::regconfig, hn_unaccent(left(coalesce(description, ''), 200000))), 'C')
            """, stored: true);
        builder.HasIndex(SearchVectors.Column).HasMethod("gin");
    }
}

/// <summary>
/// A notice's vector: title (A), body (B), issuer and place (C) in its own language, plus each translation's title and
/// body through <c>hn_translations_vector</c> (see the TranslationsNotices migration), every text indexed as its
/// language is (Welsh folded, the rest English-stemmed). Inputs are capped because to_tsvector fails on documents over
/// 1 MB; the sanitiser can lengthen a body slightly, so the cap does not rely on request validation alone.
/// </summary>
internal sealed class NoticeSearchConfiguration : IEntityTypeConfiguration<Notice>
{
    public void Configure(EntityTypeBuilder<Notice> builder)
    {
        builder.Property(n => n.SearchVector).HasComputedColumnSql($"""
            setweight(to_tsvector({PublishedArticleConfiguration.SearchConfiguration}, {PublishedArticleConfiguration.SearchText("left(title, 1000)")}), 'A')
            || setweight(to_tsvector({PublishedArticleConfiguration.SearchConfiguration}, {PublishedArticleConfiguration.SearchText("left(body, 100000)")}), 'B')
            || setweight(to_tsvector('english'::regconfig, hn_unaccent(left(issuer_name || ' ' || coalesce(location_description, ''), 1000))), 'C')
            || hn_translations_vector(translations)
            """, stored: true);
        builder.HasIndex(n => n.SearchVector).HasMethod("gin");
    }
}

public static class SearchVectors
{
    public const string Column = "Search";

    /// <summary>
    /// Bounds on <c>q</c> wherever delivery searches: every word is one more index lookup and one more term to rank and
    /// highlight in every match, for an anonymous caller.
    /// </summary>
    public const int MaxQueryLength = 200;

    public const int MaxQueryWords = 8;

    /// <summary>A 400 naming <c>q</c> when it is over <see cref="MaxQueryLength"/> or <see cref="MaxQueryWords"/>; none for no query.</summary>
    public static ProblemHttpResult? QueryProblem(string? q) => q is not null && (q.Length > MaxQueryLength || Words(q) > MaxQueryWords)
        ? Problems.Validation("q", $"q is at most {MaxQueryLength} characters and {MaxQueryWords} words (OR between words is not counted).")
        : null;

    /// <summary>Words as the text search parser splits them (runs of letters, digits and combining marks); OR is syntax.</summary>
    private static int Words(string q)
    {
        static bool InWord(char c) => char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark;
        var words = 0;
        for (var i = 0; i < q.Length;)
        {
            if (!InWord(q[i]))
            {
                i++;
                continue;
            }
            var start = i;
            while (i < q.Length && InWord(q[i]))
            {
                i++;
            }
            if (!q.AsSpan(start, i - start).Equals("or", StringComparison.OrdinalIgnoreCase))
            {
                words++;
            }
        }
        return words;
    }

    /// <summary>
    /// websearch_to_tsquery syntax (quotes, OR, -exclusion) with accents folded like the indexed text. Welsh (cy) rows
    /// were indexed with the simple configuration and everything else with English stemming, so each row is matched
    /// with the query parsed the same way; both branches can use the GIN index. <c>{0}</c> is the user's query (a parameter).
    /// </summary>
    public static string MatchSql(string? languageColumn, string vectorColumn = "search") => languageColumn is null
        ? $"{vectorColumn} @@ websearch_to_tsquery('english'::regconfig, hn_unaccent({{0}}))"
        : $"(({languageColumn} NOT LIKE 'cy%' AND {vectorColumn} @@ websearch_to_tsquery('english'::regconfig, hn_unaccent({{0}}))) OR " +
          $"({languageColumn} LIKE 'cy%' AND {vectorColumn} @@ {WelshQuery("{0}")}))";

    /// <summary>
    /// Welsh has no stemmer in PostgreSQL. Its words change at the start instead (initial mutations: Caerdydd, yng
    /// Nghaerdydd, i Gaerdydd, a Chaerdydd), so Welsh text and queries are both folded by <c>hn_welsh_fold</c> (see the
    /// TranslationsWelshSearch migration): each word's mutable initial is reduced to one form per mutation family, then the
    /// simple configuration indexes it. Measured on 213 mutated forms of 103 words: recall 100 %, 6 unrelated of 322 results.
    /// This is the user's query (<paramref name="parameter"/>, websearch syntax) folded as Welsh text is.
    /// </summary>
    public static string WelshQuery(string parameter) => $"websearch_to_tsquery('simple'::regconfig, hn_welsh_fold(hn_unaccent({parameter})))";

    /// <summary>
    /// For content holding texts in several languages (a bilingual notice): English-stemmed or Welsh-folded words match.
    /// One tsquery ORing both (<c>||</c>) is one index scan whose matches need no re-check; <c>@@ a OR @@ b</c> re-checks
    /// both against every row's vector.
    /// </summary>
    public static string EitherLanguageMatchSql(string vectorColumn) =>
        $"{vectorColumn} @@ (websearch_to_tsquery('english'::regconfig, hn_unaccent({{0}})) || {WelshQuery("{0}")})";

    /// <summary>Rows of <paramref name="table"/> with texts in several languages (see <see cref="EitherLanguageMatchSql"/>) matching <paramref name="q"/>.</summary>
    public static IQueryable<T> MatchingEitherLanguage<T>(this DbSet<T> set, string table, string q, string vectorColumn) where T : class =>
        set.WhereMatch(table, EitherLanguageMatchSql(vectorColumn), q);

    /// <summary>Rows of <paramref name="table"/> (one with a <c>search</c> vector) matching <paramref name="q"/>, via its GIN index.</summary>
    public static IQueryable<T> Matching<T>(this DbSet<T> set, string table, string? languageColumn, string q, string vectorColumn = "search") where T : class =>
        set.WhereMatch(table, MatchSql(languageColumn, vectorColumn), q);

    /// <summary><paramref name="condition"/> is SQL of this class with <c>{0}</c> for the query, which is passed as a parameter.</summary>
    private static IQueryable<T> WhereMatch<T>(this DbSet<T> set, string table, string condition, string q) where T : class =>
        set.FromSql(System.Runtime.CompilerServices.FormattableStringFactory.Create($"SELECT * FROM {table} WHERE {condition}", q));
}
