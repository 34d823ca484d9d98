using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <inheritdoc />
    public partial class ArchiveSitemapMonths : Migration
    {
        /// <summary>The triggers' function as this migration made it (SitemapMonthShards replaces it, and puts it back on Down).</summary>
        internal const string CountFunction = """
                CREATE OR REPLACE FUNCTION hn_sitemap_months_count() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_OP = 'TRUNCATE' THEN
                    DELETE FROM sitemap_months;
                  ELSIF TG_OP = 'DELETE' THEN
                    -- A URL left the month's sitemap: it changed now.
                    UPDATE sitemap_months m SET articles = m.articles - gone.n, last_modified = greatest(m.last_modified, statement_timestamp())
                      FROM (SELECT date_trunc('month', visible_from, 'UTC') AS month, count(*) AS n FROM old_rows GROUP BY 1 ORDER BY 1) gone
                     WHERE m.month = gone.month;
                  ELSIF TG_OP = 'INSERT' THEN
                    INSERT INTO sitemap_months AS m (month, articles, last_modified, last_visible_from)
                      SELECT date_trunc('month', visible_from, 'UTC'), count(*), max(greatest(updated_at, visible_from)), max(visible_from)
                        FROM new_rows GROUP BY 1 ORDER BY 1
                    ON CONFLICT (month) DO UPDATE SET articles = m.articles + excluded.articles,
                      last_modified = greatest(m.last_modified, excluded.last_modified), last_visible_from = greatest(m.last_visible_from, excluded.last_visible_from);
                  ELSE
                    -- Only rows whose times changed touch the summary (a rename's refresh rewrites rows and leaves it alone); a row
                    -- moved to another month (republished, embargo moved) leaves its old month's sitemap now.
                    UPDATE sitemap_months m SET articles = m.articles - gone.n, last_modified = greatest(m.last_modified, statement_timestamp())
                      FROM (SELECT date_trunc('month', o.visible_from, 'UTC') AS month, count(*) AS n
                              FROM old_rows o JOIN new_rows n ON n.article_id = o.article_id
                             WHERE date_trunc('month', o.visible_from, 'UTC') <> date_trunc('month', n.visible_from, 'UTC') GROUP BY 1 ORDER BY 1) gone
                     WHERE m.month = gone.month;
                    INSERT INTO sitemap_months AS m (month, articles, last_modified, last_visible_from)
                      SELECT date_trunc('month', n.visible_from, 'UTC'),
                             count(*) FILTER (WHERE date_trunc('month', o.visible_from, 'UTC') <> date_trunc('month', n.visible_from, 'UTC')),
                             max(greatest(n.updated_at, n.visible_from)), max(n.visible_from)
                        FROM old_rows o JOIN new_rows n ON n.article_id = o.article_id
                       WHERE (o.visible_from, o.updated_at) IS DISTINCT FROM (n.visible_from, n.updated_at) GROUP BY 1 ORDER BY 1
                    ON CONFLICT (month) DO UPDATE SET articles = m.articles + excluded.articles,
                      last_modified = greatest(m.last_modified, excluded.last_modified), last_visible_from = greatest(m.last_visible_from, excluded.last_visible_from);
                  END IF;
                  RETURN NULL;
                END $$;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // One row per month (UTC, of visible_from) of the read model: how many rows it has, when its sitemap last changed, and its
            // latest visible_from (while that is ahead, the month holds rows not visible yet and readers count it exactly).
            // Statement triggers keep it, so bulk SQL (the archive bench's INSERT … SELECT) keeps it right at one update per month.
            migrationBuilder.Sql("""
                CREATE TABLE sitemap_months (
                  month timestamptz PRIMARY KEY,
                  articles integer NOT NULL,
                  last_modified timestamptz NOT NULL,
                  last_visible_from timestamptz NOT NULL);
                INSERT INTO sitemap_months (month, articles, last_modified, last_visible_from)
                  SELECT date_trunc('month', visible_from, 'UTC'), count(*), max(greatest(updated_at, visible_from)), max(visible_from)
                    FROM published_articles GROUP BY 1;
                """ + CountFunction + """
                CREATE TRIGGER published_articles_sitemap_insert AFTER INSERT ON published_articles
                  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hn_sitemap_months_count();
                CREATE TRIGGER published_articles_sitemap_update AFTER UPDATE ON published_articles
                  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hn_sitemap_months_count();
                CREATE TRIGGER published_articles_sitemap_delete AFTER DELETE ON published_articles
                  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION hn_sitemap_months_count();
                CREATE TRIGGER published_articles_sitemap_truncate AFTER TRUNCATE ON published_articles
                  FOR EACH STATEMENT EXECUTE FUNCTION hn_sitemap_months_count();
                """);

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER published_articles_sitemap_insert ON published_articles;
                DROP TRIGGER published_articles_sitemap_update ON published_articles;
                DROP TRIGGER published_articles_sitemap_delete ON published_articles;
                DROP TRIGGER published_articles_sitemap_truncate ON published_articles;
                DROP FUNCTION hn_sitemap_months_count();
                DROP TABLE sitemap_months;
                """);

        }
    }
}
