using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <summary>
    /// Search looks for articles and notices month by month, newest first. Each row's lexemes are indexed once more with its
    /// month (UTC) and language class in front (<c>hn_search_terms</c>: 'e202612 harbour', 'c202612 caerdydd'), so one month's
    /// matches are one lookup whose postings are that month's alone: a word in a fifth of the archive no longer reads all
    /// its postings to find the newest few hundred, however big the archive grows. On a big archive, build the indexes
    /// beforehand with <c>CREATE INDEX CONCURRENTLY</c> under the same names (and these functions): this migration then
    /// keeps them.
    /// </summary>
    public partial class ArchiveSearchMonthTerms : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION hn_search_terms(vector tsvector, at timestamptz, language text) RETURNS text[]
                LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
                  SELECT coalesce(array_agg(prefix || lexeme), '{}')
                    FROM (SELECT CASE WHEN language LIKE 'cy%' THEN 'c' ELSE 'e' END || to_char(at AT TIME ZONE 'UTC', 'YYYYMM') || ' ' AS prefix) p,
                         unnest(tsvector_to_array(vector)) lexeme
                $$;

                -- A query's terms for one month (null for a query without a word to look up, which matches nothing).
                CREATE OR REPLACE FUNCTION hn_month_terms(class text, month timestamp, lexemes text[]) RETURNS text[]
                LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
                  SELECT CASE WHEN cardinality(lexemes) > 0
                              THEN ARRAY(SELECT class || to_char(month, 'YYYYMM') || ' ' || lexeme FROM unnest(lexemes) lexeme) END
                $$;

                -- The lexemes a query needs present (querytree drops what only excludes).
                CREATE OR REPLACE FUNCTION hn_query_lexemes(query tsquery) RETURNS text[]
                LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
                  SELECT ARRAY(SELECT DISTINCT replace(m[1], '''''', '''')
                                 FROM regexp_matches(querytree(query)::text, '''((?:[^'']|'''')*)''', 'g') m)
                $$;

                CREATE INDEX IF NOT EXISTS ix_published_articles_search_terms ON published_articles
                  USING gin (hn_search_terms(search, visible_from, language));
                CREATE INDEX IF NOT EXISTS ix_notices_search_terms ON notices
                  USING gin (hn_search_terms(search_vector, published_at, 'en'));
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX IF EXISTS ix_notices_search_terms;
                DROP INDEX IF EXISTS ix_published_articles_search_terms;
                DROP FUNCTION IF EXISTS hn_query_lexemes(tsquery);
                DROP FUNCTION IF EXISTS hn_month_terms(text, timestamp, text[]);
                DROP FUNCTION IF EXISTS hn_search_terms(tsvector, timestamptz, text);
                """);
        }
    }
}
