using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class WritePathReadModelStorage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "published_articles")
                .Annotation("Npgsql:StorageParameter:fillfactor", 50);

            migrationBuilder.AlterColumn<string>(
                name: "summary_with_body_json",
                table: "published_articles",
                type: "text",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "text")
                .Annotation("Npgsql:Compression:", "lz4");

            migrationBuilder.AlterColumn<string>(
                name: "summary_json",
                table: "published_articles",
                type: "text",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "text")
                .Annotation("Npgsql:Compression:", "lz4");

            migrationBuilder.AlterColumn<string>(
                name: "document_json",
                table: "published_articles",
                type: "text",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "text")
                .Annotation("Npgsql:Compression:", "lz4");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "published_articles")
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 50);

            migrationBuilder.AlterColumn<string>(
                name: "summary_with_body_json",
                table: "published_articles",
                type: "text",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "text")
                .OldAnnotation("Npgsql:Compression:", "lz4");

            migrationBuilder.AlterColumn<string>(
                name: "summary_json",
                table: "published_articles",
                type: "text",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "text")
                .OldAnnotation("Npgsql:Compression:", "lz4");

            migrationBuilder.AlterColumn<string>(
                name: "document_json",
                table: "published_articles",
                type: "text",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "text")
                .OldAnnotation("Npgsql:Compression:", "lz4");
        }
    }
}
