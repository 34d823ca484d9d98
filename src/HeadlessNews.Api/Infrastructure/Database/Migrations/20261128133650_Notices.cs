using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NpgsqlTypes;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class Notices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // unaccent() is only STABLE, so it cannot appear in an index or a generated column. hn_unaccent is the
            // IMMUTABLE wrapper every full-text column uses. It names unaccent's schema explicitly (looked up here, since
            // managed servers may keep extensions outside public) so it never depends on the search_path at query time.
            // unaccent is a trusted extension: a database owner may create it on managed PostgreSQL.
            migrationBuilder.Sql("""
                CREATE EXTENSION IF NOT EXISTS unaccent;
                DO $do$
                DECLARE
                    unaccent_schema text := (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent');
                BEGIN
                    EXECUTE format(
                        'CREATE OR REPLACE FUNCTION hn_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS %L',
                        format('SELECT %s.unaccent(%L::regdictionary, $1)', unaccent_schema, unaccent_schema || '.unaccent'));
                END
                $do$;
                """);

            migrationBuilder.CreateTable(
                name: "notices",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    reference = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    category = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    title = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    body = table.Column<string>(type: "text", nullable: false),
                    issuer_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    location_description = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    postcode = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: true),
                    latitude = table.Column<double>(type: "double precision", nullable: true),
                    longitude = table.Column<double>(type: "double precision", nullable: true),
                    published_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    effective_from = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    effective_to = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    response_deadline = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    attachments = table.Column<string>(type: "jsonb", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    search_vector = table.Column<NpgsqlTsVector>(type: "tsvector", nullable: false, computedColumnSql: "setweight(to_tsvector('english'::regconfig, hn_unaccent(left(title, 1000))), 'A')\n|| setweight(to_tsvector('english'::regconfig, hn_unaccent(left(body, 100000))), 'B')\n|| setweight(to_tsvector('english'::regconfig, hn_unaccent(left(issuer_name || ' ' || coalesce(location_description, ''), 1000))), 'C')", stored: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notices", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_notices_category_created_at_id",
                table: "notices",
                columns: new[] { "category", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_notices_created_at_id",
                table: "notices",
                columns: new[] { "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_notices_issuer_name_created_at_id",
                table: "notices",
                columns: new[] { "issuer_name", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_notices_issuer_name_reference",
                table: "notices",
                columns: new[] { "issuer_name", "reference" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_notices_latitude_longitude",
                table: "notices",
                columns: new[] { "latitude", "longitude" },
                filter: "latitude IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_notices_search_vector",
                table: "notices",
                column: "search_vector")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_notices_status_created_at_id",
                table: "notices",
                columns: new[] { "status", "created_at", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "notices");

            migrationBuilder.Sql("DROP FUNCTION IF EXISTS hn_unaccent(text);");
        }
    }
}
