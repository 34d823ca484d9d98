using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class CrashRecoveryLeases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_webhook_messages_next_attempt_at",
                table: "webhook_messages");

            migrationBuilder.AddColumn<Guid>(
                name: "claimed_by",
                table: "webhook_messages",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "committed_at",
                table: "idempotency_records",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "owner_boot_id",
                table: "idempotency_records",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.CreateTable(
                name: "nodes",
                columns: table => new
                {
                    boot_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    lease_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_nodes", x => x.boot_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_messages_claimed",
                table: "webhook_messages",
                column: "webhook_id",
                filter: "claimed_by IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_messages_webhook_id_next_attempt_at",
                table: "webhook_messages",
                columns: new[] { "webhook_id", "next_attempt_at" },
                filter: "status = 'Pending'");

            migrationBuilder.CreateIndex(
                name: "ix_nodes_name",
                table: "nodes",
                column: "name");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "nodes");

            migrationBuilder.DropIndex(
                name: "ix_webhook_messages_claimed",
                table: "webhook_messages");

            migrationBuilder.DropIndex(
                name: "ix_webhook_messages_webhook_id_next_attempt_at",
                table: "webhook_messages");

            migrationBuilder.DropColumn(
                name: "claimed_by",
                table: "webhook_messages");

            migrationBuilder.DropColumn(
                name: "committed_at",
                table: "idempotency_records");

            migrationBuilder.DropColumn(
                name: "owner_boot_id",
                table: "idempotency_records");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_messages_next_attempt_at",
                table: "webhook_messages",
                column: "next_attempt_at",
                filter: "status = 'Pending'");
        }
    }
}
