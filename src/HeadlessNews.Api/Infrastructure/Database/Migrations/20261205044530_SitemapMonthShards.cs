using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <summary>
    /// Publishing stops queueing on its month's row of <c>sitemap_months</c>. Every publish added one to the same row and
    /// held its lock until it committed, so concurrent publishes ran one after the other from their read-model insert on:
    /// with 8 editors at 100,000 articles that insert averaged 43 ms, 39 of them waiting for the row (10 ms once split).
    /// Each month now has up to <see cref="Shards"/> rows, one per backend (its pid modulo that), each holding that
    /// backend's net change; readers add them up. A decrement is a negative delta in the writer's own row, never a change
    /// to another's.
    /// </summary>
    public partial class SitemapMonthShards : Migration
    {
        internal const int Shards = 16;

        /// <summary>The triggers' function as this migration made it (SitemapMonthRemovals replaces it, and puts it back on Down).</summary>
        internal static string CountFunction => $$"""
                CREATE OR REPLACE FUNCTION hn_sitemap_months_count() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                  backend_shard smallint := pg_backend_pid() % {{Shards}};
                BEGIN
                  IF TG_OP = 'TRUNCATE' THEN
                    DELETE FROM sitemap_months;
                    RETURN NULL;
                  ELSIF TG_OP = 'DELETE' THEN
                    -- A URL left the month's sitemap: it changed now.
                    INSERT INTO sitemap_months AS m (month, shard, articles, last_modified, last_visible_from)
                      SELECT date_trunc('month', visible_from, 'UTC'), backend_shard, -count(*), statement_timestamp(), '-infinity'
                        FROM old_rows GROUP BY 1 ORDER BY 1
                    ON CONFLICT (month, shard) DO UPDATE SET articles = m.articles + excluded.articles, last_modified = greatest(m.last_modified, excluded.last_modified);
                  ELSIF TG_OP = 'INSERT' THEN
                    INSERT INTO sitemap_months AS m (month, shard, articles, last_modified, last_visible_from)
                      SELECT date_trunc('month', visible_from, 'UTC'), backend_shard, count(*), max(greatest(updated_at, visible_from)), max(visible_from)
                        FROM new_rows GROUP BY 1 ORDER BY 1
                    ON CONFLICT (month, shard) DO UPDATE SET articles = m.articles + excluded.articles,
                      last_modified = greatest(m.last_modified, excluded.last_modified), last_visible_from = greatest(m.last_visible_from, excluded.last_visible_from);
                  ELSE
                    -- Only rows whose times changed touch the summary (a rename's refresh rewrites rows and leaves it alone); a row
                    -- moved to another month (republished, embargo moved) leaves its old month's sitemap now.
                    INSERT INTO sitemap_months AS m (month, shard, articles, last_modified, last_visible_from)
                      SELECT date_trunc('month', o.visible_from, 'UTC'), backend_shard, -count(*), statement_timestamp(), '-infinity'
                        FROM old_rows o JOIN new_rows n ON n.article_id = o.article_id
                       WHERE date_trunc('month', o.visible_from, 'UTC') <> date_trunc('month', n.visible_from, 'UTC') GROUP BY 1 ORDER BY 1
                    ON CONFLICT (month, shard) DO UPDATE SET articles = m.articles + excluded.articles, last_modified = greatest(m.last_modified, excluded.last_modified);
                    INSERT INTO sitemap_months AS m (month, shard, articles, last_modified, last_visible_from)
                      SELECT date_trunc('month', n.visible_from, 'UTC'), backend_shard,
                             count(*) FILTER (WHERE date_trunc('month', o.visible_from, 'UTC') <> date_trunc('month', n.visible_from, 'UTC')),
                             max(greatest(n.updated_at, n.visible_from)), max(n.visible_from)
                        FROM old_rows o JOIN new_rows n ON n.article_id = o.article_id
                       WHERE (o.visible_from, o.updated_at) IS DISTINCT FROM (n.visible_from, n.updated_at) GROUP BY 1 ORDER BY 1
                    ON CONFLICT (month, shard) DO UPDATE SET articles = m.articles + excluded.articles,
                      last_modified = greatest(m.last_modified, excluded.last_modified), last_visible_from = greatest(m.last_visible_from, excluded.last_visible_from);
                  END IF;
                  RETURN NULL;
                END $$;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE sitemap_months ADD COLUMN shard smallint NOT NULL DEFAULT 0;
                ALTER TABLE sitemap_months ALTER COLUMN shard DROP DEFAULT;
                ALTER TABLE sitemap_months DROP CONSTRAINT sitemap_months_pkey, ADD CONSTRAINT sitemap_months_pkey PRIMARY KEY (month, shard);
                """ + CountFunction);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TEMP TABLE sitemap_months_folded ON COMMIT DROP AS
                  SELECT month, sum(articles)::int AS articles, max(last_modified) AS last_modified, max(last_visible_from) AS last_visible_from
                    FROM sitemap_months GROUP BY month;
                DELETE FROM sitemap_months;
                ALTER TABLE sitemap_months DROP CONSTRAINT sitemap_months_pkey, DROP COLUMN shard, ADD PRIMARY KEY (month);
                INSERT INTO sitemap_months SELECT month, articles, last_modified, last_visible_from FROM sitemap_months_folded;
                """ + ArchiveSitemapMonths.CountFunction);
        }
    }
}
