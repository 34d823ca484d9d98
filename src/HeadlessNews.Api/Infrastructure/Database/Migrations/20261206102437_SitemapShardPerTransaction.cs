using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <summary>
    /// Two writers never count into the same <c>sitemap_months</c> row at once. A backend's shard was its pid modulo 16, so
    /// two backends shared one one time in 16; a writer that counts in several statements of one transaction (an import's
    /// chunk: its rows, then the ones it updates) could then lock two months in the other's opposite order and deadlock
    /// (seen: a 10,000-post import's two lanes, its chunk failed with 40P01). A transaction now holds its shard with an
    /// advisory lock until it ends, starting from its pid's and taking the next free one; only with more writers at once
    /// than shards does one count into a shard another holds, as every writer did before.
    /// </summary>
    public partial class SitemapShardPerTransaction : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($$"""
                CREATE FUNCTION hn_sitemap_shard() RETURNS smallint LANGUAGE plpgsql AS $$
                DECLARE
                  own smallint := pg_backend_pid() % {{SitemapMonthShards.Shards}};
                BEGIN
                  FOR step IN 0 .. {{SitemapMonthShards.Shards - 1}} LOOP
                    IF pg_try_advisory_xact_lock(hashtext('sitemap-month-shards'), (own + step) % {{SitemapMonthShards.Shards}}) THEN
                      RETURN (own + step) % {{SitemapMonthShards.Shards}};
                    END IF;
                  END LOOP;
                  RETURN own;
                END $$;
                """ + SitemapMonthShards.CountFunction("hn_sitemap_shard()"));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(SitemapMonthShards.CountFunction($"pg_backend_pid() % {SitemapMonthShards.Shards}") + "DROP FUNCTION hn_sitemap_shard();");
        }
    }
}
