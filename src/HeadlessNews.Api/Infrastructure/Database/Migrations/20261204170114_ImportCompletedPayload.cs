using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class ImportCompletedPayload : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "data",
                table: "content_events",
                type: "jsonb",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "data",
                table: "content_events");
        }
    }
}
