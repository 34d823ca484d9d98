SELECT article_id, document_json, first_seen, visible_from FROM published_articles WHERE slug = :slug;
