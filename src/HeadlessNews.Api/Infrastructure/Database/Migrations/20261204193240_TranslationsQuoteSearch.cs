using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class TranslationsQuoteSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // One function indexes one field of every translation, each as its language is (Welsh folded, others English-stemmed):
            // notices' titles and bodies (hn_translations_vector, same lexemes as before) and now quotes' texts.
            migrationBuilder.Sql("""
                CREATE FUNCTION hn_translated_text_vector(translations jsonb, field text, weight "char", cap integer) RETURNS tsvector
                LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
                AS $$
                SELECT coalesce(hn_tsvector_agg(setweight(to_tsvector(CASE WHEN key LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END,
                    CASE WHEN key LIKE 'cy%' THEN hn_welsh_fold(hn_unaccent(left(value->>field, cap))) ELSE hn_unaccent(left(value->>field, cap)) END), weight)), ''::tsvector)
                  FROM jsonb_each(translations)
                $$;
                CREATE OR REPLACE FUNCTION hn_translations_vector(jsonb) RETURNS tsvector
                LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
                AS $$ SELECT hn_translated_text_vector($1, 'title', 'A', 1000) || hn_translated_text_vector($1, 'body', 'B', 100000) $$;
                """);
            migrationBuilder.Sql("ALTER TABLE quotes DROP COLUMN search;");
            migrationBuilder.Sql("ALTER TABLE quotes ADD COLUMN search tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, hn_unaccent(speaker_name || ' ' || coalesce(speaker_organisation, ''))), 'B') ||\nsetweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, CASE WHEN language LIKE 'cy%' THEN hn_welsh_fold(hn_unaccent(text)) ELSE hn_unaccent(text) END), 'A') ||\nhn_translated_text_vector(translations, 'text', 'A', 5000)) STORED;");
            migrationBuilder.Sql("CREATE INDEX ix_quotes_search ON quotes USING gin (search);");

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE quotes DROP COLUMN search;");
            migrationBuilder.Sql("ALTER TABLE quotes ADD COLUMN search tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, hn_unaccent(speaker_name || ' ' || coalesce(speaker_organisation, ''))), 'B') ||\nsetweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, CASE WHEN language LIKE 'cy%' THEN hn_welsh_fold(hn_unaccent(text)) ELSE hn_unaccent(text) END), 'A')) STORED;");
            migrationBuilder.Sql("CREATE INDEX ix_quotes_search ON quotes USING gin (search);");
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION hn_translations_vector(jsonb) RETURNS tsvector
                LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
                AS $$
                SELECT coalesce(hn_tsvector_agg(
                  setweight(to_tsvector(CASE WHEN key LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END,
                    CASE WHEN key LIKE 'cy%' THEN hn_welsh_fold(hn_unaccent(left(value->>'title', 1000))) ELSE hn_unaccent(left(value->>'title', 1000)) END), 'A')
                  || setweight(to_tsvector(CASE WHEN key LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END,
                    CASE WHEN key LIKE 'cy%' THEN hn_welsh_fold(hn_unaccent(left(value->>'body', 100000))) ELSE hn_unaccent(left(value->>'body', 100000)) END), 'B')), ''::tsvector)
                  FROM jsonb_each($1)
                $$;
                DROP FUNCTION hn_translated_text_vector(jsonb, text, "char", integer);
                """);

        }
    }
}
