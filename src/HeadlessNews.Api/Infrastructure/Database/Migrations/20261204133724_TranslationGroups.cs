using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class TranslationGroups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "translation_group_id",
                table: "published_articles",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<string>(
                name: "language",
                table: "content_events",
                type: "character varying(35)",
                maxLength: 35,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "translation_group_id",
                table: "articles",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            // Every existing article is a story of one edition; the read model follows its article.
            migrationBuilder.Sql("UPDATE articles SET translation_group_id = id;");
            migrationBuilder.Sql("UPDATE published_articles p SET translation_group_id = a.translation_group_id FROM articles a WHERE a.id = p.article_id;");

            migrationBuilder.CreateIndex(
                name: "ix_published_articles_translation_group_id",
                table: "published_articles",
                column: "translation_group_id");

            migrationBuilder.CreateIndex(
                name: "ix_articles_translation_group_id",
                table: "articles",
                column: "translation_group_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_published_articles_translation_group_id",
                table: "published_articles");

            migrationBuilder.DropIndex(
                name: "ix_articles_translation_group_id",
                table: "articles");

            migrationBuilder.DropColumn(
                name: "translation_group_id",
                table: "published_articles");

            migrationBuilder.DropColumn(
                name: "language",
                table: "content_events");

            migrationBuilder.DropColumn(
                name: "translation_group_id",
                table: "articles");
        }
    }
}
