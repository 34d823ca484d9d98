-- Archive generator step 3 (see generate.sql): two sessions at once, psql -v n=ARTICLES -v part=0|1 -f generate-finish.sql.
-- Part 0 builds the read model's search index (the longest build); part 1 adds the other content and builds every other
-- index dropped in step 1, each from its own definition. Both first vacuum what they index (visibility map for
-- index-only scans, statistics for the planner; the big TOAST tables are left to autovacuum).
\set ON_ERROR_STOP on
SET synchronous_commit = off;
SET maintenance_work_mem = '768MB';
SET work_mem = '256MB';
SET jit = off;
SELECT setseed(0.23 + :part / 10.0) \gset

\if :part
-- Quotes (n/33), sources (n/100) and notices (n/20), cloned from the base seed's with generated words.
CREATE TEMP TABLE base_quotes AS SELECT row_number() OVER (ORDER BY id)::int - 1 AS k, * FROM quotes;
CREATE TEMP TABLE base_sources AS SELECT row_number() OVER (ORDER BY id)::int - 1 AS k, * FROM sources;
CREATE TEMP TABLE base_notices AS SELECT row_number() OVER (ORDER BY id)::int - 1 AS k, * FROM notices;
SELECT count(*) AS bq FROM base_quotes \gset
SELECT count(*) AS bs FROM base_sources \gset
SELECT count(*) AS bn FROM base_notices \gset
-- A sentence: the first words of a pooled paragraph.
CREATE FUNCTION pg_temp.sentence(i int, words int) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT rtrim(array_to_string((string_to_array(text, ' '))[1:words], ' '), '.') || '.' FROM archive_gen.paragraphs WHERE paragraphs.i = sentence.i $$;
INSERT INTO quotes (id, text, speaker_name, speaker_role, speaker_organisation, said_at, context, source_id, language, version, created_at, updated_at)
  SELECT gen_random_uuid(), pg_temp.sentence(1 + g % 100000, 25), 'Speaker ' || g, q.speaker_role, q.speaker_organisation,
         NULL, NULL, q.source_id, q.language, 1, now() - make_interval(secs => g * 2600.0), now() - make_interval(secs => g * 2600.0)
    FROM generate_series(1, greatest(0, :n / 33 - :bq)) g JOIN base_quotes q ON q.k = g % :bq;
INSERT INTO sources (id, kind, title, publisher, url, published_on, description, version, created_at, updated_at)
  SELECT gen_random_uuid(), s.kind, initcap((SELECT text FROM archive_gen.heads WHERE i = 1 + g % 100000)) || ' ' || g, s.publisher,
         'https://example.org/gen/' || g, s.published_on, pg_temp.sentence(1 + (g * 7) % 100000, 20), 1,
         now() - make_interval(secs => g * 8640.0), now() - make_interval(secs => g * 8640.0)
    FROM generate_series(1, greatest(0, :n / 100 - :bs)) g JOIN base_sources s ON s.k = g % :bs;
INSERT INTO notices (id, reference, category, title, body, issuer_name, location_description, postcode, latitude, longitude, published_at,
                     effective_from, effective_to, response_deadline, attachments, status, version, created_at, updated_at)
  SELECT gen_random_uuid(), 'GEN/' || g, n.category, initcap((SELECT text FROM archive_gen.heads WHERE i = 1 + (g * 3) % 100000)) || ' notice',
         '<p>' || (SELECT text FROM archive_gen.paragraphs WHERE i = 1 + g % 100000) || '</p>',
         n.issuer_name, n.location_description, n.postcode, 53.0 + random() * 0.4, -4.4 + random() * 1.4, at, at,
         CASE WHEN random() < 0.2 THEN NULL ELSE at + make_interval(days => 7 + floor(random() * 83)::int) END, NULL, '[]', 'published', 2, at, at
    FROM generate_series(1, greatest(0, :n / 20 - :bn)) g JOIN base_notices n ON n.k = g % :bn
    CROSS JOIN LATERAL (SELECT date_trunc('second', now() - make_interval(secs => g * 17280.0)) AS at) t;

VACUUM (ANALYZE, PROCESS_TOAST false) articles; VACUUM ANALYZE article_tags; VACUUM ANALYZE article_places; VACUUM ANALYZE article_authors;
VACUUM ANALYZE article_quotes; VACUUM ANALYZE article_sources; VACUUM ANALYZE quotes; VACUUM ANALYZE sources;
VACUUM ANALYZE notices; VACUUM ANALYZE tags; VACUUM ANALYZE places;
SELECT indexdef FROM archive_gen.dropped WHERE NOT (tablename = 'published_articles' AND indexdef LIKE '% USING gin (search%') ORDER BY tablename, indexname \gexec
\else
VACUUM (ANALYZE, PROCESS_TOAST false) published_articles;
SELECT indexdef FROM archive_gen.dropped WHERE tablename = 'published_articles' AND indexdef LIKE '% USING gin (search%' ORDER BY indexname \gexec
\endif
