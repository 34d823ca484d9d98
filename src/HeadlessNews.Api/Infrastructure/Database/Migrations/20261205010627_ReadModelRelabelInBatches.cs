using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class ReadModelRelabelInBatches : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_article_tags_tag_id",
                table: "article_tags");

            migrationBuilder.DropIndex(
                name: "ix_article_sources_source_id",
                table: "article_sources");

            migrationBuilder.DropIndex(
                name: "ix_article_quotes_quote_id",
                table: "article_quotes");

            migrationBuilder.DropIndex(
                name: "ix_article_places_place_id",
                table: "article_places");

            migrationBuilder.DropIndex(
                name: "ix_article_authors_author_id",
                table: "article_authors");

            migrationBuilder.CreateTable(
                name: "read_model_relabels",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    target_id = table.Column<Guid>(type: "uuid", nullable: false),
                    old_slug = table.Column<string>(type: "text", nullable: false),
                    new_slug = table.Column<string>(type: "text", nullable: false),
                    old_json = table.Column<string>(type: "text", nullable: false),
                    new_json = table.Column<string>(type: "text", nullable: false),
                    after_article_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_read_model_relabels", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_articles_section_id_id",
                table: "articles",
                columns: new[] { "section_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_article_tags_tag_id_article_id",
                table: "article_tags",
                columns: new[] { "tag_id", "article_id" });

            migrationBuilder.CreateIndex(
                name: "ix_article_sources_source_id_article_id",
                table: "article_sources",
                columns: new[] { "source_id", "article_id" });

            migrationBuilder.CreateIndex(
                name: "ix_article_quotes_quote_id_article_id",
                table: "article_quotes",
                columns: new[] { "quote_id", "article_id" });

            migrationBuilder.CreateIndex(
                name: "ix_article_places_place_id_article_id",
                table: "article_places",
                columns: new[] { "place_id", "article_id" });

            migrationBuilder.CreateIndex(
                name: "ix_article_authors_author_id_article_id",
                table: "article_authors",
                columns: new[] { "author_id", "article_id" });

            migrationBuilder.CreateIndex(
                name: "ix_read_model_relabels_kind_target_id",
                table: "read_model_relabels",
                columns: new[] { "kind", "target_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "read_model_relabels");

            migrationBuilder.DropIndex(
                name: "ix_articles_section_id_id",
                table: "articles");

            migrationBuilder.DropIndex(
                name: "ix_article_tags_tag_id_article_id",
                table: "article_tags");

            migrationBuilder.DropIndex(
                name: "ix_article_sources_source_id_article_id",
                table: "article_sources");

            migrationBuilder.DropIndex(
                name: "ix_article_quotes_quote_id_article_id",
                table: "article_quotes");

            migrationBuilder.DropIndex(
                name: "ix_article_places_place_id_article_id",
                table: "article_places");

            migrationBuilder.DropIndex(
                name: "ix_article_authors_author_id_article_id",
                table: "article_authors");

            migrationBuilder.CreateIndex(
                name: "ix_article_tags_tag_id",
                table: "article_tags",
                column: "tag_id");

            migrationBuilder.CreateIndex(
                name: "ix_article_sources_source_id",
                table: "article_sources",
                column: "source_id");

            migrationBuilder.CreateIndex(
                name: "ix_article_quotes_quote_id",
                table: "article_quotes",
                column: "quote_id");

            migrationBuilder.CreateIndex(
                name: "ix_article_places_place_id",
                table: "article_places",
                column: "place_id");

            migrationBuilder.CreateIndex(
                name: "ix_article_authors_author_id",
                table: "article_authors",
                column: "author_id");
        }
    }
}
