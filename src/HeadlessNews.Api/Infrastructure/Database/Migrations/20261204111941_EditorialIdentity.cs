using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <summary>
    /// People from an identity provider in the record: revisions and audit entries gain the person's issuer and subject
    /// (revisions also the key id and e-mail), and editors' presence on an article is kept per article. The audit hash
    /// covers the new fields only when an entry has them, so every entry written before still verifies.
    /// </summary>
    public partial class EditorialIdentity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "key_name",
                table: "revisions",
                newName: "actor_name");

            migrationBuilder.AddColumn<Guid>(
                name: "api_key_id",
                table: "revisions",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "email",
                table: "revisions",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "issuer",
                table: "revisions",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "subject",
                table: "revisions",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "issuer",
                table: "audit_entries",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "subject",
                table: "audit_entries",
                type: "text",
                nullable: true);

            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION hn_audit_entry_hash(e audit_entries) RETURNS bytea LANGUAGE sql STABLE AS $$
                    SELECT sha256(e.previous_hash || convert_to((jsonb_build_array(
                        e.seq, e.id, (extract(epoch FROM e.at) * 1000000)::bigint, e.api_key_id, e.actor_kind, e.actor_name, e.key_prefix,
                        e.on_behalf_of, e.method, e.route, e.path, e.status, e.resource_type, e.resource_id, e.request_id)
                        || CASE WHEN e.issuer IS NULL AND e.subject IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(e.issuer, e.subject) END)::text, 'UTF8'))
                $$;
                """);

            migrationBuilder.CreateTable(
                name: "article_presence",
                columns: table => new
                {
                    article_id = table.Column<Guid>(type: "uuid", nullable: false),
                    editor = table.Column<string>(type: "character varying(1200)", maxLength: 1200, nullable: false),
                    name = table.Column<string>(type: "character varying(420)", maxLength: 420, nullable: false),
                    since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_article_presence", x => new { x.article_id, x.editor });
                    table.ForeignKey(
                        name: "fk_article_presence_articles_article_id",
                        column: x => x.article_id,
                        principalTable: "articles",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_revisions_api_key_id",
                table: "revisions",
                column: "api_key_id",
                filter: "number = 1 AND api_key_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_revisions_subject_issuer",
                table: "revisions",
                columns: new[] { "subject", "issuer" },
                filter: "number = 1 AND subject IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "article_presence");

            migrationBuilder.DropIndex(
                name: "ix_revisions_api_key_id",
                table: "revisions");

            migrationBuilder.DropIndex(
                name: "ix_revisions_subject_issuer",
                table: "revisions");

            migrationBuilder.DropColumn(
                name: "api_key_id",
                table: "revisions");

            migrationBuilder.DropColumn(
                name: "email",
                table: "revisions");

            migrationBuilder.DropColumn(
                name: "issuer",
                table: "revisions");

            migrationBuilder.DropColumn(
                name: "subject",
                table: "revisions");

            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION hn_audit_entry_hash(e audit_entries) RETURNS bytea LANGUAGE sql STABLE AS $$
                    SELECT sha256(e.previous_hash || convert_to(jsonb_build_array(
                        e.seq, e.id, (extract(epoch FROM e.at) * 1000000)::bigint, e.api_key_id, e.actor_kind, e.actor_name, e.key_prefix,
                        e.on_behalf_of, e.method, e.route, e.path, e.status, e.resource_type, e.resource_id, e.request_id)::text, 'UTF8'))
                $$;
                """);

            migrationBuilder.DropColumn(
                name: "issuer",
                table: "audit_entries");

            migrationBuilder.DropColumn(
                name: "subject",
                table: "audit_entries");

            migrationBuilder.RenameColumn(
                name: "actor_name",
                table: "revisions",
                newName: "key_name");
        }
    }
}
