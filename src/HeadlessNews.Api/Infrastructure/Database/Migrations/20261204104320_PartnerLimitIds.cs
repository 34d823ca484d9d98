using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <summary>Partner limits by section and tag id instead of slug, so that renaming a section changes nothing a partner sees.</summary>
    public partial class PartnerLimitIds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A limit naming a section or tag that does not exist becomes the nil id, which matches nothing: the key still
            // sees no more than it did.
            migrationBuilder.Sql("""
                ALTER TABLE api_keys ADD COLUMN section_limit_ids uuid[] NOT NULL DEFAULT '{}', ADD COLUMN tag_limit_ids uuid[] NOT NULL DEFAULT '{}';
                UPDATE api_keys k SET
                    section_limit_ids = ARRAY(SELECT DISTINCT coalesce(s.id, '00000000-0000-0000-0000-000000000000')
                                              FROM unnest(k.section_limits) AS l(slug) LEFT JOIN sections s ON s.slug = l.slug),
                    tag_limit_ids = ARRAY(SELECT DISTINCT coalesce(t.id, '00000000-0000-0000-0000-000000000000')
                                          FROM unnest(k.tag_limits) AS l(slug) LEFT JOIN tags t ON t.slug = l.slug);
                ALTER TABLE api_keys DROP COLUMN section_limits, DROP COLUMN tag_limits;
                ALTER TABLE api_keys RENAME COLUMN section_limit_ids TO section_limits;
                ALTER TABLE api_keys RENAME COLUMN tag_limit_ids TO tag_limits;
                ALTER TABLE api_keys ALTER COLUMN section_limits DROP DEFAULT, ALTER COLUMN tag_limits DROP DEFAULT;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // An id that names nothing becomes the empty slug, which names nothing either.
            migrationBuilder.Sql("""
                ALTER TABLE api_keys ADD COLUMN section_limit_slugs text[] NOT NULL DEFAULT '{}', ADD COLUMN tag_limit_slugs text[] NOT NULL DEFAULT '{}';
                UPDATE api_keys k SET
                    section_limit_slugs = ARRAY(SELECT DISTINCT coalesce(s.slug, '') FROM unnest(k.section_limits) AS l(id) LEFT JOIN sections s ON s.id = l.id),
                    tag_limit_slugs = ARRAY(SELECT DISTINCT coalesce(t.slug, '') FROM unnest(k.tag_limits) AS l(id) LEFT JOIN tags t ON t.id = l.id);
                ALTER TABLE api_keys DROP COLUMN section_limits, DROP COLUMN tag_limits;
                ALTER TABLE api_keys RENAME COLUMN section_limit_slugs TO section_limits;
                ALTER TABLE api_keys RENAME COLUMN tag_limit_slugs TO tag_limits;
                ALTER TABLE api_keys ALTER COLUMN section_limits DROP DEFAULT, ALTER COLUMN tag_limits DROP DEFAULT;
                """);
        }
    }
}
