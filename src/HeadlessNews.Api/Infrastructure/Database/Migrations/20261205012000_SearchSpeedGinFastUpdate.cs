using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <summary>
    /// The GIN indexes search reads write new entries straight into the index instead of a pending list. With fastupdate on
    /// (PostgreSQL's default) every scan of an index also reads its whole pending list, up to gin_pending_list_limit (4 MB)
    /// until a vacuum merges it, and search makes ~30 scans a request: 458 rows written since the last vacuum made each
    /// month lookup of the 100,000-article bench archive read 43 pages instead of 5. Writing a published article's entries
    /// directly cost the same (40 read-model rows rewritten: 91-107 ms either way). What is pending now is merged here:
    /// cheap, and no lock beyond the index's own pages. Search also stops calling hn_query_lexemes and hn_month_terms:
    /// SQL functions that cannot be inlined are planned again on every execution, so it now computes them in its statement.
    /// </summary>
    public partial class SearchSpeedGinFastUpdate : Migration
    {
        private static readonly string[] Indexes =
        [
            "ix_published_articles_search", "ix_published_articles_search_welsh", "ix_published_articles_search_terms",
            "ix_notices_search_vector", "ix_notices_search_terms", "ix_quotes_search", "ix_sources_search",
        ];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var index in Indexes)
            {
                migrationBuilder.Sql($"ALTER INDEX IF EXISTS {index} SET (fastupdate = off);");
                migrationBuilder.Sql($"SELECT gin_clean_pending_list(c.oid) FROM pg_class c WHERE c.relname = '{index}' AND c.relkind = 'i';");
            }
            migrationBuilder.Sql("""
                DROP FUNCTION IF EXISTS hn_query_lexemes(tsquery);
                DROP FUNCTION IF EXISTS hn_month_terms(text, timestamp, text[]);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var index in Indexes)
            {
                migrationBuilder.Sql($"ALTER INDEX IF EXISTS {index} RESET (fastupdate);");
            }
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION hn_month_terms(class text, month timestamp, lexemes text[]) RETURNS text[]
                LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
                  SELECT CASE WHEN cardinality(lexemes) > 0
                              THEN ARRAY(SELECT class || to_char(month, 'YYYYMM') || ' ' || lexeme FROM unnest(lexemes) lexeme) END
                $$;

                CREATE OR REPLACE FUNCTION hn_query_lexemes(query tsquery) RETURNS text[]
                LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
                  SELECT ARRAY(SELECT DISTINCT replace(m[1], '''''', '''')
                                 FROM regexp_matches(querytree(query)::text, '''((?:[^'']|'''')*)''', 'g') m)
                $$;
                """);
        }
    }
}
