using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations
{
    /// <summary>
    /// The quotes and sources each published article uses join its tags, places and authors in published_article_terms
    /// (<c>quote:{id}</c>, <c>source:{id}</c>). Whether a visible article uses a quote, and the newest that do, were read
    /// through the id arrays' GIN index, which hands over every article using it before one is looked at: 26-50 ms a list
    /// of quotes, sources or authors at 100,000 articles, ten times that at 1,000,000.
    /// </summary>
    public partial class ReferenceUsageTerms : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""
                {Terms([.. Filed, .. Used])}
                INSERT INTO published_article_terms (term, term_visible_from, term_article_id)
                SELECT t.term, p.visible_from, p.article_id FROM published_articles p, hn_published_article_terms(p) t
                 WHERE t.term LIKE 'quote:%' OR t.term LIKE 'source:%';
                {Trigger([.. Filed, .. Used])}
                """);

            // Nothing reads the id arrays through GIN any more: every publish kept two indexes for nothing.
            migrationBuilder.DropIndex(
                name: "ix_published_articles_quote_ids",
                table: "published_articles");

            migrationBuilder.DropIndex(
                name: "ix_published_articles_source_ids",
                table: "published_articles");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_published_articles_quote_ids",
                table: "published_articles",
                column: "quote_ids")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_published_articles_source_ids",
                table: "published_articles",
                column: "source_ids")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.Sql($"""
                {Trigger(Filed)}
                DELETE FROM published_article_terms WHERE term LIKE 'quote:%' OR term LIKE 'source:%';
                {Terms(Filed)}
                """);
        }

        private static readonly (string Prefix, string Column)[] Filed = [("tag", "tag_slugs"), ("place", "place_slugs"), ("author", "author_slugs")];
        private static readonly (string Prefix, string Column)[] Used = [("quote", "quote_ids"), ("source", "source_ids")];

        /// <summary>The function listing an article's terms, one <c>prefix:value</c> for each value of each column.</summary>
        private static string Terms(IEnumerable<(string Prefix, string Column)> kinds) => $$"""
            CREATE OR REPLACE FUNCTION hn_published_article_terms(article published_articles) RETURNS TABLE (term text) LANGUAGE sql IMMUTABLE AS $$
                SELECT DISTINCT t FROM unnest({{string.Join(" || ", kinds.Select(kind => $"array(SELECT '{kind.Prefix}:' || s FROM unnest(article.{kind.Column}) s)"))}}) t
            $$;
            """;

        /// <summary>The trigger keeping the table, fired by a change to any of the columns the terms come from or to the visibility.</summary>
        private static string Trigger(IEnumerable<(string Prefix, string Column)> kinds) => $"""
            DROP TRIGGER published_articles_terms ON published_articles;
            CREATE TRIGGER published_articles_terms AFTER INSERT OR DELETE OR UPDATE OF {string.Join(", ", kinds.Select(kind => kind.Column))}, visible_from
                ON published_articles FOR EACH ROW EXECUTE FUNCTION hn_published_article_terms_follow();
            """;
    }
}
