using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <summary>
    /// A month's lastmod never goes backwards. A month with rows not visible yet (a scheduled story) is dated from its visible
    /// rows, which forget an article that left it (unpublished, archived, moved to another month): the month then showed an
    /// older lastmod than before, and a crawler holding the sitemap would not fetch it again. Each month now keeps when it last
    /// lost an article, <c>last_removed</c>, and readers take the later of that and its rows.
    /// </summary>
    public partial class SitemapMonthRemovals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE sitemap_months ADD COLUMN last_removed timestamptz NOT NULL DEFAULT '-infinity';
                CREATE OR REPLACE FUNCTION hn_sitemap_months_count() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                  backend_shard smallint := hn_sitemap_shard();
                BEGIN
                  IF TG_OP = 'TRUNCATE' THEN
                    DELETE FROM sitemap_months;
                    RETURN NULL;
                  ELSIF TG_OP = 'DELETE' THEN
                    -- A URL left the month's sitemap: it changed now (and not before the row's own last change, should the API's
                    -- clock run ahead of the database's).
                    INSERT INTO sitemap_months AS m (month, shard, articles, last_modified, last_visible_from, last_removed)
                      SELECT date_trunc('month', visible_from, 'UTC'), backend_shard, -count(*), statement_timestamp(), '-infinity',
                             greatest(statement_timestamp(), max(updated_at))
                        FROM old_rows GROUP BY 1 ORDER BY 1
                    ON CONFLICT (month, shard) DO UPDATE SET articles = m.articles + excluded.articles, last_modified = greatest(m.last_modified, excluded.last_modified),
                      last_removed = greatest(m.last_removed, excluded.last_removed);
                  ELSIF TG_OP = 'INSERT' THEN
                    INSERT INTO sitemap_months AS m (month, shard, articles, last_modified, last_visible_from)
                      SELECT date_trunc('month', visible_from, 'UTC'), backend_shard, count(*), max(greatest(updated_at, visible_from)), max(visible_from)
                        FROM new_rows GROUP BY 1 ORDER BY 1
                    ON CONFLICT (month, shard) DO UPDATE SET articles = m.articles + excluded.articles,
                      last_modified = greatest(m.last_modified, excluded.last_modified), last_visible_from = greatest(m.last_visible_from, excluded.last_visible_from);
                  ELSE
                    -- Only rows whose times changed touch the summary (a rename's refresh rewrites rows and leaves it alone); a row
                    -- moved to another month (republished, embargo moved) leaves its old month's sitemap now, and one moved later
                    -- in its month (an embargo) may leave it until then: either is a removal.
                    INSERT INTO sitemap_months AS m (month, shard, articles, last_modified, last_visible_from, last_removed)
                      SELECT date_trunc('month', o.visible_from, 'UTC'), backend_shard,
                             -count(*) FILTER (WHERE date_trunc('month', o.visible_from, 'UTC') <> date_trunc('month', n.visible_from, 'UTC')),
                             statement_timestamp(), '-infinity', greatest(statement_timestamp(), max(o.updated_at))
                        FROM old_rows o JOIN new_rows n ON n.article_id = o.article_id
                       WHERE date_trunc('month', o.visible_from, 'UTC') <> date_trunc('month', n.visible_from, 'UTC') OR n.visible_from > o.visible_from
                       GROUP BY 1 ORDER BY 1
                    ON CONFLICT (month, shard) DO UPDATE SET articles = m.articles + excluded.articles, last_modified = greatest(m.last_modified, excluded.last_modified),
                      last_removed = greatest(m.last_removed, excluded.last_removed);
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
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE sitemap_months DROP COLUMN last_removed;
                """ + SitemapMonthShards.CountFunction("hn_sitemap_shard()"));
        }
    }
}
