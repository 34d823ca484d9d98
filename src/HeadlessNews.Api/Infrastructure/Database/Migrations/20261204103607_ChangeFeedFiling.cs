using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class ChangeFeedFiling : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "section_slug",
                table: "content_changes",
                type: "character varying(120)",
                maxLength: 120,
                nullable: true);

            migrationBuilder.AddColumn<string[]>(
                name: "tag_slugs",
                table: "content_changes",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'");

            migrationBuilder.CreateIndex(
                name: "ix_content_changes_resource_id_transaction_id_sequence",
                table: "content_changes",
                columns: new[] { "resource_id", "transaction_id", "sequence" });

            // Entries recorded before now are judged by the article's present filing, as limited partners were shown them.
            migrationBuilder.Sql("""
                UPDATE content_changes c
                   SET section_slug = s.slug,
                       tag_slugs = coalesce((SELECT array_agg(t.slug ORDER BY l.position) FROM article_tags l JOIN tags t ON t.id = l.tag_id
                                              WHERE l.article_id = a.id), '{}')
                  FROM articles a LEFT JOIN sections s ON s.id = a.section_id
                 WHERE c.resource_type = 'article' AND c.resource_id = a.id
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_content_changes_resource_id_transaction_id_sequence",
                table: "content_changes");

            migrationBuilder.DropColumn(
                name: "section_slug",
                table: "content_changes");

            migrationBuilder.DropColumn(
                name: "tag_slugs",
                table: "content_changes");
        }
    }
}
