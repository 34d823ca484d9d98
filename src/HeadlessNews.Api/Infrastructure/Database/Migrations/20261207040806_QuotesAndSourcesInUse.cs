using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <summary>
    /// Quotes and sources carry whether a published article uses them (<c>in_use</c>, see <c>InUse</c>), flipped by the
    /// read model's terms trigger, so delivery's lists of them walk a partial index of the used ones: they sorted every
    /// quote to find the newest twenty in use (10.5 ms for 3,030 at 100,000 articles).
    /// </summary>
    public partial class QuotesAndSourcesInUse : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "in_use",
                table: "sources",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "in_use",
                table: "quotes",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.Sql($"""
                {Follow(flipsInUse: true)}
                UPDATE quotes e SET in_use = true WHERE {Used("quote")};
                UPDATE sources e SET in_use = true WHERE {Used("source")};
                """);

            migrationBuilder.CreateIndex(
                name: "ix_sources_in_use_newest",
                table: "sources",
                columns: new[] { "created_at", "id" },
                descending: new bool[0],
                filter: "in_use");

            migrationBuilder.CreateIndex(
                name: "ix_quotes_in_use_newest",
                table: "quotes",
                columns: new[] { "created_at", "id" },
                descending: new bool[0],
                filter: "in_use");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(Follow(flipsInUse: false));

            migrationBuilder.DropIndex(
                name: "ix_sources_in_use_newest",
                table: "sources");

            migrationBuilder.DropIndex(
                name: "ix_quotes_in_use_newest",
                table: "quotes");

            migrationBuilder.DropColumn(
                name: "in_use",
                table: "sources");

            migrationBuilder.DropColumn(
                name: "in_use",
                table: "quotes");
        }

        /// <summary>SQL: whether a published article uses the quote or source <c>e</c> (<paramref name="prefix"/> quote or source).</summary>
        private static string Used(string prefix) => $"EXISTS (SELECT 1 FROM published_article_terms WHERE term = '{prefix}:' || e.id)";

        /// <summary>The terms trigger's function; with <paramref name="flipsInUse"/>, it also keeps the quotes' and sources' in_use.</summary>
        private static string Follow(bool flipsInUse) => $$"""
            CREATE OR REPLACE FUNCTION hn_published_article_terms_follow() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                quotes_used uuid[] := '{}';
                sources_used uuid[] := '{}';
                used uuid;
            BEGIN
                IF TG_OP <> 'INSERT' THEN
                    DELETE FROM published_article_terms WHERE term_article_id = OLD.article_id;
                    quotes_used := OLD.quote_ids;
                    sources_used := OLD.source_ids;
                END IF;
                IF TG_OP <> 'DELETE' THEN
                    INSERT INTO published_article_terms (term, term_visible_from, term_article_id)
                    SELECT t.term, NEW.visible_from, NEW.article_id FROM hn_published_article_terms(NEW) t;
                    quotes_used := quotes_used || NEW.quote_ids;
                    sources_used := sources_used || NEW.source_ids;
                END IF;
            {{(flipsInUse ? Flip("quotes", "quote", "quotes_used") + Flip("sources", "source", "sources_used") : "")}}
                RETURN NULL;
            END $$;
            """;

        /// <summary>
        /// Only where the first use came or the last went: an update of a row it already has would pile up one version of
        /// it per article in a transaction writing many (an import, a rebuild). One row at a time, in id order, so two
        /// articles' triggers never take the same two rows in opposite orders.
        /// </summary>
        private static string Flip(string table, string prefix, string ids) => $"""
                FOR used IN SELECT DISTINCT u FROM unnest({ids}) u ORDER BY 1 LOOP
                    UPDATE {table} e SET in_use = NOT in_use WHERE e.id = used AND in_use <> {Used(prefix)};
                END LOOP;

            """;
    }
}
