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
            migrationBuilder.AddColumn<Guid>(
                name: "section_id",
                table: "content_changes",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid[]>(
                name: "tag_ids",
                table: "content_changes",
                type: "uuid[]",
                nullable: false,
                defaultValueSql: "'{}'");

            migrationBuilder.CreateIndex(
                name: "ix_content_changes_resource_id_transaction_id_sequence",
                table: "content_changes",
                columns: new[] { "resource_id", "transaction_id", "sequence" });

            // Entries recorded before now are judged by the article's present filing, as limited partners were shown them.
            migrationBuilder.Sql("""
                UPDATE content_changes c
                   SET section_id = a.section_id,
                       tag_ids = coalesce((SELECT array_agg(l.tag_id ORDER BY l.position) FROM article_tags l WHERE l.article_id = a.id), '{}')
                  FROM articles a
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
                name: "section_id",
                table: "content_changes");

            migrationBuilder.DropColumn(
                name: "tag_ids",
                table: "content_changes");
        }
    }
}
