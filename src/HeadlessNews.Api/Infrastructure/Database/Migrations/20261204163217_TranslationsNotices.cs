using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class TranslationsNotices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "language",
                table: "notices",
                type: "character varying(35)",
                maxLength: 35,
                nullable: false,
                defaultValue: "en-GB");

            migrationBuilder.AddColumn<string>(
                name: "translations",
                table: "notices",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'{}'::jsonb");

            // A notice's translations are indexed each as its language is: Welsh keys folded (hn_welsh_fold), others English-stemmed.
            migrationBuilder.Sql("CREATE AGGREGATE hn_tsvector_agg(tsvector) (SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = '');");
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
                """);
            migrationBuilder.Sql("ALTER TABLE notices DROP COLUMN search_vector;");
            migrationBuilder.Sql("ALTER TABLE notices ADD COLUMN search_vector tsvector NOT NULL GENERATED ALWAYS AS (setweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, CASE WHEN language LIKE 'cy%' THEN hn_welsh_fold(hn_unaccent(left(title, 1000))) ELSE hn_unaccent(left(title, 1000)) END), 'A')\n|| setweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, CASE WHEN language LIKE 'cy%' THEN hn_welsh_fold(hn_unaccent(left(body, 100000))) ELSE hn_unaccent(left(body, 100000)) END), 'B')\n|| setweight(to_tsvector('english'::regconfig, hn_unaccent(left(issuer_name || ' ' || coalesce(location_description, ''), 1000))), 'C')\n|| hn_translations_vector(translations)) STORED;");
            migrationBuilder.Sql("CREATE INDEX ix_notices_search_vector ON notices USING gin (search_vector);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE notices DROP COLUMN search_vector;");
            migrationBuilder.Sql("ALTER TABLE notices ADD COLUMN search_vector tsvector NOT NULL GENERATED ALWAYS AS (setweight(to_tsvector('english'::regconfig, hn_unaccent(left(title, 1000))), 'A')\n|| setweight(to_tsvector('english'::regconfig, hn_unaccent(left(body, 100000))), 'B')\n|| setweight(to_tsvector('english'::regconfig, hn_unaccent(left(issuer_name || ' ' || coalesce(location_description, ''), 1000))), 'C')) STORED;");
            migrationBuilder.Sql("CREATE INDEX ix_notices_search_vector ON notices USING gin (search_vector);");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS hn_translations_vector(jsonb);");
            migrationBuilder.Sql("DROP AGGREGATE IF EXISTS hn_tsvector_agg(tsvector);");

            migrationBuilder.DropColumn(
                name: "language",
                table: "notices");

            migrationBuilder.DropColumn(
                name: "translations",
                table: "notices");
        }
    }
}
