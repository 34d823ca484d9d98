using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class PreviewLinkRevocationAndSigningKeyRotation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "preview_generation",
                table: "articles",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "token_signing_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    value = table.Column<byte[]>(type: "bytea", nullable: false),
                    active_from = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    retires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_token_signing_keys", x => x.id);
                });

            // The key that signed every token in flight becomes the first key of the ring, so none of them breaks.
            migrationBuilder.Sql("INSERT INTO token_signing_keys (value, active_from) SELECT value, now() FROM server_secrets WHERE name = 'token-signing'");
            migrationBuilder.Sql("DELETE FROM server_secrets WHERE name = 'token-signing'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "preview_generation",
                table: "articles");

            migrationBuilder.Sql("INSERT INTO server_secrets (name, value) SELECT 'token-signing', value FROM token_signing_keys ORDER BY active_from DESC, id DESC LIMIT 1");

            migrationBuilder.DropTable(
                name: "token_signing_keys");
        }
    }
}
