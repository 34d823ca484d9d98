using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class ArchiveNoticesNearNewestFirst : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_notices_latitude_longitude",
                table: "notices");

            migrationBuilder.CreateIndex(
                name: "ix_notices_published_at_id_latitude_longitude",
                table: "notices",
                columns: new[] { "published_at", "id", "latitude", "longitude" },
                filter: "status = 'published' AND latitude IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_notices_published_at_id_latitude_longitude",
                table: "notices");

            migrationBuilder.CreateIndex(
                name: "ix_notices_latitude_longitude",
                table: "notices",
                columns: new[] { "latitude", "longitude" },
                filter: "latitude IS NOT NULL");
        }
    }
}
