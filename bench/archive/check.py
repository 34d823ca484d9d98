#!/usr/bin/env python3
"""Checks a seeded archive against the API's own write path (issue 23): every sampled slug is delivered, and a few
articles are saved again unchanged through the management API, which renders their read-model rows again; the
delivered documents must be the same apart from what a save changes (updatedAt, version, dateModified).

  python3 bench/archive/check.py BASE_URL API_KEY SLUGS_FILE [SAMPLE=200] [RESAVED=5]
"""
import difflib, json, random, sys

from templates import call  # reads BASE_URL and API_KEY from the same arguments

SLUGS = open(sys.argv[3]).read().split()
SAMPLE, RESAVED = (int(sys.argv[4]) if len(sys.argv) > 4 else 200), (int(sys.argv[5]) if len(sys.argv) > 5 else 5)
CHANGED_BY_A_SAVE = {"updatedAt", "version", "dateModified"}


def unchanged(o):
    if isinstance(o, dict):
        return {k: unchanged(v) for k, v in o.items() if k not in CHANGED_BY_A_SAVE}
    return [unchanged(v) for v in o] if isinstance(o, list) else o


def resave(article_id):
    headers, m = call("GET", f"/v1/manage/articles/{article_id}")
    call("PUT", f"/v1/manage/articles/{article_id}", {
        "headline": m["headline"], "slug": m["slug"], "standfirst": m["standfirst"], "body": m["body"], "section": m["section"]["slug"],
        "tags": [t["slug"] for t in m["tags"]], "places": [p["slug"] for p in m["places"]], "authors": [a["slug"] for a in m["authors"]],
        "sourceIds": m["sourceIds"], "language": m["language"]}, {"If-Match": headers["ETag"]})


def main():
    random.seed(23)
    same = 0
    for i, slug in enumerate(random.sample(SLUGS, min(SAMPLE, len(SLUGS)))):
        _, before = call("GET", f"/v1/articles/{slug}")
        if i >= RESAVED:
            continue
        resave(before["id"])
        _, after = call("GET", f"/v1/articles/{slug}")
        if unchanged(before) == unchanged(after):
            same += 1
        else:
            a, b = (json.dumps(unchanged(d), indent=1).splitlines() for d in (before, after))
            print("\n".join(list(difflib.unified_diff(a, b, slug, slug + " re-saved", lineterm=""))[:60]))
    print(f"{min(SAMPLE, len(SLUGS))} sampled slugs delivered; {same} of {RESAVED} re-saved through the API render the same document")
    sys.exit(0 if same == RESAVED else 1)


if __name__ == "__main__":
    main()
