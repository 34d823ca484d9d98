using System.Collections.Concurrent;
using System.Text;
using HeadlessNews.Api.Infrastructure.Caching;
using Npgsql;
using NpgsqlTypes;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>
/// <c>/v1/search</c>: one ranked list over visible articles, active notices, and quotes and sources in use, each match found
/// through its GIN-indexed vector, with a highlighted snippet made only for the page being returned.
/// </summary>
public static class SearchEndpoints
{
    private const int MaxResults = 1000;
    private const string CursorPurpose = "search-cursor";
    private const char MarkStart = '\u0002';
    private const char MarkEnd = '\u0003';

    /// <summary>
    /// Snippets come from this many leading characters of a hit's text. A match further in is still found and ranked,
    /// and its snippet is the opening of the text.
    /// </summary>
    private const int SnippetSourceLength = 4000;

    /// <summary>
    /// A snippet is this many characters from a little before the first place the query's first word stem appears (a stem
    /// is nearly always the start of the words it came from; the first of it as written or capitalised), or the opening when it
    /// does not (a Welsh mutated form, a stem that is not a prefix, a word in capitals). Every matching word in it is marked
    /// (<see cref="EnglishHighlighter"/>, or ts_headline for Welsh); the words the cut splits are dropped (<see cref="Trimmed"/>).
    /// </summary>
    private const int SnippetWindow = 220;

    /// <summary>How many characters of a snippet come before the first match.</summary>
    private const int SnippetLeadIn = 60;

    /// <summary>
    /// How much of a hit's text is read for its snippet: enough for a snippet around any match in the first
    /// <see cref="SnippetSourceLength"/> characters (a text cut shorter is read only that far, not decompressed whole).
    /// </summary>
    private const int SnippetTextLength = SnippetSourceLength + SnippetWindow + 1;

    /// <summary>Each kind's snippet text, from its row (<c>p</c>, <c>n</c>, <c>q</c>, <c>s</c>); a notice's in the language it is shown in.</summary>
    internal static readonly string ArticleText = $"coalesce(p.standfirst || ' ', '') || left(p.body_text, {SnippetTextLength})";
    private static readonly string QuoteText = $"left(q.text, {SnippetTextLength})";
    private static readonly string SourceText = $"left(coalesce(s.description, s.title), {SnippetTextLength})";
    private static string NoticeText(string language) =>
        $"regexp_replace(left(coalesce(n.translations -> {language} ->> 'body', n.body), {3 * SnippetTextLength}), '<[^>]*>', ' ', 'g')";
    private static readonly string[] AllTypes = ["articles", "notices", "quotes", "sources"];

    public static RouteGroupBuilder MapSearch(this RouteGroupBuilder delivery)
    {
        delivery.MapGet("/search", Search).WithName("Search")
            .WithSummary("Ranked full-text search (websearch syntax: \"phrases\", OR, -exclusion) with highlighted snippets.");
        return delivery;
    }

    private sealed record SearchCursor(int Offset);

    private static async Task<Results<Ok<Page<SearchHit>>, ProblemHttpResult>> Search(
        string? q, string? types, string? language, int? limit, string? cursor, HttpContext http, ReadDatabase reads, TokenSigner signer, TimeProvider clock,
        SearchTurns turns, SearchIndex index, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(q))
        {
            return Problems.Validation("q", "q is required.");
        }
        if (SearchVectors.QueryProblem(q) is { } tooBroad)
        {
            return tooBroad;
        }
        if (Languages.QueryProblem(language) is { } badLanguage)
        {
            return badLanguage;
        }
        var take = limit ?? Pagination.DefaultLimit;
        if (take is < 1 or > Pagination.MaxLimit)
        {
            return Problems.Validation("limit", $"limit must be between 1 and {Pagination.MaxLimit}.");
        }
        var offset = 0;
        if (cursor is not null)
        {
            if (!signer.TryRead(CursorPurpose, cursor, out SearchCursor? position) || position is null || position.Offset is < 0 or > MaxResults)
            {
                return Problems.Validation("cursor", "The cursor is not one this API issued; start again without it.");
            }
            offset = position.Offset;
        }
        var wanted = types is null ? AllTypes : types.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (wanted.Length == 0 || wanted.Any(t => !AllTypes.Contains(t)))
        {
            return Problems.Validation("types", $"types is a comma-separated list of {string.Join(", ", AllTypes)}.");
        }

        using var turn = await turns.TakeAsync(q, cancellationToken);
        if (turn is null)
        {
            return SearchTurns.Busy(http);
        }
        var now = clock.GetUtcNow();
        var hits = await QueryAsync(reads.DataSource(genericPlans: true), index, q, wanted, language is null ? null : Languages.Normalise(language), now, offset, Math.Min(take + 1, MaxResults - offset), cancellationToken);
        http.AddCacheTags("search");
        await http.ExpireAtNextArticleBoundaryAsync(now, cancellationToken);
        await http.ExpireAtNextNoticeBoundaryAsync(now, cancellationToken);
        string? next = null;
        if (hits.Count > take)
        {
            hits.RemoveAt(take);
            if (offset + take < MaxResults)
            {
                next = signer.Sign(CursorPurpose, new SearchCursor(offset + take));
                http.Response.Headers.Link = $"<{http.Request.Path}?q={Uri.EscapeDataString(q)}{(types is null ? "" : $"&types={Uri.EscapeDataString(types)}")}{(language is null ? "" : $"&language={Uri.EscapeDataString(language)}")}&limit={take}&cursor={next}>; rel=\"next\"";
            }
        }
        return TypedResults.Ok(new Page<SearchHit>(hits, next));
    }

    /// <summary>
    /// Matches ranked per type before any is read: the newest <see cref="FirstCandidates"/> (the first pages) or
    /// <see cref="MaxResults"/> (deeper cursors, whose order is the first tier then the rest, so pages never overlap).
    /// </summary>
    private const int FirstCandidates = 200;

    /// <summary>
    /// Articles and notices are looked for month by month, newest first, in the month searched in and this many before
    /// it. Each month is one lookup of that month's own entries in the search-terms index (see the ArchiveSearchMonthTerms
    /// migration), so a word in a fifth of a million articles costs the matches of a month or two, not all of its
    /// postings. What is older is first looked for all at once, unordered and stopping one past the candidates wanted: a
    /// word with no more older matches than that is read whole and sorted; one with more is walked month by month back to
    /// the oldest (at 1,000,000 articles, reading every older match to keep the newest 200 read 1,000-5,000 rows, ~20 ms).
    /// </summary>
    private const int RecentMonths = 12;

    /// <summary>
    /// The page of hits: chosen and ranked in this node's index when it is ready (<see cref="SearchIndex"/>), then read
    /// from the database by key; else found, ranked and read by one database statement. Both rank alike (see
    /// <see cref="Score"/>) and cut the same snippets.
    /// </summary>
    private static async Task<List<SearchHit>> QueryAsync(NpgsqlDataSource source, SearchIndex index, string q, string[] types, string? language, DateTimeOffset now, int offset, int take, CancellationToken cancellationToken)
    {
        var candidates = offset + take <= FirstCandidates ? FirstCandidates : MaxResults;
        if (index.IsReady)
        {
            var parsed = await ParseAsync(source, q, cancellationToken);
            if (await index.AcquireAsync(cancellationToken) is { } searcher)
            {
                try
                {
                    var page = parsed.Candidates(searcher, index.NewestFirst, AllTypes.Where(types.Contains).Select(type => type[..^1]), language, now, candidates, FirstCandidates)
                        .OrderBy(m => m.Tier).ThenByDescending(m => m.Rank).ThenByDescending(m => m.At).ThenBy(m => m.Id.ToString(), StringComparer.Ordinal)
                        .Skip(offset).Take(take).ToList();
                    return await PageAsync(source, parsed, language, page, cancellationToken);
                }
                finally
                {
                    index.Release(searcher);
                }
            }
        }
        var hasOr = HasOr(q);
        var shape = new StatementShape(string.Join(',', AllTypes.Where(types.Contains)), candidates,
            hasOr, !hasOr && q.All(c => char.IsLetterOrDigit(c) || char.IsWhiteSpace(c)));
        return await ReadHitsAsync(source, Statements.GetOrAdd(shape, Statement),
            [new() { Value = q }, new() { Value = now }, new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)language ?? DBNull.Value },
             new() { Value = take }, new() { Value = offset }], cancellationToken);
    }

    /// <summary>
    /// The hits of a page the index chose: English articles from what the index keeps of them (most pages are only
    /// those, and need no statement: 0.5 ms of the database's ~0.9 ms a search at 100,000 articles), the rest read by
    /// key (<see cref="PageStatement"/>), Welsh ones for ts_headline's marks.
    /// </summary>
    private static async Task<List<SearchHit>> PageAsync(NpgsqlDataSource source, SearchIndexQuery parsed, string? language, List<IndexedMatch> page, CancellationToken cancellationToken)
    {
        var hits = new SearchHit?[page.Count];
        EnglishHighlighter? english = null;
        for (var i = 0; i < page.Count; i++)
        {
            if (page[i].Shown() is { } shown)
            {
                var parts = shown.Split(SearchIndexDocuments.ShownSeparator);
                var (excerpt, cutStart, cutEnd) = Excerpt(parts[2], parsed.EnglishStem);
                english ??= new EnglishHighlighter(parsed.EnglishLexemes);
                hits[i] = new SearchHit(page[i].Kind, page[i].Id, parts[0], parts[1], Highlight(english.Mark(Trimmed(excerpt, cutStart, cutEnd), MarkStart, MarkEnd)),
                    Math.Round(page[i].Rank, 6), new DateTimeOffset(page[i].At, TimeSpan.Zero));
            }
        }
        var read = page.Where((_, i) => hits[i] is null).ToList();
        if (read.Count > 0)
        {
            var rows = (await ReadHitsAsync(source, PageStatement,
                [new() { Value = parsed.EnglishLexemes }, new() { Value = read.Select(m => m.Kind).ToArray() },
                 new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)language ?? DBNull.Value },
                 new() { Value = read.Select(m => m.Id).ToArray() }, new() { Value = read.Select(m => m.Rank).ToArray() },
                 new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)parsed.EnglishStem ?? DBNull.Value },
                 new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)parsed.WelshStem ?? DBNull.Value },
                 new() { Value = parsed.WelshForm }], cancellationToken)).ToDictionary(hit => (hit.Type, hit.Id));
            for (var i = 0; i < page.Count; i++)
            {
                hits[i] ??= rows.GetValueOrDefault((page[i].Kind, page[i].Id));
            }
        }
        return [.. hits.OfType<SearchHit>()];
    }

    /// <summary>
    /// The snippet window of <paramref name="text"/> as <see cref="Excerpts"/> cuts it in SQL: from a little before the
    /// first place <paramref name="stem"/> (or its capitalised form, as initcap makes it) appears in the first
    /// <see cref="SnippetSourceLength"/> characters, else from the start.
    /// </summary>
    private static (string Excerpt, bool CutStart, bool CutEnd) Excerpt(string text, string? stem)
    {
        var hit = 0;
        if (!string.IsNullOrEmpty(stem))
        {
            var asWritten = text.IndexOf(stem, StringComparison.Ordinal);
            var capitalised = text.IndexOf(InitCap(stem), StringComparison.Ordinal);
            hit = (asWritten, capitalised) switch
            {
                (< 0, < 0) => 0,
                (< 0, _) => capitalised + 1,
                (_, < 0) => asWritten + 1,
                _ => Math.Min(asWritten, capitalised) + 1,
            };
        }
        var start = hit is >= 1 and <= SnippetSourceLength ? Math.Max(1, hit - SnippetLeadIn) : 1;
        var excerpt = start > text.Length ? "" : text.Substring(start - 1, Math.Min(SnippetWindow + 1, text.Length - start + 1));
        return (excerpt, start > 1, excerpt.Length > SnippetWindow);
    }

    /// <summary>PostgreSQL's initcap: each run of letters and digits with its first upper-cased and the rest lower-cased.</summary>
    private static string InitCap(string word)
    {
        var capitalised = new StringBuilder(word.Length);
        var inWord = false;
        foreach (var c in word)
        {
            capitalised.Append(inWord ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            inWord = char.IsLetterOrDigit(c);
        }
        return capitalised.ToString();
    }

    /// <summary>The query as PostgreSQL parses it for English and for folded Welsh text, as the index's words were (see <see cref="SearchIndexDocuments"/>).</summary>
    private static async Task<SearchIndexQuery> ParseAsync(NpgsqlDataSource source, string q, CancellationToken cancellationToken)
    {
        var parsed = await source.ReadAsync($"SELECT websearch_to_tsquery('english'::regconfig, hn_unaccent($1)), {SearchVectors.WelshQuery("$1")}",
            [new() { Value = q }], reader => new SearchIndexQuery(reader.GetFieldValue<NpgsqlTsQuery>(0), reader.GetFieldValue<NpgsqlTsQuery>(1)), cancellationToken);
        return parsed[0];
    }

    /// <summary>Hits as the statements return them, each snippet cut and marked.</summary>
    private static async Task<List<SearchHit>> ReadHitsAsync(NpgsqlDataSource source, string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
    {
        // English snippets are marked here (see EnglishHighlighter); Welsh ones by ts_headline, which knows their mutations.
        EnglishHighlighter? english = null;
        return await source.ReadAsync(sql, parameters,
            reader =>
            {
                var snippet = Trimmed(reader.GetString(5), reader.GetBoolean(7), reader.GetBoolean(8));
                if (!reader.GetBoolean(9))
                {
                    english ??= new EnglishHighlighter(reader.GetFieldValue<string[]>(10));
                    snippet = english.Mark(snippet, MarkStart, MarkEnd);
                }
                return new SearchHit(
                    reader.GetString(0), reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
                    Highlight(snippet), Math.Round(reader.GetFloat(4), 6), reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6));
            },
            cancellationToken);
    }

    /// <summary>
    /// The page the index chose, read by key in its order: <c>$2</c> each hit's kind, <c>$4</c> its id, <c>$5</c> its rank,
    /// with <c>$3</c> the language as in the search statement, and the query's forms as the API parsed them (see
    /// <see cref="SearchIndexQuery"/>): <c>$1</c> its English lexemes, <c>$6</c> and <c>$7</c> its first English and Welsh
    /// stems, <c>$8</c> its Welsh form for ts_headline. A hit gone since the index chose it (a change this node has not
    /// heard of yet) is left out.
    /// </summary>
    private static readonly string PageStatement = $"""
        WITH query AS (SELECT $1::text[] AS en_lexemes, $6::text AS en_stem, $7::text AS cy_stem, NULL::tsquery AS en, $8::tsquery AS cy),
        page AS (SELECT * FROM unnest($2::text[], $4::uuid[], $5::real[]) WITH ORDINALITY AS page(type, id, rank, ord)),
        texts AS MATERIALIZED (
          SELECT page.type, page.id, page.rank, page.ord, found.slug, found.title, found.at, found.text, parsed.*
            FROM page CROSS JOIN LATERAL (
                   SELECT p.slug, p.headline AS title, p.visible_from AS at, p.language, {ArticleText} AS text
                     FROM published_articles p WHERE page.type = 'article' AND p.article_id = page.id
                   UNION ALL
                   SELECT NULL, coalesce(n.translations -> {NoticeLanguage} ->> 'title', n.title), n.published_at, {NoticeLanguage},
                          {NoticeText(NoticeLanguage)}
                     FROM notices n WHERE page.type = 'notice' AND n.id = page.id
                   UNION ALL
                   SELECT NULL, q.speaker_name, q.said_at, q.language, {QuoteText} FROM quotes q WHERE page.type = 'quote' AND q.id = page.id
                   UNION ALL
                   SELECT NULL, s.title, s.created_at, 'en', {SourceText} FROM sources s WHERE page.type = 'source' AND s.id = page.id) found,
                 query, {ParsedFor("found.language")}),
        {Excerpts("ord", "ord")}
        """;

    /// <summary>
    /// The search statement's parameters, by position: with unnamed parameters Npgsql sends the text as written, where
    /// named ones (<c>@q</c>) made it parse and rewrite the whole ~13 KB statement on every search (10 % of the API's CPU
    /// for one).
    /// </summary>
    private const string Q = "$1", Now = "$2", Language = "$3", Take = "$4", Offset = "$5";

    /// <summary>
    /// What the statement's text depends on besides its parameters: the types asked (comma-separated, in
    /// <see cref="AllTypes"/>' order), how many candidates it ranks, and how it reads the query.
    /// </summary>
    private sealed record StatementShape(string Types, int Candidates, bool HasOr, bool PlainWords);

    /// <summary>
    /// Each shape's statement, built once (building it took ~3 % of a search's API CPU). It holds only the types asked:
    /// PostgreSQL initialises a statement's whole plan on every execution, and the four types' plan took ~0.5 ms of a
    /// search to start and end.
    /// </summary>
    private static readonly ConcurrentDictionary<StatementShape, string> Statements = new();

    private static string Statement(StatementShape shape)
    {
        var (types, candidates, hasOr, plainWords) = shape;
        // A month's entries must hold every word of the query, or one of them when it has OR. Plain words are matched
        // exactly so; OR, phrases and exclusions make that a superset, which each candidate's vector then re-checks.
        // Candidates are ranked by relevance in the small in-row lead vector times a recency boost (see Score), and
        // snippet text is read only for the page. The query is parsed the way each row was indexed (English, or simple
        // for Welsh).
        var terms = hasOr ? "&&" : "@>";
        const string articleTerms = "hn_search_terms(p.search, p.visible_from, p.language)";
        const string noticeTerms = "hn_search_terms(n.search_vector, n.published_at, 'en')";
        var articles = Monthly("articles", "published_articles p", "p.visible_from", "p.article_id",
            "p.article_id AS id, p.slug, p.headline AS title, p.visible_from AS at, p.search_lead AS vector, p.language",
            $"{Now} - p.visible_from >= interval '0' AND {LanguageFilter("p.language")}",
            $"({articleTerms} {terms} months.e_en OR {articleTerms} {terms} months.c_cy)",
            plainWords ? "true" : "CASE WHEN p.language LIKE 'cy%' THEN p.search @@ query.cy ELSE p.search @@ query.en END",
            ["p.language NOT LIKE 'cy%' AND p.search @@ query.en", "p.language LIKE 'cy%' AND p.search @@ query.cy"]);
        // A notice's vector holds all its languages, Welsh words folded and the rest stemmed: its terms carry one prefix.
        var notices = Monthly("notices", "notices n", "n.published_at", "n.id",
            $"n.id, NULL::text AS slug, coalesce(n.translations -> {NoticeLanguage} ->> 'title', n.title)::text AS title, n.published_at AS at, n.search_vector AS vector, {NoticeLanguage} AS language",
            $"n.status = 'published' AND (n.effective_from IS NULL OR {Now} - n.effective_from >= interval '0') AND (n.effective_to IS NULL OR n.effective_to - {Now} > interval '0')",
            $"({noticeTerms} {terms} months.e_en OR {noticeTerms} {terms} months.e_cy)",
            plainWords ? $"({Language} IS NULL OR {NoticeMatch})" : NoticeMatch, [NoticeMatch]);
        var quotes = Newest("quotes q", "q.created_at", $"{QuoteMatch} AND {LanguageFilter("q.language")}",
            "q.id, NULL::text AS slug, q.speaker_name::text AS title, q.said_at AS at, q.search AS vector, q.language::text AS language");
        var sources = Newest("sources s", "s.created_at", "s.search @@ query.en",
            "s.id, NULL::text AS slug, s.title::text AS title, s.created_at AS at, s.search AS vector, 'en'::text AS language");
        var byType = new Dictionary<string, (string Candidates, string? OlderCte)>
        {
            ["articles"] = ($"SELECT 'article' AS type, c.* FROM ({articles.Candidates}) c", articles.OlderCte),
            ["notices"] = ($"SELECT 'notice' AS type, c.* FROM ({notices.Candidates}) c", notices.OlderCte),
            ["quotes"] = ($"""
                SELECT 'quote' AS type, c.* FROM ({quotes}) c
                 WHERE {PublishedArticleTerm.VisibleSql("quote", "c.id", Now)}
                """, null),
            ["sources"] = ($"""
                SELECT 'source' AS type, c.* FROM ({sources}) c
                 WHERE {PublishedArticleTerm.VisibleSql("source", "c.id", Now)}
                """, null),
        };
        var asked = types.Split(',').Select(type => byType[type]).ToList();
        // Each month's terms are computed once an execution, as the query's forms are (see QueryCte).
        return $"""
            WITH {QueryCte},
            months AS ({Months($"date_trunc('month', {Now} AT TIME ZONE 'UTC')", $"date_trunc('month', {Now} AT TIME ZONE 'UTC') - interval '{RecentMonths} months'")}),
            older_months AS ({Months("(SELECT min(month) FROM months) - interval '1 month'",
                "date_trunc('month', least((SELECT min(visible_from) FROM published_articles), (SELECT min(published_at) FROM notices WHERE status = 'published')) AT TIME ZONE 'UTC')")}),
            {string.Concat(asked.Select(branch => branch.OlderCte).OfType<string>().Select(cte => cte + ","))}
            candidates AS ({string.Join(" UNION ALL ", asked.Select(branch => branch.Candidates))}),
            scored AS (
              SELECT c.type, c.id, c.slug, c.title, c.at, c.tier, c.language, tsq, cfg, stem,
                     {Score("ts_rank_cd(c.vector, tsq)", "c.at")} AS rank
                FROM candidates c, query, {ParsedFor("c.language")}),
            page AS (SELECT * FROM scored ORDER BY tier, rank DESC, at DESC NULLS LAST, id LIMIT {Take} OFFSET {Offset}),
            texts AS MATERIALIZED (
              SELECT page.*, CASE page.type
                       WHEN 'article' THEN (SELECT {ArticleText} FROM published_articles p WHERE p.article_id = page.id)
                       WHEN 'quote' THEN (SELECT {QuoteText} FROM quotes q WHERE q.id = page.id)
                       WHEN 'notice' THEN (SELECT {NoticeText("page.language")} FROM notices n WHERE n.id = page.id)
                       ELSE (SELECT {SourceText} FROM sources s WHERE s.id = page.id)
                     END AS text
                FROM page),
            {Excerpts("tier", "tier, rank DESC, at DESC NULLS LAST, id")}
            """;
        // The newest matches of a table with a search-terms index: month by month (one index lookup each; the lateral
        // read stops once enough are found), then the older ones (see RecentMonths), gathered in the CTE named after the
        // table by its alternative matches (one per language) read as separate index scans: an OR of them would make
        // every candidate re-check both, reading its whole vector back from TOAST (~85 µs a row).
        // Numbered newest first: tier 1 from the FirstCandidates-th on. The statement runs with a generic plan (planning
        // it per execution cost more than running it), so times are compared through expressions no index matches: a
        // generic plan would otherwise AND a third of a time index (its guess for any range) into every lookup.
        MonthlyMatches Monthly(string name, string table, string time, string key, string columns, string visible, string termsMatch, string recheck, string[] olderBranches)
        {
            string ByMonth(string months) => $"""
                SELECT found.* FROM query, {months} months CROSS JOIN LATERAL (
                  SELECT {columns} FROM {table}
                   WHERE {termsMatch} AND {visible} AND {recheck}
                   ORDER BY {time} DESC, {key} DESC LIMIT {candidates}) found
                """;
            string Older(string branch) =>
                $"SELECT {columns} FROM {table}, query WHERE query.has_words AND {visible} AND {branch} AND (SELECT min(month) FROM months) AT TIME ZONE 'UTC' - {time} > interval '0'";
            var older = $"{name}_older";
            return new(
                $"{older} AS MATERIALIZED (SELECT * FROM ({string.Join(" UNION ALL ", olderBranches.Select(Older))}) o LIMIT {candidates + 1})",
                $"""
                SELECT w.*, CASE WHEN row_number() OVER () > {FirstCandidates} THEN 1 ELSE 0 END AS tier
                  FROM ({ByMonth("months")}
                        UNION ALL
                        (SELECT * FROM {older} WHERE (SELECT count(*) FROM {older}) <= {candidates} ORDER BY at DESC, id DESC)
                        UNION ALL
                        (SELECT * FROM ({ByMonth("older_months")}) walked WHERE (SELECT count(*) FROM {older}) > {candidates})
                        LIMIT {candidates}) w
                """);
        }

        // The newest matches of a small table (quotes, sources), numbered the same way.
        string Newest(string table, string time, string match, string columns) => $"""
            SELECT w.*, CASE WHEN row_number() OVER () > {FirstCandidates} THEN 1 ELSE 0 END AS tier
              FROM (SELECT {columns} FROM {table}, query WHERE query.has_words AND {match} ORDER BY {time} DESC, id DESC LIMIT {candidates}) w
            """;
    }

    /// <summary>
    /// The query's parsed forms, computed once an execution: as calls of SQL functions they were planned again on every
    /// execution (~0.3 ms of a search). OFFSET 0 keeps the planner from pulling the parsed forms up into each place that
    /// uses them, which parsed the query four times (0.44 => 0.19 ms).
    /// </summary>
    private static string QueryCte => $"""
        query AS (
          SELECT parsed.*, en || cy AS either, cardinality(en_lexemes) + cardinality(cy_lexemes) > 0 AS has_words,
                 {FirstLexeme("en")} AS en_stem, {FirstLexeme("cy")} AS cy_stem
            FROM (SELECT en, cy, {Lexemes("en")} AS en_lexemes, {Lexemes("cy")} AS cy_lexemes
                    FROM (SELECT websearch_to_tsquery('english'::regconfig, hn_unaccent({Q})) AS en, {SearchVectors.WelshQuery(Q)} AS cy OFFSET 0) tsq OFFSET 0) parsed)
        """;

    /// <summary>The query's form, first stem and text search configuration for a hit in <paramref name="language"/>: Welsh is folded and parsed as simple.</summary>
    private static string ParsedFor(string language) => $"""
        LATERAL (SELECT CASE WHEN {language} LIKE 'cy%' THEN query.cy ELSE query.en END AS tsq,
                        CASE WHEN {language} LIKE 'cy%' THEN query.cy_stem ELSE query.en_stem END AS stem,
                        CASE WHEN {language} LIKE 'cy%' THEN 'simple' ELSE 'english' END::regconfig AS cfg) parsed
        """;

    /// <summary>
    /// The snippets of the page in <c>texts</c> (type, id, slug, title, rank, at, tsq, cfg, stem, text and the
    /// <paramref name="carried"/> column), and the statement's result in <paramref name="order"/>.
    /// </summary>
    private static string Excerpts(string carried, string order) => $"""
        excerpts AS MATERIALIZED (
          SELECT type, id, slug, title, rank, at, {carried}, tsq, cfg, start, substr(text, start, {SnippetWindow + 1}) AS excerpt
            FROM texts, LATERAL (SELECT CASE WHEN hit BETWEEN 1 AND {SnippetSourceLength} THEN greatest(1, hit - {SnippetLeadIn}) ELSE 1 END AS start
                                   FROM (SELECT coalesce(least(nullif(strpos(text, stem), 0), nullif(strpos(text, initcap(stem)), 0)), 0) AS hit OFFSET 0) first_stem) cut)
        SELECT type, id, slug, title, rank,
               CASE WHEN cfg = 'simple'::regconfig
                    THEN ts_headline(cfg, excerpt, hn_welsh_headline_query(excerpt, tsq), 'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', HighlightAll=true')
                    ELSE excerpt END,
               at, start > 1 AS cut_start, length(excerpt) > {SnippetWindow} AS cut_end, cfg = 'simple'::regconfig AS marked, query.en_lexemes
          FROM excerpts, query ORDER BY {order}
        """;

    /// <summary>The CTE that gathers a table's older matches, and the table's candidates, which read it only when they need older ones.</summary>
    private sealed record MonthlyMatches(string OlderCte, string Candidates);

    /// <summary>Months from <paramref name="newest"/> back to <paramref name="oldest"/>, each with the query's search terms in it (see <see cref="MonthTerms"/>).</summary>
    private static string Months(string newest, string oldest) => $"""
        SELECT month, {MonthTerms("e", "en_lexemes")} AS e_en, {MonthTerms("c", "cy_lexemes")} AS c_cy, {MonthTerms("e", "cy_lexemes")} AS e_cy
          FROM query, generate_series({newest}, {oldest}, interval '-1 month') month
        """;

    /// <summary>The lexemes a parsed query needs present, each once (querytree drops what only excludes).</summary>
    private static string Lexemes(string tsquery) =>
        $"ARRAY(SELECT DISTINCT replace(m[1], '''''', '''') FROM regexp_matches(querytree({tsquery})::text, '''((?:[^'']|'''')*)''', 'g') m)";

    /// <summary>The first lexeme of a parsed query as its text shows it: the one a snippet is cut around.</summary>
    private static string FirstLexeme(string tsquery) => $"(regexp_match({tsquery}::text, '''([^'']+)'''))[1]";

    /// <summary>
    /// The terms of the search-terms index (see the ArchiveSearchMonthTerms migration: 'e202612 harbour') that hold
    /// <paramref name="lexemes"/> in the month of a <c>months</c> row; null for a query without a word to look up, which
    /// matches nothing.
    /// </summary>
    private static string MonthTerms(string languageClass, string lexemes) =>
        $"CASE WHEN cardinality({lexemes}) > 0 THEN ARRAY(SELECT '{languageClass}' || to_char(month, 'YYYYMM') || ' ' || lexeme FROM unnest({lexemes}) lexeme) END";

    /// <summary>
    /// A snippet without the words its window cut through: up to its first space when it starts inside the text, from its
    /// last when it stops inside it (a marked word holds no space, so it goes or stays whole).
    /// </summary>
    private static string Trimmed(string snippet, bool cutStart, bool cutEnd)
    {
        var text = snippet.AsSpan();
        if (cutStart && text.IndexOfAny(' ', '\n') is var first and >= 0)
        {
            text = text[(first + 1)..];
        }
        if (cutEnd && text.LastIndexOfAny(' ', '\n') is var last and >= 0)
        {
            text = text[..last];
        }
        return text.Trim().ToString();
    }

    /// <summary>Whether websearch syntax makes <paramref name="q"/> a disjunction: the word <c>or</c> between words.</summary>
    private static bool HasOr(string q) =>
        q.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Any(word => word.Equals("or", StringComparison.OrdinalIgnoreCase));

    /// <summary>With <c>?language=</c>, articles and quotes in that language only (sources have none; notices see <see cref="NoticeMatch"/>).</summary>
    private static string LanguageFilter(string column) => $"({Language} IS NULL OR {Languages.MatchSql(column, Language)})";

    /// <summary>
    /// The language a notice is shown in, as <c>NoticeMapping.TextIn</c> chooses it: its own when none is asked for or it
    /// is written in it, else the translation for the language asked (or its primary language), else its own.
    /// </summary>
    private const string NoticeLanguage = $"""
        (CASE WHEN {Language} IS NULL OR split_part(n.language, '-', 1) = split_part({Language}, '-', 1) THEN n.language
              WHEN n.translations ? {Language} THEN {Language}
              WHEN n.translations ? split_part({Language}, '-', 1) THEN split_part({Language}, '-', 1)
              ELSE n.language END)::text
        """;

    /// <summary>
    /// A notice holds texts in several languages in one vector: without <c>?language=</c> English or Welsh words match;
    /// with it, only notices readable in that language, matched as that language is indexed. The query's forms come from
    /// the statement's <c>query</c> row: in a generic plan an expression of the query parameter would be parsed again for every row.
    /// </summary>
    private static readonly string NoticeMatch = $"""
        (({Language} IS NULL AND n.search_vector @@ query.either)
         OR ({Language} IS NOT NULL AND split_part({NoticeLanguage}, '-', 1) = split_part({Language}, '-', 1)
             AND (({Language} LIKE 'cy%' AND n.search_vector @@ query.cy) OR ({Language} NOT LIKE 'cy%' AND n.search_vector @@ query.en))))
        """;

    /// <summary>A quote's vector holds its text and its translations (a Welsh quote's English rendering), each indexed as its language is.</summary>
    private const string QuoteMatch = "q.search @@ query.either";

    /// <summary>
    /// Relevance times a recency boost: <c>relevance × (1 + 2^(−age / 7 days))</c>. Relevance is ts_rank_cd over the
    /// in-row lead vector (headline weighs 1, standfirst 0.4, the body's opening 0.2), plus 0.05 so a match deeper in
    /// the body still scores; the boost doubles a story published now, adds half at a week old and fades to nothing
    /// within two months. So today's mention in the body (0.25 × 2) outranks last year's (0.25), but never a headline
    /// match of any age (≥ 1.05): readers searching a running story get the latest, and the definitive piece whose
    /// headline names the subject is not buried by passing mentions. The age comes from <c>date_part</c> (float8):
    /// <c>extract</c> returns numeric, which took twice as long over a search's 200 candidates.
    /// </summary>
    private static string Score(string relevance, string at) =>
        $"((0.05 + {relevance}) * (1 + power(2.0, -least(greatest(0, date_part('epoch', {Now} - coalesce({at}, {Now}))) / 604800.0, {MaxBoostWeeks}))))::real";

    /// <summary>
    /// The age, in weeks, past which the recency boost stays at 2^-64 (nothing): 2 to the power of minus an archive story's
    /// age in weeks underflows a float8 after ~20 years, and PostgreSQL fails the whole search on it.
    /// </summary>
    internal const int MaxBoostWeeks = 64;

    /// <summary>
    /// The snippet is plain text with control-character marks (Welsh words marked in their mutated forms, see
    /// <c>hn_welsh_headline_query</c>): only HTML's five special characters are escaped, so that "glân" and "café" stay
    /// letters for a client that shows the snippet as text (an HTML encoder writes U+00A0-U+00FF as &amp;#226;), and
    /// the marks become &lt;mark&gt;.
    /// </summary>
    private static string Highlight(string snippet)
    {
        var html = new StringBuilder(snippet.Length + 32);
        foreach (var c in snippet)
        {
            _ = c switch
            {
                '&' => html.Append("&amp;"),
                '<' => html.Append("&lt;"),
                '>' => html.Append("&gt;"),
                '"' => html.Append("&quot;"),
                '\'' => html.Append("&#39;"),
                MarkStart => html.Append("<mark>"),
                MarkEnd => html.Append("</mark>"),
                _ => html.Append(c),
            };
        }
        return html.ToString();
    }
}
