using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class TranslationsWelshSearch : Migration
    {
        /// <summary>
        /// The fold of <c>hn_welsh_fold</c>'s argument <c>$1</c> (see Up). SearchFunctionsPlannedOnce wraps the same
        /// expression in PL/pgSQL.
        /// </summary>
        internal const string WelshFold = """
            lower(
              regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
                regexp_replace(lower($1),
                  '\m(y|yr|a|ac|ag|i|o|yn|yng|ym|ar|am|at|ei|eu|ein|eich|mae|oedd|yw|ydy|bod|wedi|neu|ond|hefyd|mewn|gyda|hyn|sy|sydd|na|nad|nid|ddim|fe|mi)\M', ' ', 'g'),
                '\mff', 'F', 'g'),
                '\mll', 'l', 'g'),
                '\mrh', 'r', 'g'),
                '\m(ngh|ng|ch|c|g|h(?=[aeiouwy]))', '', 'g'),
                '\m(mh|ph|p|b|m|f)', 'P', 'g'),
                '\m(nh|th|dd|t|d|n)', 'T', 'g'))
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Welsh has no stemmer: fold each word's initial mutation (and accents, and common Welsh stop words) so that
            // Caerdydd, Gaerdydd, Nghaerdydd and Chaerdydd index and query alike. Mutable initials become one form per family:
            // c/g/ch/ngh/ng and h- before a vowel are dropped (g's soft mutation drops it), p/b/m/f/ph/mh become p,
            // t/d/dd/th/nh/n become t, ll becomes l, rh becomes r, ff is kept apart from f.
            migrationBuilder.Sql($$"""
                CREATE OR REPLACE FUNCTION hn_welsh_fold(text) RETURNS text
                LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
                AS $$
                SELECT {{WelshFold}}
                $$;
                """);
            migrationBuilder.Sql("ALTER TABLE quotes DROP COLUMN search;");
            migrationBuilder.Sql("ALTER TABLE quotes " + "ADD COLUMN search tsvector GENERATED ALWAYS AS (" + "setweight(to_tsvector('simple'::regconfig, hn_unaccent(speaker_name || ' ' || coalesce(speaker_organisation, ''))), 'B') ||\nsetweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, CASE WHEN language LIKE 'cy%' THEN hn_welsh_fold(hn_unaccent(text)) ELSE hn_unaccent(text) END), 'A')" + ") STORED" + ";");
            migrationBuilder.Sql("CREATE INDEX ix_quotes_search ON quotes USING gin (search);");
            migrationBuilder.Sql("ALTER TABLE published_articles DROP COLUMN search_lead, DROP COLUMN search;");
            migrationBuilder.Sql("ALTER TABLE published_articles " + "ADD COLUMN search_lead tsvector GENERATED ALWAYS AS (" + "setweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, CASE WHEN language LIKE 'cy%' THEN hn_welsh_fold(hn_unaccent(headline)) ELSE hn_unaccent(headline) END), 'A') ||\nsetweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, CASE WHEN language LIKE 'cy%' THEN hn_welsh_fold(hn_unaccent(coalesce(standfirst, ''))) ELSE hn_unaccent(coalesce(standfirst, '')) END), 'B') ||\nsetweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, CASE WHEN language LIKE 'cy%' THEN hn_welsh_fold(hn_unaccent(left(body_text, 300))) ELSE hn_unaccent(left(body_text, 300)) END), 'C')" + ") STORED" + ", " + "ADD COLUMN search tsvector GENERATED ALWAYS AS (" + "setweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, CASE WHEN language LIKE 'cy%' THEN hn_welsh_fold(hn_unaccent(headline)) ELSE hn_unaccent(headline) END), 'A') ||\nsetweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, CASE WHEN language LIKE 'cy%' THEN hn_welsh_fold(hn_unaccent(coalesce(standfirst, ''))) ELSE hn_unaccent(coalesce(standfirst, '')) END), 'B') ||\nsetweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, CASE WHEN language LIKE 'cy%' THEN hn_welsh_fold(hn_unaccent(left(body_text, 200000))) ELSE hn_unaccent(left(body_text, 200000)) END), 'C')" + ") STORED" + ", ALTER COLUMN search_lead SET STORAGE MAIN;");
            migrationBuilder.Sql("CREATE INDEX ix_published_articles_search ON published_articles USING gin (search);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE quotes DROP COLUMN search;");
            migrationBuilder.Sql("ALTER TABLE quotes " + "ADD COLUMN search tsvector GENERATED ALWAYS AS (" + "setweight(to_tsvector('simple'::regconfig, hn_unaccent(speaker_name || ' ' || coalesce(speaker_organisation, ''))), 'B') ||\nsetweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, hn_unaccent(text)), 'A')" + ") STORED" + ";");
            migrationBuilder.Sql("CREATE INDEX ix_quotes_search ON quotes USING gin (search);");
            migrationBuilder.Sql("ALTER TABLE published_articles DROP COLUMN search_lead, DROP COLUMN search;");
            migrationBuilder.Sql("ALTER TABLE published_articles " + "ADD COLUMN search_lead tsvector GENERATED ALWAYS AS (" + "setweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, hn_unaccent(headline)), 'A') ||\nsetweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, hn_unaccent(coalesce(standfirst, ''))), 'B') ||\nsetweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, hn_unaccent(left(body_text, 300))), 'C')" + ") STORED" + ", " + "ADD COLUMN search tsvector GENERATED ALWAYS AS (" + "setweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, hn_unaccent(headline)), 'A') ||\nsetweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, hn_unaccent(coalesce(standfirst, ''))), 'B') ||\nsetweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, hn_unaccent(left(body_text, 200000))), 'C')" + ") STORED" + ", ALTER COLUMN search_lead SET STORAGE MAIN;");
            migrationBuilder.Sql("CREATE INDEX ix_published_articles_search ON published_articles USING gin (search);");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS hn_welsh_fold(text);");
        }
    }
}
