using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <summary>
    /// Every other GIN index writes its entries straight into the index too, as the search indexes do since
    /// SearchSpeedGinFastUpdate: with a pending list, each scan also reads the whole list until a vacuum merges it, and
    /// autovacuum comes after 20 % of a table is new (200,000 publishes at 1,000,000 articles). On the 1,000,000-article bench
    /// archive, 1,276 read-model rows written since its seed left 5 pending pages on each array index: search's check that a
    /// matching quote or source is used by a published article cost 43 µs a quote, and with it a search of a
    /// word common in quotes 19.0 ms instead of 7.3. The headline index of articles (management search) had 367 pending
    /// pages. Writing directly costs a few index entries a row (a headline's trigrams: ~60). What is pending is merged here.
    /// </summary>
    public partial class GinFastUpdateOff : Migration
    {
        private static readonly string[] Indexes =
        [
            "ix_published_articles_quote_ids", "ix_published_articles_source_ids", "ix_published_articles_asset_ids",
            "ix_published_articles_author_slugs", "ix_published_articles_place_slugs", "ix_published_articles_tag_slugs",
            "ix_articles_headline", "ix_notices_images", "ix_live_blog_entries_author_ids", "ix_live_blog_entries_body",
        ];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var index in Indexes)
            {
                migrationBuilder.Sql($"ALTER INDEX IF EXISTS {index} SET (fastupdate = off);");
                migrationBuilder.Sql($"SELECT gin_clean_pending_list(c.oid) FROM pg_class c WHERE c.relname = '{index}' AND c.relkind = 'i';");
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var index in Indexes)
            {
                migrationBuilder.Sql($"ALTER INDEX IF EXISTS {index} RESET (fastupdate);");
            }
        }
    }
}
