using HeadlessNews.Api.Infrastructure.Database;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadlessNews.Api.Infrastructure.Database.Migrations;

/// <summary>
/// The translation vectors name the functions they call with their schema. pg_restore runs with an empty search_path
/// and computes the generated columns as it creates and fills the tables: a notice's column calls
/// <c>hn_translations_vector</c>, whose body named <c>hn_translated_text_vector</c> bare, so a restored dump had no
/// notices table at all (and every quote with a translation failed to load).
/// </summary>
[DbContext(typeof(HeadlessNewsDbContext))]
[Migration("20261206210000_SearchFunctionsRestorable")]
public sealed class SearchFunctionsRestorable : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(TranslationVectors("public."));

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(TranslationVectors(""));

    /// <summary>The two functions, calling ours through <paramref name="schema"/> ("public." or "").</summary>
    private static string TranslationVectors(string schema) => $$"""
        CREATE OR REPLACE FUNCTION hn_translations_vector(jsonb) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT {{schema}}hn_translated_text_vector($1, 'title', 'A', 1000) || {{schema}}hn_translated_text_vector($1, 'body', 'B', 100000) $$;

        {{TranslatedTextVector(schema)}}
        """;

    /// <summary>Each translation's text in its language (Welsh folded, the rest English-stemmed); most content has none and skips the query.</summary>
    internal static string TranslatedTextVector(string schema) => $$"""
        CREATE OR REPLACE FUNCTION hn_translated_text_vector(translations jsonb, field text, weight "char", cap integer) RETURNS tsvector
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
        BEGIN
          IF translations = '{}'::jsonb THEN
            RETURN ''::tsvector;
          END IF;
          RETURN (SELECT coalesce({{schema}}hn_tsvector_agg(setweight(to_tsvector(CASE WHEN key LIKE 'cy%' THEN 'simple'::regconfig ELSE 'english'::regconfig END,
              CASE WHEN key LIKE 'cy%' THEN {{schema}}hn_welsh_fold({{schema}}hn_unaccent(left(value->>field, cap))) ELSE {{schema}}hn_unaccent(left(value->>field, cap)) END), weight)), ''::tsvector)
            FROM jsonb_each(translations));
        END $$;
        """;
}
