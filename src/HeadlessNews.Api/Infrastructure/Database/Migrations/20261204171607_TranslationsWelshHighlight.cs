using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class TranslationsWelshHighlight : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Welsh text is matched folded (hn_welsh_fold), so ts_headline, which compares the text's own words with the
            // query, marks nothing in it. This gives it instead the words of the text whose folded form is a query word:
            // "caernarfon" marks "Nghaernarfon". Negated words are left out (querytree drops them).
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION hn_welsh_headline_query(document text, query tsquery) RETURNS tsquery
                LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
                AS $$
                SELECT coalesce(string_agg('''' || replace(replace(word, '\', '\\'), '''', '''''') || '''', ' | ')::tsquery, query)
                  FROM unnest(tsvector_to_array(to_tsvector('simple'::regconfig, document))) AS word
                 WHERE tsvector_to_array(to_tsvector('simple'::regconfig, hn_welsh_fold(hn_unaccent(word))))
                       && tsvector_to_array(to_tsvector('simple'::regconfig, querytree(query)))
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS hn_welsh_headline_query(text, tsquery);");
        }
    }
}
