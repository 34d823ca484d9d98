#!/usr/bin/env python3
"""The write-side bench (issue 19): seeds one section and one author used by N published articles, caches a few of
their pages and one page of another section, then times renaming the section and the author (each three times) and
checks that exactly the affected cached pages changed.

  python3 bench/rename.py BASE_URL API_KEY ARTICLES STATE_FILE

STATE_FILE keeps what was seeded (ids and slugs): a later run against the same database skips seeding.
"""
import json, os, sys, time, urllib.request, urllib.error, uuid
from concurrent.futures import ThreadPoolExecutor

BASE, KEY, COUNT, STATE = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
RUN = uuid.uuid4().hex[:6]
WORDS = ("the council said residents would be consulted before work begins on the scheme which has been discussed for "
         "several years by members of the community and local businesses along the seafront").split()


def call(method, path, body=None, headers=None, key=True):
    request = urllib.request.Request(BASE + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={**({"Authorization": f"Bearer {KEY}"} if key else {}), "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.headers, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, json.loads(e.read() or b"null")


def paragraph(i, n):
    return " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(n)).capitalize() + "."


def seed():
    _, _, section = call("POST", "/v1/manage/sections", {"slug": f"bench-{RUN}", "name": "Bench"})
    _, _, other = call("POST", "/v1/manage/sections", {"slug": f"other-{RUN}", "name": "Other"})
    _, _, author = call("POST", "/v1/manage/authors", {"slug": f"reporter-{RUN}", "name": "Bench Reporter"})
    _, _, source = call("POST", "/v1/manage/sources", {"kind": "report", "title": "Harbour review", "url": "https://example.org/r"})
    _, _, quote = call("POST", "/v1/manage/quotes", {"text": "We will reopen the pier.", "speaker": {"name": "Siân Morgan"}, "sourceId": source["id"]})

    def article(i, section_slug):
        body = [{"type": "paragraph", "html": paragraph(i + k, 70)} for k in range(8)]
        body.insert(3, {"type": "quote", "quoteId": quote["id"]})
        body.append({"type": "sourceList", "title": "Sources", "sourceIds": [source["id"]]})
        status, headers, created = call("POST", "/v1/manage/articles", {
            "headline": f"Harbour plan {RUN} {i} moves ahead", "standfirst": paragraph(i, 25), "section": section_slug,
            "tags": ["harbour works"], "places": ["Conwy"], "authors": [author["slug"]], "body": body, "sourceIds": [source["id"]]})
        if status != 201:
            raise RuntimeError(f"create failed: {status} {created}")
        status, _, published = call("POST", f"/v1/manage/articles/{created['id']}/publish", {}, {"If-Match": headers["ETag"]})
        if status != 200:
            raise RuntimeError(f"publish failed: {status} {published}")
        return published["slug"]

    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        slugs = list(pool.map(lambda i: article(i, section["slug"]), range(COUNT)))
    outside = article(COUNT, other["slug"])
    print(f"seeded {COUNT} published articles in one section by one author in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return {"section": section["id"], "author": author["id"], "slugs": slugs, "outside": outside}


def main():
    if os.path.exists(STATE):
        with open(STATE) as f:
            state = json.load(f)
    else:
        state = seed()
        with open(STATE, "w") as f:
            json.dump(state, f)
    slugs, outside = state["slugs"], state["outside"]

    def page(slug):
        return call("GET", f"/v1/articles/{slug}", key=False)

    def rename(kind, entity_id, names):
        _, _, entity = call("GET", f"/v1/manage/{kind}/{entity_id}")
        version = entity["version"]
        timings = []
        for name in names:
            for slug in slugs[:3] + [outside]:
                page(slug)  # cached now
            started = time.perf_counter()
            status, headers, body = call("PUT", f"/v1/manage/{kind}/{entity['id']}", {"name": name, "slug": entity["slug"]}, {"If-Match": f'"{version}"'})
            elapsed = time.perf_counter() - started
            if status != 200:
                timings.append(f"{status} after {elapsed:.2f}")
                continue
            timings.append(f"{elapsed:.2f}")
            version = body["version"]
            shown = [page(slug)[2] for slug in slugs[:3]]
            field = "section" if kind == "sections" else "authors"
            if not all(json.dumps(s[field]).find(name) >= 0 for s in shown):
                raise RuntimeError(f"a cached page still shows the old {kind[:-1]} name")
        return timings

    run = uuid.uuid4().hex[:4]
    section_times = rename("sections", state["section"], [f"Bench {run} {n}" for n in "ABC"])
    author_times = rename("authors", state["author"], [f"Reporter {run} {n}" for n in "ABC"])
    print(f"| rename a section used by {len(slugs)} published articles | " + " / ".join(section_times) + " s |")
    print(f"| rename an author bylined on {len(slugs)} published articles | " + " / ".join(author_times) + " s |")


if __name__ == "__main__":
    main()
