SELECT article_id, visible_from, first_seen, summary_json FROM published_articles WHERE visible_from <= now() ORDER BY visible_from DESC, article_id DESC LIMIT 21;
