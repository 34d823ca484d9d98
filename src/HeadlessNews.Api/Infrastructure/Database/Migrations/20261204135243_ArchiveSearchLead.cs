using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <summary>
    /// Search ranks its candidates by the lead vector: cut to the body's first 300 characters and kept in the row (storage
    /// MAIN), so ranking never reads TOAST. PostgreSQL 15 cannot change a generated column's expression: it is re-added.
    /// </summary>
    public partial class ArchiveSearchLead : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE published_articles DROP COLUMN search_lead,
                  ADD COLUMN search_lead tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, hn_unaccent(headline)), 'A') ||
                setweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, hn_unaccent(coalesce(standfirst, ''))), 'B') ||
                setweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, hn_unaccent(left(body_text, 300))), 'C')) STORED,
                  ALTER COLUMN search_lead SET STORAGE MAIN;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE published_articles DROP COLUMN search_lead,
                  ADD COLUMN search_lead tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, hn_unaccent(headline)), 'A') ||
                setweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, hn_unaccent(coalesce(standfirst, ''))), 'B') ||
                setweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, hn_unaccent(left(body_text, 1500))), 'C')) STORED;
                """);
        }
    }
}
