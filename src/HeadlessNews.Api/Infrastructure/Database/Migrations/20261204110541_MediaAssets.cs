using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class MediaAssets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid[]>(
                name: "asset_ids",
                table: "published_articles",
                type: "uuid[]",
                nullable: false,
                defaultValue: new Guid[0]);

            migrationBuilder.CreateTable(
                name: "assets",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    filename = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    content_type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    width = table.Column<int>(type: "integer", nullable: false),
                    height = table.Column<int>(type: "integer", nullable: false),
                    bytes = table.Column<long>(type: "bigint", nullable: false),
                    sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    alt = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    caption = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    credit = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    rights_holder = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    rights_licence = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    rights_expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    focal_x = table.Column<double>(type: "double precision", nullable: false),
                    focal_y = table.Column<double>(type: "double precision", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_assets", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_published_articles_asset_ids",
                table: "published_articles",
                column: "asset_ids")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_assets_sha256",
                table: "assets",
                column: "sha256",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_assets_updated_at_id",
                table: "assets",
                columns: new[] { "updated_at", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "assets");

            migrationBuilder.DropIndex(
                name: "ix_published_articles_asset_ids",
                table: "published_articles");

            migrationBuilder.DropColumn(
                name: "asset_ids",
                table: "published_articles");
        }
    }
}
