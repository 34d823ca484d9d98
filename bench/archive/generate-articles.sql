-- Archive generator step 2 (see generate.sql): psql -v part=K -v parts=P -f generate-articles.sql writes the articles
-- g with g % P = K, so P sessions share the work (the read model's search vectors are most of it).
\set ON_ERROR_STOP on
SET synchronous_commit = off;
SET work_mem = '256MB';
SET jit = off;

-- Articles and their links have no triggers: skip the foreign-key checks, the rows are consistent by construction.
SET session_replication_role = replica;
INSERT INTO articles (id, slug, headline, standfirst, body, section_id, hero_image, language, status, publish_at, first_published_at,
                      created_at, updated_at, embargo_until, corrections, canonical_url, source_ids, version, preview_generation, translation_group_id)
  SELECT x.id, x.slug, x.headline, x.standfirst, format(tp.body, VARIADIC x.args)::jsonb, tp.section_id, NULL, tp.language, tp.status,
         x.pub, x.pub, x.pub - interval '1 hour', x.pub + interval '7 minutes', NULL, '[]', NULL, tp.source_ids, tp.version, 0, x.id
    FROM archive_gen.articles x JOIN archive_gen.templates tp USING (t) WHERE x.g % :parts = :part;
INSERT INTO article_tags (article_id, tag_id, position) SELECT x.id, tg.id, 0 FROM archive_gen.gen x JOIN archive_gen.tags tg ON tg.k = x.tag WHERE x.g % :parts = :part;
INSERT INTO article_places (article_id, place_id, position) SELECT x.id, pl.id, 0 FROM archive_gen.gen x JOIN archive_gen.places pl ON pl.k = x.place WHERE x.g % :parts = :part;
INSERT INTO article_authors (article_id, author_id, position) SELECT x.id, tp.author_id, 0 FROM archive_gen.gen x JOIN archive_gen.templates tp USING (t) WHERE x.g % :parts = :part;
INSERT INTO article_quotes (article_id, quote_id) SELECT x.id, tp.quote_id FROM archive_gen.gen x JOIN archive_gen.templates tp USING (t) WHERE x.g % :parts = :part;
INSERT INTO article_sources (article_id, source_id) SELECT x.id, unnest(tp.source_ids) FROM archive_gen.gen x JOIN archive_gen.templates tp USING (t) WHERE x.g % :parts = :part;

-- The read model through its own triggers and generated columns, whatever migrations added (only the columns the
-- write path sets are listed).
SET session_replication_role = origin;
INSERT INTO published_articles (article_id, slug, visible_from, first_seen, updated_at, section_slug, tag_slugs, place_slugs, author_slugs,
                                quote_ids, source_ids, asset_ids, language, headline, standfirst, body_text, summary_json, summary_with_body_json, document_json,
                                translation_group_id)
  SELECT x.id, x.slug, x.pub, x.pub, x.pub + interval '7 minutes', tp.section_slug, ARRAY[x.tag_slug], ARRAY[x.place_slug], tp.author_slugs,
         tp.quote_ids, tp.source_ids, '{}', tp.language, x.headline, x.standfirst, format(tp.body_text, VARIADIC x.args),
         format(tp.summary_json, VARIADIC x.args), format(tp.summary_with_body_json, VARIADIC x.args), format(tp.document_json, VARIADIC x.args), x.id
    FROM archive_gen.articles x JOIN archive_gen.templates tp USING (t) WHERE x.g % :parts = :part;
