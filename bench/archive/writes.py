#!/usr/bin/env python3
"""Writes at scale (issue 23), driven by bench/archive/writes.sh: EDITORS concurrent editors each create and publish
articles through the management API for SECONDS, then keep doing so while the section SECTION_ID (used by the most
articles of the archive) is renamed. Prints publish latency percentiles, how long the rename took to answer and to be shown by every article (the
read model is relabelled in batches after it commits), the editors' latency meanwhile, and checks that pages of that
section (one cached before the rename, every article the editors published in it since, its latest 50) show the new name.

  PGPASSWORD=… python3 bench/archive/writes.py BASE_URL API_KEY SECTION_ID SECONDS EDITORS "psql -h … -p … -U … -d …" [PACE=0] [WARMUP=3]

WARMUP seconds of the same load come first and are not counted: a freshly started API runs the write path as tier-0 code
while .NET compiles it again in the background, which on this box cost 76 ms of API CPU a story over its first 240
stories against 24 once warm (publish p99 4.5 s, then 1.4 s, 0.6 s, 0.2 s in four 30 s runs in a row, load 16).
"""
import json, subprocess, sys, threading, time, urllib.error, urllib.request, uuid

BASE, KEY, SECTION, SECONDS = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
EDITORS = int(sys.argv[5]) if len(sys.argv) > 5 else 8
PSQL = sys.argv[6]
PACE = float(sys.argv[7]) if len(sys.argv) > 7 else 0.0  # seconds between one editor's stories; 0: each starts the next at once
WARMUP = float(sys.argv[8]) if len(sys.argv) > 8 else 3.0
RUN = uuid.uuid4().hex[:6]
WORDS = ("the council said residents would be consulted before work begins on the scheme which has been discussed for "
         "several years by members of the community and local businesses along the seafront").split()


def call(method, path, body=None, headers=None, key=True):
    request = urllib.request.Request(BASE + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={**({"Authorization": f"Bearer {KEY}"} if key else {}), "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=1800) as response:
            return response.status, response.headers, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, json.loads(e.read() or b"null")


def pending_relabels():
    """Renames whose articles are not all relabelled yet (PSQL: the archive's psql command line, from writes.sh)."""
    return int(subprocess.run(PSQL.split() + ["-Atc", "SELECT count(*) FROM read_model_relabels"], capture_output=True, text=True, check=True).stdout)


def paragraph(i, n):
    return " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(n)).capitalize() + "."


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000 if ordered else float("nan")


_, _, renamed = call("GET", f"/v1/manage/sections/{SECTION}")
_, _, sections = call("GET", "/v1/manage/sections")
slugs = [s["slug"] for s in sections["items"]]
publishes = []  # (started, ended, seconds, section slug, article slug)
errors = []
stop = threading.Event()


def editor(n):
    i = 0
    while not stop.is_set():
        i += 1
        began_story = time.perf_counter()
        section = slugs[(n + i) % len(slugs)]
        status, headers, created = call("POST", "/v1/manage/articles", {
            "headline": f"Editor {n} story {RUN} {i}", "standfirst": paragraph(i, 25), "section": section,
            "tags": ["harbour works"], "places": ["Conwy"], "body": [{"type": "paragraph", "html": paragraph(i + k, 70)} for k in range(6)]})
        if status != 201:
            errors.append(f"create {status}")
            continue
        started = time.perf_counter()
        status, _, published = call("POST", f"/v1/manage/articles/{created['id']}/publish", {}, {"If-Match": headers["ETag"]})
        ended = time.perf_counter()
        if status != 200:
            errors.append(f"publish {status}")
            continue
        publishes.append((started, ended, ended - started, section, published["slug"]))
        stop.wait(max(0.0, PACE - (time.perf_counter() - began_story)))


threads = [threading.Thread(target=editor, args=(n,), daemon=True) for n in range(EDITORS)]
began = time.perf_counter()
for t in threads:
    t.start()
time.sleep(WARMUP + SECONDS)
steady = [p[2] for p in publishes if p[0] - began > WARMUP]
print(f"| {EDITORS} editors{f', a story each every {PACE:g} s' if PACE else ''}, {SECONDS:.0f} s after {WARMUP:.0f} s of warm-up | {len(steady)} publishes | p50 {percentile(steady, 50):.1f} ms | "
      f"p95 {percentile(steady, 95):.1f} ms | p99 {percentile(steady, 99):.1f} ms | max {percentile(steady, 100):.1f} ms | errors {len(errors)} |")

# A cached page of the renamed section (read twice: the second comes from the output cache).
status, _, listed = call("GET", f"/v1/articles?section={renamed['slug']}&limit=1", key=False)
page_slug = listed["items"][0]["slug"]
call("GET", f"/v1/articles/{page_slug}", key=False)
call("GET", f"/v1/articles/{page_slug}", key=False)
new_name = f"{renamed['name'].split(' (')[0]} ({RUN})"
started = time.perf_counter()
status, _, body = call("PUT", f"/v1/manage/sections/{SECTION}",
                       {"name": new_name, "slug": renamed["slug"], "description": renamed.get("description")}, {"If-Match": f'"{renamed["version"]}"'})
ended = time.perf_counter()
# The rename commits with its first batch; the rest of the section is relabelled batch by batch in the background,
# with the editors still publishing: wait until no rename is left unfinished.
while time.perf_counter() - ended < 1800 and pending_relabels() > 0:
    time.sleep(0.5)
relabelled = time.perf_counter()
time.sleep(1)
stop.set()
for t in threads:
    t.join()
during = [p for p in publishes if p[1] > started and p[0] < relabelled]
print(f"| rename section '{renamed['slug']}' ({status}) | answered in {ended - started:.2f} s | every article relabelled after "
      f"{relabelled - started:.1f} s | {len(during)} publishes meanwhile | p50 {percentile([p[2] for p in during], 50):.1f} ms | "
      f"p99 {percentile([p[2] for p in during], 99):.1f} ms | max {percentile([p[2] for p in during], 100):.1f} ms |")
# The cached page, every article of that section published since the rename began, and the section's latest page must show the new name.
_, _, latest = call("GET", f"/v1/articles?section={renamed['slug']}&limit=50", key=False)
checked = [page_slug] + [p[4] for p in publishes if p[3] == renamed["slug"] and p[1] > started] + [a["slug"] for a in latest["items"]]
stale = [s for s in checked if call("GET", f"/v1/articles/{s}", key=False)[2]["section"]["name"] != new_name]
print(f"pages of the section checked after: {len(checked)}, showing the old name: {len(stale)} {stale[:5]}; errors: {errors[:5]}")
