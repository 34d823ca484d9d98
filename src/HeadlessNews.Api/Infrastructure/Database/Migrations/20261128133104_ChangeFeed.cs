using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class ChangeFeed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_content_events_due_at",
                table: "content_events");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "change_recorded_at",
                table: "content_events",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "content_changes",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    transaction_id = table.Column<ulong>(type: "xid8", nullable: false, defaultValueSql: "pg_current_xact_id()"),
                    op = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    resource_type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    resource_id = table.Column<Guid>(type: "uuid", nullable: false),
                    slug = table.Column<string>(type: "text", nullable: true),
                    version = table.Column<int>(type: "integer", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_content_changes", x => x.sequence);
                });

            migrationBuilder.CreateIndex(
                name: "ix_content_events_due_at_change_pending",
                table: "content_events",
                column: "due_at",
                filter: "change_recorded_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_content_changes_transaction_id_sequence",
                table: "content_changes",
                columns: new[] { "transaction_id", "sequence" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "content_changes");

            migrationBuilder.DropIndex(
                name: "ix_content_events_due_at_change_pending",
                table: "content_events");

            migrationBuilder.DropColumn(
                name: "change_recorded_at",
                table: "content_events");

            migrationBuilder.CreateIndex(
                name: "ix_content_events_due_at",
                table: "content_events",
                column: "due_at",
                filter: "dispatched_at IS NULL");
        }
    }
}
