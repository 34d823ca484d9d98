using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class SectionAndAuthorListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_sections_created_at_id",
                table: "sections",
                columns: new[] { "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_sections_updated_at_id",
                table: "sections",
                columns: new[] { "updated_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_authors_created_at_id",
                table: "authors",
                columns: new[] { "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_authors_updated_at_id",
                table: "authors",
                columns: new[] { "updated_at", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_sections_created_at_id",
                table: "sections");

            migrationBuilder.DropIndex(
                name: "ix_sections_updated_at_id",
                table: "sections");

            migrationBuilder.DropIndex(
                name: "ix_authors_created_at_id",
                table: "authors");

            migrationBuilder.DropIndex(
                name: "ix_authors_updated_at_id",
                table: "authors");
        }
    }
}
