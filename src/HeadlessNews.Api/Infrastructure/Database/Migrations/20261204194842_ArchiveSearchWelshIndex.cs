using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <summary>
    /// Search matches English and Welsh articles in separate branches (each with its own query) instead of an OR that
    /// re-checked every candidate's vector: the Welsh branch reads this partial index, empty when nothing is Welsh.
    /// </summary>
    public partial class ArchiveSearchWelshIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_published_articles_search_welsh",
                table: "published_articles",
                column: "search",
                filter: "language LIKE 'cy%'")
                .Annotation("Npgsql:IndexMethod", "gin");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_published_articles_search_welsh",
                table: "published_articles");
        }
    }
}
