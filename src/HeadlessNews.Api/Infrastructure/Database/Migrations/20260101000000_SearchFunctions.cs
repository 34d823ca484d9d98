using HeadlessNews.Api.Infrastructure.Database;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations;

/// <summary>
/// Hand-written and ordered first: the extensions search needs (unaccent; pg_trgm for the editors' headline search) and the
/// accent-folding function every search vector is computed with.
/// <c>unaccent()</c> is only STABLE, so generated columns and indexes need this IMMUTABLE wrapper
/// (safe because the dictionary is fixed). unaccent is a trusted extension: no superuser needed.
/// </summary>
[DbContext(typeof(HeadlessNewsDbContext))]
[Migration("20260101000000_SearchFunctions")]
public sealed class SearchFunctions : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS unaccent;");
        migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS pg_trgm;");
        migrationBuilder.Sql("""
            CREATE OR REPLACE FUNCTION hn_unaccent(text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
            AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP FUNCTION IF EXISTS hn_unaccent(text);");
    }
}
