using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class LiveBlogDeletedTombstones : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A deleted entry's stream event carried its whole text, and a replay sent it to anyone: keep only which entry went.
            migrationBuilder.Sql("""
                UPDATE live_blog_updates
                   SET data_json = json_build_object('id', entry_id, 'articleId', article_id)::text
                 WHERE type = 'entry.deleted'
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The deleted texts are gone: nothing to restore.
        }
    }
}
