using Microsoft.EntityFrameworkCore.Migrations;
using NpgsqlTypes;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class SearchLead : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<NpgsqlTsVector>(
                name: "search_lead",
                table: "published_articles",
                type: "tsvector",
                nullable: true,
                computedColumnSql: "setweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, hn_unaccent(headline)), 'A') ||\nsetweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, hn_unaccent(coalesce(standfirst, ''))), 'B') ||\nsetweight(to_tsvector(CASE WHEN language LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END, hn_unaccent(left(body_text, 1500))), 'C')",
                stored: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "search_lead",
                table: "published_articles");
        }
    }
}
