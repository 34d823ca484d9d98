SELECT summary_json, first_seen FROM published_articles WHERE visible_from <= now() ORDER BY visible_from DESC, article_id DESC LIMIT 21;
