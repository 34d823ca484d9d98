-- Archive generator step 4 (see generate.sql): psql -v n=ARTICLES -f generate-files.sql in $BENCH_DATA/N writes the
-- bench's inputs (words.tsv, phrases.txt, slugs.txt, tags.txt), drops the staging schema and prints the row counts.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
-- Words for the uncached search bench: vocabulary words whose stem is in 0.1-20 % of a sample of articles, and
-- two-word queries of neighbours in the generated text.
CREATE TEMP TABLE df AS
  SELECT word AS lexeme, ndoc FROM ts_stat('SELECT search FROM published_articles ORDER BY visible_from DESC LIMIT 10000');
SELECT least(10000, :n) AS sample \gset
CREATE TEMP TABLE bench_words AS
  SELECT v.word, df.ndoc::float / :sample AS share FROM archive_gen.vocab v
    JOIN df ON df.lexeme = (SELECT string_agg(lexeme, ' ') FROM unnest(to_tsvector('english', v.word)))
   WHERE df.ndoc::float / :sample BETWEEN 0.001 AND 0.2;
SELECT setseed(0.23) \gset
\copy (SELECT word, round(share::numeric, 4) FROM bench_words ORDER BY random() LIMIT 4000) TO 'words.tsv'
ANALYZE bench_words;
\copy (SELECT a || ' ' || b FROM (SELECT w[k] AS a, w[k + 1] AS b FROM (SELECT string_to_array(lower(rtrim(text, '.')), ' ') w FROM archive_gen.paragraphs ORDER BY i LIMIT 5000) p, generate_series(1, 17, 4) k OFFSET 0) pairs WHERE a IN (SELECT word FROM bench_words) AND b IN (SELECT word FROM bench_words)) TO 'phrases.txt'
\copy (SELECT slug FROM archive_gen.gen ORDER BY random() LIMIT 20000) TO 'slugs.txt'
\copy (SELECT slug FROM archive_gen.tags ORDER BY k LIMIT 20) TO 'tags.txt'
DROP SCHEMA archive_gen CASCADE;
SELECT (SELECT count(*) FROM published_articles) AS articles, (SELECT count(*) FROM quotes) AS quotes, (SELECT count(*) FROM sources) AS sources,
       (SELECT count(*) FROM notices) AS notices, (SELECT count(*) FROM tags) AS tags, (SELECT count(*) FROM places) AS places,
       (SELECT count(*) FROM authors) AS authors, (SELECT count(*) FROM bench_words) AS bench_words;
