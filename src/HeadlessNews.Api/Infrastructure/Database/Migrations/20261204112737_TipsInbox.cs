using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class TipsInbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "tip_purges",
                columns: table => new
                {
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    purged = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tip_purges", x => x.day);
                });

            migrationBuilder.CreateTable(
                name: "tip_spent_challenges",
                columns: table => new
                {
                    hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tip_spent_challenges", x => x.hash);
                });

            migrationBuilder.CreateTable(
                name: "tips",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    receipt_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    sealed_name = table.Column<byte[]>(type: "bytea", nullable: true),
                    sealed_contact = table.Column<byte[]>(type: "bytea", nullable: true),
                    sealed_notes = table.Column<byte[]>(type: "bytea", nullable: true),
                    assignee = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    article_id = table.Column<Guid>(type: "uuid", nullable: true),
                    keep = table.Column<bool>(type: "boolean", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tips", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "tip_attachments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tip_id = table.Column<Guid>(type: "uuid", nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false),
                    content_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    length = table.Column<long>(type: "bigint", nullable: false),
                    sealed_content = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tip_attachments", x => x.id);
                    table.ForeignKey(
                        name: "fk_tip_attachments_tip_tip_id",
                        column: x => x.tip_id,
                        principalTable: "tips",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "tip_messages",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tip_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    from = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    sealed_text = table.Column<byte[]>(type: "bytea", nullable: false),
                    author = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tip_messages", x => x.id);
                    table.ForeignKey(
                        name: "fk_tip_messages_tips_tip_id",
                        column: x => x.tip_id,
                        principalTable: "tips",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_tip_attachments_tip_id_position",
                table: "tip_attachments",
                columns: new[] { "tip_id", "position" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_tip_messages_tip_id_sequence",
                table: "tip_messages",
                columns: new[] { "tip_id", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_tip_spent_challenges_expires_at",
                table: "tip_spent_challenges",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_tips_receipt_hash",
                table: "tips",
                column: "receipt_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_tips_received_at_id",
                table: "tips",
                columns: new[] { "received_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_tips_status_received_at_id",
                table: "tips",
                columns: new[] { "status", "received_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_tips_updated_at",
                table: "tips",
                column: "updated_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "tip_attachments");

            migrationBuilder.DropTable(
                name: "tip_messages");

            migrationBuilder.DropTable(
                name: "tip_purges");

            migrationBuilder.DropTable(
                name: "tip_spent_challenges");

            migrationBuilder.DropTable(
                name: "tips");
        }
    }
}
