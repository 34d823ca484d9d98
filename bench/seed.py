#!/usr/bin/env python3
"""Seeds a HeadlessNews API with fictional content for the benchmark: sources, quotes, notices and articles
(~5 KB of body each, citing sources and quoting people), all published. Writes the article slugs to a file.

  python3 bench/seed.py BASE_URL API_KEY ARTICLES SLUGS_FILE
"""
import json, random, sys, threading, urllib.request, urllib.error
from concurrent.futures import ThreadPoolExecutor

BASE, KEY, COUNT, SLUGS_FILE = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
random.seed(20261128)
TOWNS = ["Llandudno", "Conwy", "Bangor", "Caernarfon", "Rhyl", "Prestatyn", "Colwyn Bay", "Holyhead", "Wrexham", "Mold",
         "Denbigh", "Ruthin", "Pwllheli", "Porthmadog", "Betws-y-Coed", "Llangefni", "Abergele", "Flint", "Bala", "Harlech"]
TOPICS = ["harbour works", "school meals", "bus timetable", "flood defences", "library hours", "parking charges", "rugby club",
          "lifeboat launch", "farmers market", "rail upgrade", "hospital ward", "road resurfacing", "beach clean", "choir festival"]
SECTIONS = [("news", "News"), ("sport", "Sport"), ("politics", "Politics"), ("business", "Business"), ("community", "Community")]
WORDS = ("the council said residents would be consulted before work begins on the scheme which has been discussed for "
         "several years by members of the community and local businesses along the seafront and in the town centre").split()


def call(method, path, body=None, headers=None):
    request = urllib.request.Request(BASE + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json", **(headers or {})})
    for attempt in range(5):
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.headers, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as e:
            if e.code in (409, 400, 422):
                return e.code, e.headers, json.loads(e.read() or b"null")
            if attempt == 4:
                raise
        except urllib.error.URLError:
            if attempt == 4:
                raise


def paragraph(n):
    return " ".join(random.choice(WORDS) for _ in range(n)).capitalize() + "."


def main():
    for slug, name in SECTIONS:
        call("POST", "/v1/manage/sections", {"slug": slug, "name": name, "description": f"{name} from North Wales"})
    for i in range(20):
        call("POST", "/v1/manage/authors", {"slug": f"reporter-{i}", "name": f"Reporter {i} {random.choice(TOWNS)}", "role": "Reporter"})

    with ThreadPoolExecutor(8) as pool:
        sources = list(pool.map(lambda i: call("POST", "/v1/manage/sources", {
            "kind": random.choice(["report", "press_release", "statement", "dataset"]),
            "title": f"{random.choice(TOWNS)} {random.choice(TOPICS)} review {i}", "publisher": f"{random.choice(TOWNS)} Town Council",
            "url": f"https://example.org/docs/{i}", "publishedOn": "2026-10-01", "description": paragraph(20)})[2]["id"], range(100)))
        quotes = list(pool.map(lambda i: call("POST", "/v1/manage/quotes", {
            "text": paragraph(25), "speaker": {"name": f"Councillor {i}", "role": "Cabinet member", "organisation": f"{random.choice(TOWNS)} Council"},
            "sourceId": random.choice(sources), "language": "en-GB"})[2]["id"], range(300)))

        def notice(i):
            town = random.choice(TOWNS)
            status, headers, created = call("POST", "/v1/manage/notices", {
                "reference": f"BENCH/{i}", "category": random.choice(["planning", "traffic_and_roads", "licensing", "environment"]),
                "title": f"{random.choice(TOPICS).capitalize()} notice, {town}", "body": f"<p>{paragraph(60)}</p>",
                "issuer": {"name": f"{town} County Council"},
                "location": {"description": town, "postcode": "LL30 2AB", "latitude": 53.0 + random.random() * 0.4, "longitude": -4.4 + random.random() * 1.4}})
            if status == 201:
                call("POST", f"/v1/manage/notices/{created['id']}/publish", {}, {"If-Match": headers["ETag"]})
        list(pool.map(notice, range(500)))

        lock, slugs = threading.Lock(), []

        def article(i):
            town, topic = random.choice(TOWNS), random.choice(TOPICS)
            body = [{"type": "paragraph", "html": f"<strong>{town}</strong> {paragraph(60)}"}]
            for k in range(7):
                body.append({"type": "paragraph", "html": paragraph(70)})
                if k == 2:
                    body.append({"type": "quote", "quoteId": random.choice(quotes)})
            cited = random.sample(sources, 2)
            body.append({"type": "sourceList", "title": "Sources", "sourceIds": cited})
            status, headers, created = call("POST", "/v1/manage/articles", {
                "headline": f"{town} {topic} plan {i} moves ahead", "standfirst": paragraph(25), "section": random.choice(SECTIONS)[0],
                "tags": [topic], "places": [town], "authors": [f"reporter-{random.randrange(20)}"], "body": body, "sourceIds": cited})
            if status != 201:
                raise RuntimeError(f"create failed: {status} {created}")
            call("POST", f"/v1/manage/articles/{created['id']}/publish", {}, {"If-Match": headers["ETag"]})
            with lock:
                slugs.append(created["slug"])
        list(pool.map(article, range(COUNT)))

    with open(SLUGS_FILE, "w") as f:
        f.write("\n".join(slugs) + "\n")
    print(f"seeded {len(slugs)} articles, {len(quotes)} quotes, {len(sources)} sources, 500 notices")


if __name__ == "__main__":
    main()
