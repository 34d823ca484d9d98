using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class LiveBlogEntryReferences : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_live_blog_entries_author_ids",
                table: "live_blog_entries",
                column: "author_ids")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_live_blog_entries_body",
                table: "live_blog_entries",
                column: "body")
                .Annotation("Npgsql:IndexMethod", "gin");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_live_blog_entries_author_ids",
                table: "live_blog_entries");

            migrationBuilder.DropIndex(
                name: "ix_live_blog_entries_body",
                table: "live_blog_entries");
        }
    }
}
