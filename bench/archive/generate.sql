-- Archive generator (issue 23): (cd DIR && psql -v n=ARTICLES -f generate.sql), against a database holding the base
-- seed (bench/seed.py with 0 articles) and the template articles (templates.py). Set-based: each generated article is
-- a template's rows (articles, its tag/place/author/quote/source links, published_articles with the JSON the write
-- path prepared) with the markers replaced by generated words, so the read model is byte-for-byte the write path's
-- shape. Text comes from a 60,000-word made-up vocabulary drawn with Zipf's law (rank r with probability ~1/r), so
-- document frequencies spread like a language's: a few words in most articles, most words in 0.1-20 % of them.
-- Articles are 100 a day, oldest first: a bigger archive is a longer history at the same pace.
\set ON_ERROR_STOP on
SET synchronous_commit = off;
SET maintenance_work_mem = '1GB';
SET work_mem = '256MB';
SELECT setseed(0.23);

-- Word r of the vocabulary: its digits in base 40 as syllables.
CREATE FUNCTION pg_temp.word(r int) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
  DECLARE s text[] := ARRAY['bar','del','fin','gor','hal','jen','kel','lam','mor','nal','pen','ril','sam','tor','val','wen','bri','cad','dun','fal','gwyn','hen','lan','mer','nor','pol','rhy','sel','tal','ven','ard','bel','cor','dar','eld','fen','gal','hol','ith','lor'];
  BEGIN
    RETURN CASE WHEN r >= 1600 THEN s[r / 1600 + 1] ELSE '' END || CASE WHEN r >= 40 THEN s[(r / 40) % 40 + 1] ELSE '' END
           || s[r % 40 + 1] || CASE WHEN r < 40 THEN 'a' ELSE '' END;
  END $$;
CREATE TEMP TABLE vocab AS SELECT r, pg_temp.word(r) AS word FROM generate_series(1, 59999) r;
-- Zipf: floor(V^u) for uniform u has P(r) = ln((r+1)/r) / ln V ~ 1/(r ln V).
CREATE FUNCTION pg_temp.words(n int, skip int DEFAULT 0) RETURNS text LANGUAGE sql VOLATILE AS
  $$ SELECT string_agg(pg_temp.word(least(59999, floor(exp(random() * ln(60000.0)))::int + skip)), ' ') FROM generate_series(1, n) $$;

-- A pool of paragraphs (70 words); articles pick seven.
CREATE TEMP TABLE paragraphs AS
  SELECT i, initcap(left(w, 1)) || substr(w, 2) || '.' AS text FROM (SELECT i, pg_temp.words(70) w FROM generate_series(1, 100000) i) p;
CREATE UNIQUE INDEX ON paragraphs(i);
ANALYZE paragraphs;

CREATE TEMP TABLE templates AS
  SELECT row_number() OVER (ORDER BY a.id) AS t, a.*, p.section_slug, p.author_slugs, p.quote_ids, p.body_text, p.summary_json,
         p.summary_with_body_json, p.document_json,
         to_char(a.publish_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || rtrim(rtrim(to_char(a.publish_at AT TIME ZONE 'UTC', '.US'), '0'), '.') || 'Z' AS publish_text,
         to_char(a.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || rtrim(rtrim(to_char(a.updated_at AT TIME ZONE 'UTC', '.US'), '0'), '.') || 'Z' AS updated_text,
         (SELECT author_id FROM article_authors l WHERE l.article_id = a.id) AS author_id,
         (SELECT quote_id FROM article_quotes l WHERE l.article_id = a.id) AS quote_id
    FROM articles a JOIN published_articles p ON p.article_id = a.id WHERE a.headline ~ '^Hlmarkzz[0-9]+$';
SELECT count(*) AS templates FROM templates \gset

-- Tags (n/100) and places (n/1,000), named after vocabulary words; articles pick them with Zipf's law too.
INSERT INTO tags (id, slug, name) SELECT gen_random_uuid(), 'topic-' || word, word FROM vocab WHERE r BETWEEN 200 AND 199 + greatest(100, :n / 100);
INSERT INTO places (id, slug, name) SELECT gen_random_uuid(), 'place-' || word, initcap(word) FROM vocab WHERE r BETWEEN 100 AND 99 + greatest(50, :n / 1000);
CREATE TEMP TABLE gen_tags AS SELECT row_number() OVER (ORDER BY slug) AS k, id, slug FROM tags WHERE slug LIKE 'topic-%';
CREATE TEMP TABLE gen_places AS SELECT row_number() OVER (ORDER BY slug) AS k, id, slug FROM places WHERE slug LIKE 'place-%';
SELECT count(*) AS tag_count FROM gen_tags \gset
SELECT count(*) AS place_count FROM gen_places \gset

-- Build the rows without the read indexes, then index once (as a restore would).
CREATE TEMP TABLE dropped AS SELECT indexname, indexdef FROM pg_indexes
  WHERE tablename IN ('published_articles', 'articles') AND indexname NOT LIKE 'pk_%';
DO $$ DECLARE i record; BEGIN FOR i IN SELECT * FROM dropped LOOP EXECUTE format('DROP INDEX %I', i.indexname); END LOOP; END $$;

CREATE TEMP TABLE gen (g int, t int, id uuid, headline text, standfirst text, p int[], tag int, place int, pub timestamptz);
INSERT INTO gen
  SELECT g, 1 + g % :templates, gen_random_uuid(), initcap(pg_temp.words(7, 100)), NULL,
         ARRAY[1 + floor(random() * 100000)::int, 1 + floor(random() * 100000)::int, 1 + floor(random() * 100000)::int,
               1 + floor(random() * 100000)::int, 1 + floor(random() * 100000)::int, 1 + floor(random() * 100000)::int,
               1 + floor(random() * 100000)::int, 1 + floor(random() * 100000)::int],
         least(:tag_count, floor(exp(random() * ln(:tag_count + 1.0)))::int), least(:place_count, floor(exp(random() * ln(:place_count + 1.0)))::int),
         date_trunc('second', now() - make_interval(secs => (:n - g) * 864.0 + random() * 600))
    FROM generate_series(1, :n) g;
UPDATE gen SET standfirst = array_to_string((string_to_array((SELECT text FROM paragraphs WHERE i = p[8]), ' '))[1:25], ' ') || '.';
\echo generated keys

CREATE TEMP TABLE texts AS
  SELECT gen.*, lower(replace(gen.headline, ' ', '-')) || '-' || g AS slug,
         to_char(pub AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS pub_text,
         to_char((pub + interval '7 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS upd_text,
         gt.slug AS tag_slug, gt.id AS tag_id, gp.slug AS place_slug, gp.id AS place_id,
         (SELECT text FROM paragraphs WHERE i = p[1]) p0, (SELECT text FROM paragraphs WHERE i = p[2]) p1,
         (SELECT text FROM paragraphs WHERE i = p[3]) p2, (SELECT text FROM paragraphs WHERE i = p[4]) p3,
         (SELECT text FROM paragraphs WHERE i = p[5]) p4, (SELECT text FROM paragraphs WHERE i = p[6]) p5,
         (SELECT text FROM paragraphs WHERE i = p[7]) p6
    FROM gen JOIN gen_tags gt ON gt.k = gen.tag JOIN gen_places gp ON gp.k = gen.place;
\echo texts

-- Every marker a template's text holds, replaced (paragraphs last, while the text is still short).
CREATE FUNCTION pg_temp.fill(s text, x texts, tp templates) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
    s, tp.id::text, x.id::text), tp.headline, x.headline), tp.slug, x.slug), 'Sfmarkzz', x.standfirst),
    'tagmarkzz', x.tag_slug), 'placemarkzz', x.place_slug), tp.publish_text, x.pub_text), tp.updated_text, x.upd_text),
    'Pmarkzz0', x.p0), 'Pmarkzz1', x.p1), 'Pmarkzz2', x.p2), 'Pmarkzz3', x.p3), 'Pmarkzz4', x.p4), 'Pmarkzz5', x.p5), 'Pmarkzz6', x.p6) $$;

INSERT INTO articles (id, slug, headline, standfirst, body, section_id, hero_image, language, status, publish_at, first_published_at,
                      created_at, updated_at, embargo_until, corrections, canonical_url, source_ids, version, preview_generation, translation_group_id)
  SELECT x.id, x.slug, x.headline, x.standfirst, pg_temp.fill(tp.body::text, x, tp)::jsonb, tp.section_id, NULL, tp.language, tp.status,
         x.pub, x.pub, x.pub - interval '1 hour', x.pub + interval '7 minutes', NULL, '[]', NULL, tp.source_ids, tp.version, 0, x.id
    FROM texts x JOIN templates tp ON tp.t = x.t;
\echo articles
INSERT INTO article_tags (article_id, tag_id, position) SELECT id, tag_id, 0 FROM texts;
INSERT INTO article_places (article_id, place_id, position) SELECT id, place_id, 0 FROM texts;
INSERT INTO article_authors (article_id, author_id, position) SELECT x.id, tp.author_id, 0 FROM texts x JOIN templates tp ON tp.t = x.t;
INSERT INTO article_quotes (article_id, quote_id) SELECT x.id, tp.quote_id FROM texts x JOIN templates tp ON tp.t = x.t;
INSERT INTO article_sources (article_id, source_id) SELECT x.id, unnest(tp.source_ids) FROM texts x JOIN templates tp ON tp.t = x.t;
INSERT INTO published_articles (article_id, slug, visible_from, first_seen, updated_at, section_slug, tag_slugs, place_slugs, author_slugs,
                                quote_ids, source_ids, asset_ids, language, headline, standfirst, body_text, summary_json, summary_with_body_json, document_json,
                                translation_group_id)
  SELECT x.id, x.slug, x.pub, x.pub, x.pub + interval '7 minutes', tp.section_slug, ARRAY[x.tag_slug], ARRAY[x.place_slug], tp.author_slugs,
         tp.quote_ids, tp.source_ids, '{}', tp.language, x.headline, x.standfirst, pg_temp.fill(tp.body_text, x, tp),
         pg_temp.fill(tp.summary_json, x, tp), pg_temp.fill(tp.summary_with_body_json, x, tp), pg_temp.fill(tp.document_json, x, tp), x.id
    FROM texts x JOIN templates tp ON tp.t = x.t;
\echo published_articles

-- The templates themselves go (their words are markers).
DELETE FROM published_articles WHERE article_id IN (SELECT id FROM articles WHERE headline LIKE 'Hlmarkzz%');
DELETE FROM articles WHERE headline LIKE 'Hlmarkzz%';
DELETE FROM tags WHERE slug = 'tagmarkzz';
DELETE FROM places WHERE slug = 'placemarkzz';

-- Quotes (n/33), sources (n/100) and notices (n/20), cloned from the base seed's with generated words.
INSERT INTO quotes (id, text, speaker_name, speaker_role, speaker_organisation, said_at, context, source_id, language, version, created_at, updated_at)
  SELECT gen_random_uuid(), initcap(pg_temp.words(1)) || ' ' || pg_temp.words(24) || '.', 'Speaker ' || g, q.speaker_role, q.speaker_organisation,
         NULL, NULL, q.source_id, q.language, 1, now() - make_interval(secs => g * 2600.0), now() - make_interval(secs => g * 2600.0)
    FROM generate_series(1, greatest(0, :n / 33 - 300)) g CROSS JOIN LATERAL (SELECT * FROM quotes WHERE g > 0 ORDER BY id OFFSET g % 300 LIMIT 1) q;
INSERT INTO sources (id, kind, title, publisher, url, published_on, description, version, created_at, updated_at)
  SELECT gen_random_uuid(), s.kind, initcap(pg_temp.words(5, 100)) || ' ' || g, s.publisher, 'https://example.org/gen/' || g, s.published_on,
         initcap(pg_temp.words(1)) || ' ' || pg_temp.words(19) || '.', 1, now() - make_interval(secs => g * 8640.0), now() - make_interval(secs => g * 8640.0)
    FROM generate_series(1, greatest(0, :n / 100 - 100)) g CROSS JOIN LATERAL (SELECT * FROM sources WHERE g > 0 ORDER BY id OFFSET g % 100 LIMIT 1) s;
INSERT INTO notices (id, reference, category, title, body, issuer_name, location_description, postcode, latitude, longitude, published_at,
                     effective_from, effective_to, response_deadline, attachments, status, version, created_at, updated_at)
  SELECT gen_random_uuid(), 'GEN/' || g, n.category, initcap(pg_temp.words(4, 100)) || ' notice', '<p>' || (SELECT text FROM paragraphs WHERE i = 1 + g % 100000) || '</p>',
         n.issuer_name, n.location_description, n.postcode, 53.0 + random() * 0.4, -4.4 + random() * 1.4, at, at,
         CASE WHEN random() < 0.2 THEN NULL ELSE at + make_interval(days => 7 + floor(random() * 83)::int) END, NULL, '[]', 'published', 2, at, at
    FROM generate_series(1, greatest(0, :n / 20 - 500)) g
    CROSS JOIN LATERAL (SELECT * FROM notices WHERE g > 0 ORDER BY id OFFSET g % 500 LIMIT 1) n
    CROSS JOIN LATERAL (SELECT date_trunc('second', now() - make_interval(secs => g * 17280.0)) AS at) t;
\echo quotes sources notices

DO $$ DECLARE i record; BEGIN FOR i IN SELECT * FROM dropped LOOP EXECUTE i.indexdef; END LOOP; END $$;
\echo indexes
VACUUM ANALYZE articles; VACUUM ANALYZE published_articles; VACUUM ANALYZE article_tags; VACUUM ANALYZE article_places;
VACUUM ANALYZE article_authors; VACUUM ANALYZE article_quotes; VACUUM ANALYZE article_sources;
VACUUM ANALYZE quotes; VACUUM ANALYZE sources; VACUUM ANALYZE notices; VACUUM ANALYZE tags; VACUUM ANALYZE places;

-- Words for the uncached search bench: vocabulary words whose stem is in 0.1-20 % of a sample of articles, and
-- two-word queries of neighbours in the generated text.
CREATE TEMP TABLE df AS
  SELECT word AS lexeme, ndoc FROM ts_stat('SELECT search FROM published_articles ORDER BY visible_from DESC LIMIT 10000');
SELECT least(10000, :n) AS sample \gset
CREATE TEMP TABLE bench_words AS
  SELECT v.word, df.ndoc::float / :sample AS share FROM vocab v
    JOIN df ON df.lexeme = (SELECT string_agg(lexeme, ' ') FROM unnest(to_tsvector('english', v.word)))
   WHERE df.ndoc::float / :sample BETWEEN 0.001 AND 0.2;
\copy (SELECT word, round(share::numeric, 4) FROM bench_words ORDER BY random() LIMIT 4000) TO 'words.tsv'
\copy (SELECT w[k] || ' ' || w[k + 1] FROM (SELECT string_to_array(lower(rtrim(text, '.')), ' ') w FROM paragraphs ORDER BY i LIMIT 2000) p, generate_series(1, 69, 17) k WHERE w[k] IN (SELECT word FROM bench_words) AND w[k + 1] IN (SELECT word FROM bench_words)) TO 'phrases.txt'
\copy (SELECT slug FROM published_articles ORDER BY random() LIMIT 20000) TO 'slugs.txt'
\copy (SELECT slug FROM gen_tags ORDER BY k LIMIT 20) TO 'tags.txt'
SELECT (SELECT count(*) FROM published_articles) AS articles, (SELECT count(*) FROM quotes) AS quotes, (SELECT count(*) FROM sources) AS sources,
       (SELECT count(*) FROM notices) AS notices, (SELECT count(*) FROM tags) AS tags, (SELECT count(*) FROM places) AS places,
       (SELECT count(*) FROM authors) AS authors, (SELECT count(*) FROM bench_words) AS bench_words;
