-- Archive generator (issue 23), step 1 of 4 (seed.sh runs them): psql -v n=ARTICLES -f generate.sql, against a database
-- holding the base seed (bench/seed.py with 0 articles) and the template articles (templates.py).
-- Set-based: each generated article is a template's rows (articles, its tag/place/author/quote/source links,
-- published_articles with the JSON the write path prepared) with the markers replaced by generated words, so the read
-- model is byte-for-byte the write path's shape. This step stages everything the parallel steps share in the unlogged
-- schema archive_gen: the vocabulary, a pool of paragraphs, each template's texts turned into format() strings (one
-- pass per text instead of a replace per marker), and one row per article to generate (its keys and picks).
-- Text comes from a 60,000-word made-up vocabulary drawn with Zipf's law (rank r with probability ~1/r), so document
-- frequencies spread like a language's: a few words in most articles, most words in 0.1-20 % of them. Bodies are seven
-- paragraphs of 14-30 words (~150 words, ~200 with the quote and sources: a news story's short end; they were 70 words)
-- so that an article takes ~19 KB on disk and a million fit in ~20 GB.
-- Articles are 100 a day, oldest first: a bigger archive is a longer history at the same pace.
\set ON_ERROR_STOP on
SET synchronous_commit = off;
SET work_mem = '256MB';
SET jit = off;
SET client_min_messages = warning;
SELECT setseed(0.23) \gset

DROP SCHEMA IF EXISTS archive_gen CASCADE;
CREATE SCHEMA archive_gen;
-- Word r of the vocabulary: its digits in base 40 as syllables.
CREATE FUNCTION archive_gen.word(r int) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
  DECLARE s text[] := ARRAY['bar','del','fin','gor','hal','jen','kel','lam','mor','nal','pen','ril','sam','tor','val','wen','bri','cad','dun','fal','gwyn','hen','lan','mer','nor','pol','rhy','sel','tal','ven','ard','bel','cor','dar','eld','fen','gal','hol','ith','lor'];
  BEGIN
    RETURN CASE WHEN r >= 1600 THEN s[r / 1600 + 1] ELSE '' END || CASE WHEN r >= 40 THEN s[(r / 40) % 40 + 1] ELSE '' END
           || s[r % 40 + 1] || CASE WHEN r < 40 THEN 'a' ELSE '' END;
  END $$;
CREATE UNLOGGED TABLE archive_gen.vocab AS SELECT r, archive_gen.word(r) AS word FROM generate_series(1, 59999) r;
ALTER TABLE archive_gen.vocab ADD PRIMARY KEY (r);
-- Runs of words: run i has len(i) words, drawn with Zipf's law from rank skip on (floor(V^u) for uniform u has
-- P(r) = ln((r+1)/r) / ln V ~ 1/(r ln V)). One join and one aggregate, however many runs.
CREATE FUNCTION archive_gen.runs(count int, min_len int, max_len int, skip int) RETURNS TABLE (i int, text text) LANGUAGE sql VOLATILE AS $$
  SELECT w.i, string_agg(v.word, ' ' ORDER BY w.k)
    FROM (SELECT p.i, k, least(59999, floor(exp(random() * ln(60000.0)))::int + skip) AS r
            FROM (SELECT i, min_len + floor(random() * (max_len - min_len + 1))::int AS len FROM generate_series(1, count) i) p,
                 generate_series(1, p.len) k) w
    JOIN archive_gen.vocab v USING (r) GROUP BY w.i $$;

-- Pools: paragraphs (articles pick seven, notices one, quotes and sources a sentence of one), and headline halves
-- (an article's headline is a 4-word and a 3-word half: 10^10 combinations from 200,000 runs).
CREATE UNLOGGED TABLE archive_gen.paragraphs AS
  SELECT i, initcap(left(text, 1)) || substr(text, 2) || '.' AS text FROM archive_gen.runs(100000, 14, 30, 0);
ALTER TABLE archive_gen.paragraphs ADD PRIMARY KEY (i);
CREATE UNLOGGED TABLE archive_gen.heads AS SELECT i, text FROM archive_gen.runs(100000, 4, 4, 100);
ALTER TABLE archive_gen.heads ADD PRIMARY KEY (i);
CREATE UNLOGGED TABLE archive_gen.tails AS SELECT i, text FROM archive_gen.runs(100000, 3, 3, 100);
ALTER TABLE archive_gen.tails ADD PRIMARY KEY (i);
ANALYZE archive_gen.paragraphs, archive_gen.heads, archive_gen.tails;

-- A template's text as a format() string: every marker becomes its argument's place (the args of the view
-- archive_gen.articles below). Tag and place names first: the API renders a term's name beside its slug.
CREATE FUNCTION archive_gen.fmt(s text, id uuid, headline text, slug text, publish_text text, updated_text text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
    replace(s, '%', '%%'), id::text, '%1$s'), headline, '%2$s'), slug, '%3$s'), 'Sfmarkzz', '%4$s'),
    '"name":"tagmarkzz"', '"name":"%16$s"'), 'tagmarkzz', '%5$s'), '"name":"placemarkzz"', '"name":"%17$s"'), 'placemarkzz', '%6$s'),
    publish_text, '%7$s'), updated_text, '%8$s'),
    'Pmarkzz0', '%9$s'), 'Pmarkzz1', '%10$s'), 'Pmarkzz2', '%11$s'), 'Pmarkzz3', '%12$s'), 'Pmarkzz4', '%13$s'), 'Pmarkzz5', '%14$s'), 'Pmarkzz6', '%15$s') $$;
CREATE FUNCTION archive_gen.utc(t timestamptz) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || rtrim(rtrim(to_char(t AT TIME ZONE 'UTC', '.US'), '0'), '.') || 'Z' $$;
CREATE UNLOGGED TABLE archive_gen.templates AS
  SELECT row_number() OVER (ORDER BY a.id)::int AS t, a.section_id, a.language, a.status, a.source_ids, a.version,
         p.section_slug, p.author_slugs, p.quote_ids,
         (SELECT author_id FROM article_authors l WHERE l.article_id = a.id) AS author_id,
         (SELECT quote_id FROM article_quotes l WHERE l.article_id = a.id) AS quote_id,
         archive_gen.fmt(a.body::text, a.id, a.headline, a.slug, archive_gen.utc(a.publish_at), archive_gen.utc(a.updated_at)) AS body,
         archive_gen.fmt(p.body_text, a.id, a.headline, a.slug, archive_gen.utc(a.publish_at), archive_gen.utc(a.updated_at)) AS body_text,
         archive_gen.fmt(p.summary_json, a.id, a.headline, a.slug, archive_gen.utc(a.publish_at), archive_gen.utc(a.updated_at)) AS summary_json,
         archive_gen.fmt(p.summary_with_body_json, a.id, a.headline, a.slug, archive_gen.utc(a.publish_at), archive_gen.utc(a.updated_at)) AS summary_with_body_json,
         archive_gen.fmt(p.document_json, a.id, a.headline, a.slug, archive_gen.utc(a.publish_at), archive_gen.utc(a.updated_at)) AS document_json
    FROM articles a JOIN published_articles p ON p.article_id = a.id WHERE a.headline ~ '^Hlmarkzz[0-9]+$';
ALTER TABLE archive_gen.templates ADD PRIMARY KEY (t);
SELECT count(*) AS templates FROM archive_gen.templates \gset

-- The templates themselves go (their words are markers; deleting an article takes its links).
DELETE FROM published_articles WHERE article_id IN (SELECT id FROM articles WHERE headline ~ '^Hlmarkzz[0-9]+$');
DELETE FROM articles WHERE headline ~ '^Hlmarkzz[0-9]+$';
DELETE FROM tags WHERE slug = 'tagmarkzz';
DELETE FROM places WHERE slug = 'placemarkzz';
-- Every generated article uses its template's quote and sources: flag them in use now, as the first such article's
-- trigger would, so the two sessions of generate-articles.sql never wait on (or deadlock over) the same quote's row.
UPDATE quotes SET in_use = true WHERE id IN (SELECT unnest(quote_ids) FROM archive_gen.templates);
UPDATE sources SET in_use = true WHERE id IN (SELECT unnest(source_ids) FROM archive_gen.templates);

-- Tags (n/100) and places (n/1,000), named after vocabulary words; articles pick them with Zipf's law too.
INSERT INTO tags (id, slug, name) SELECT gen_random_uuid(), 'topic-' || word, word FROM archive_gen.vocab WHERE r BETWEEN 200 AND 199 + greatest(100, :n / 100);
INSERT INTO places (id, slug, name) SELECT gen_random_uuid(), 'place-' || word, initcap(word) FROM archive_gen.vocab WHERE r BETWEEN 100 AND 99 + greatest(50, :n / 1000);
CREATE UNLOGGED TABLE archive_gen.tags AS SELECT row_number() OVER (ORDER BY slug)::int AS k, id, slug, name FROM tags WHERE slug LIKE 'topic-%';
CREATE UNLOGGED TABLE archive_gen.places AS SELECT row_number() OVER (ORDER BY slug)::int AS k, id, slug, name FROM places WHERE slug LIKE 'place-%';
ALTER TABLE archive_gen.tags ADD PRIMARY KEY (k);
ALTER TABLE archive_gen.places ADD PRIMARY KEY (k);
SELECT count(*) AS tag_count FROM archive_gen.tags \gset
SELECT count(*) AS place_count FROM archive_gen.places \gset

-- One row per article: its keys, words and picks. Ids are UUIDv7 of the publishing time, as the API makes them.
CREATE UNLOGGED TABLE archive_gen.gen AS
  SELECT g, t, (lpad(to_hex((extract(epoch FROM pub) * 1000)::bigint), 12, '0') || '7' || substr(md5(g::text), 1, 3) || '8' || substr(md5(g::text), 4, 15))::uuid AS id,
         headline, lower(replace(headline, ' ', '-')) || '-' || g AS slug, standfirst, p, tag, place, pub,
         archive_gen.utc(pub) AS pub_text, archive_gen.utc(pub + interval '7 minutes') AS updated_text
    FROM (SELECT x.*, initcap(h.text || ' ' || tl.text) AS headline,
                 rtrim(array_to_string((string_to_array(sf.text, ' '))[1:20], ' '), '.') || '.' AS standfirst
            FROM (SELECT g, 1 + g % :templates AS t, 1 + floor(random() * 100000)::int AS hi, 1 + floor(random() * 100000)::int AS ti,
                         1 + floor(random() * 100000)::int AS sfi,
                         ARRAY[1 + floor(random() * 100000)::int, 1 + floor(random() * 100000)::int, 1 + floor(random() * 100000)::int,
                               1 + floor(random() * 100000)::int, 1 + floor(random() * 100000)::int, 1 + floor(random() * 100000)::int,
                               1 + floor(random() * 100000)::int] AS p,
                         least(:tag_count, floor(exp(random() * ln(:tag_count + 1.0)))::int) AS tag,
                         least(:place_count, floor(exp(random() * ln(:place_count + 1.0)))::int) AS place,
                         date_trunc('second', now() - make_interval(secs => (:n - g) * 864.0 + random() * 600)) AS pub
                    FROM generate_series(1, :n) g) x
            JOIN archive_gen.heads h ON h.i = x.hi JOIN archive_gen.tails tl ON tl.i = x.ti JOIN archive_gen.paragraphs sf ON sf.i = x.sfi) y;
ANALYZE archive_gen.gen;

-- Build the rows without the read indexes, then index once (as a restore would).
CREATE UNLOGGED TABLE archive_gen.dropped AS SELECT tablename, indexname, indexdef FROM pg_indexes
  WHERE schemaname = 'public' AND tablename IN ('published_articles', 'articles') AND indexname NOT LIKE 'pk_%';
DO $$ DECLARE i record; BEGIN FOR i IN SELECT * FROM archive_gen.dropped LOOP EXECUTE format('DROP INDEX %I', i.indexname); END LOOP; END $$;

-- Each article with what replaces its template's markers (%1$s ... %17$s in archive_gen.fmt). Joins, not subqueries:
-- the view is inlined, so args is built once per format() call, cheaply.
CREATE VIEW archive_gen.articles AS
  SELECT x.g, x.t, x.id, x.slug, x.headline, x.standfirst, x.pub, tg.slug AS tag_slug, pl.slug AS place_slug,
         ARRAY[x.id::text, x.headline, x.slug, x.standfirst, tg.slug, pl.slug, x.pub_text, x.updated_text,
               p1.text, p2.text, p3.text, p4.text, p5.text, p6.text, p7.text, tg.name, pl.name] AS args
    FROM archive_gen.gen x JOIN archive_gen.tags tg ON tg.k = x.tag JOIN archive_gen.places pl ON pl.k = x.place
         JOIN archive_gen.paragraphs p1 ON p1.i = x.p[1] JOIN archive_gen.paragraphs p2 ON p2.i = x.p[2]
         JOIN archive_gen.paragraphs p3 ON p3.i = x.p[3] JOIN archive_gen.paragraphs p4 ON p4.i = x.p[4]
         JOIN archive_gen.paragraphs p5 ON p5.i = x.p[5] JOIN archive_gen.paragraphs p6 ON p6.i = x.p[6]
         JOIN archive_gen.paragraphs p7 ON p7.i = x.p[7];
