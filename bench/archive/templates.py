#!/usr/bin/env python3
"""Writes the archive generator's template articles through the management API (issue 23): one per quote the base
seed made, each quoting it, citing two sources, in a section, by an author. Their text is markers (Hlmarkzz<i>,
Sfmarkzz, Pmarkzz0-6, tagmarkzz, placemarkzz) that generate.sql replaces: every generated row's JSON is the domain
write path's own output for its template, with the words swapped.

  python3 bench/archive/templates.py BASE_URL API_KEY
"""
import json, random, sys, urllib.request
from concurrent.futures import ThreadPoolExecutor

BASE, KEY = sys.argv[1], sys.argv[2]
random.seed(23)
SECTIONS = ["news", "sport", "politics", "business", "community"]


def call(method, path, body=None, headers=None):
    request = urllib.request.Request(BASE + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.headers, json.loads(response.read() or b"null")


def listing(path):
    items, cursor = [], None
    while True:
        _, page = call("GET", path + "?limit=100" + (f"&cursor={cursor}" if cursor else ""))
        items += page["items"]
        cursor = page.get("next")
        if not cursor:
            return items


def main():
    quotes = [q["id"] for q in listing("/v1/manage/quotes")]
    sources = [s["id"] for s in listing("/v1/manage/sources")]

    def template(i):
        cited = random.Random(i).sample(sources, 2)
        body = [{"type": "paragraph", "html": f"Pmarkzz{k}"} for k in range(3)]
        body.append({"type": "quote", "quoteId": quotes[i]})
        body += [{"type": "paragraph", "html": f"Pmarkzz{k}"} for k in range(3, 7)]
        body.append({"type": "sourceList", "title": "Sources", "sourceIds": cited})
        headers, created = call("POST", "/v1/manage/articles", {
            "headline": f"Hlmarkzz{i}", "standfirst": "Sfmarkzz", "section": SECTIONS[i % len(SECTIONS)],
            "tags": ["tagmarkzz"], "places": ["placemarkzz"], "authors": [f"reporter-{i % 20}"], "body": body, "sourceIds": cited})
        call("POST", f"/v1/manage/articles/{created['id']}/publish", {}, {"If-Match": headers["ETag"]})
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(template, range(len(quotes))))
    print(f"{len(quotes)} template articles")


if __name__ == "__main__":
    main()
