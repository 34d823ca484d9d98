#!/usr/bin/env python3
"""Fault drills for HeadlessNews (issue 8). Stops by itself; prints figures; exits non-zero on a broken promise.

  python3 bench/faults/faults.py            # both drills
  python3 bench/faults/faults.py db-restart # PostgreSQL stop / 5 s / start under 8 concurrent editors and 4 uncached readers
  python3 bench/faults/faults.py kill-api   # kill -9 of the API mid-load, restart, check nothing half-written or duplicated, and time
                                            # how soon same-key retries succeed and the pre-crash webhook backlog is delivered

Everything runs on loopback: a private PostgreSQL cluster (durable settings) and the API built in Release.
"""
import argparse, http.client, http.server, json, os, random, shutil, signal, socket, subprocess, sys, tempfile, threading, time, urllib.request, urllib.error, uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EDITORS = 8
READERS = 4
REQUEST_TIMEOUT = 35  # above the API's own request timeout: a reply slower than this is a hang
RETRIES_WITHIN = 10  # seconds after the restart by which same-key retries must succeed
BACKLOG_WITHIN = 30  # seconds after the restart by which the pre-crash webhook backlog must be delivered


def free_port():
    """A free port below the kernel's ephemeral range. The drills restart servers on the port they had; one from that
    range could meanwhile become the source port of any outgoing connection (the load's, the API's), and the restart
    would fail to bind."""
    with open("/proc/sys/net/ipv4/ip_local_port_range") as ports:
        ephemeral_low = int(ports.read().split()[0])
    for port in random.sample(range(max(1024, ephemeral_low - 10000), ephemeral_low), 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port below the ephemeral range")


def pg_bin():
    versions = sorted(os.listdir("/usr/lib/postgresql"), key=lambda v: int(v) if v.isdigit() else 0)
    return os.path.join("/usr/lib/postgresql", versions[-1], "bin")


class Cluster:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="hn-faults-", dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, "pg")
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        os.makedirs(self.data)
        if self.as_root:
            shutil.chown(self.data, "postgres", "postgres")
        os.chmod(self.data, 0o700)
        self.run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8")

    def run(self, tool, *args):
        command = [os.path.join(pg_bin(), tool), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/")

    def start(self):
        self.run("pg_ctl", "-D", self.data, "-l", os.path.join(self.data, "server.log"), "-w", "-o",
                 f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''", "start")

    def stop(self, mode="fast"):
        self.run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def connection_string(self):
        return f"Host=127.0.0.1;Port={self.port};Username=postgres;Database=headlessnews"

    def query(self, sql):
        out = subprocess.run([os.path.join(pg_bin(), "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                              "-d", "headlessnews", "-At", "-c", sql], check=True, capture_output=True, text=True)
        return [line for line in out.stdout.splitlines() if line]

    def remove(self):
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


class Api:
    def __init__(self, cluster):
        self.cluster = cluster
        self.port = free_port()
        self.dll = os.path.join(ROOT, "src/HeadlessNews.Api/bin/Release/net10.0/HeadlessNews.Api.dll")
        self.env = dict(os.environ, ConnectionStrings__HeadlessNews=cluster.connection_string(), RateLimiting__Enabled="false",
                        ASPNETCORE_ENVIRONMENT="Production", Logging__LogLevel__Default="Warning", Webhooks__AllowPrivateTargets="true")
        self.process = None

    def create_key(self, scopes="content:write,content:publish"):
        out = subprocess.run(["dotnet", self.dll, "keys", "create", "--name", "fault drill", "--scopes", scopes],
                             env=self.env, check=True, capture_output=True, text=True, cwd=ROOT)
        return out.stdout.strip().splitlines()[-1]

    def launch(self):
        """Starts the process (same URL, so the same node name as before) without waiting for it."""
        self.process = subprocess.Popen(["dotnet", self.dll, "--urls", f"http://127.0.0.1:{self.port}"], env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)

    def start(self):
        self.launch()
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health/ready", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                time.sleep(0.2)
        raise RuntimeError("the API did not become ready within 60 s")

    def live(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health/live", timeout=2) as r:
                return r.status == 200
        except (urllib.error.URLError, ConnectionError, socket.timeout, http.client.HTTPException):
            return False

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class Client(threading.Thread):
    def __init__(self, api, key, number, stop_event, ledger):
        super().__init__(daemon=True)
        self.api, self.key, self.number, self.stop_event, self.ledger = api, key, number, stop_event, ledger

    def call(self, method, path, body=None, headers=None):
        authorization = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        request = urllib.request.Request(f"http://127.0.0.1:{self.api.port}{path}", method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={**authorization, "Content-Type": "application/json", **(headers or {})})
        started = time.time()
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as r:
                return r.status, dict(r.headers), json.loads(r.read() or b"null"), time.time() - started
        except urllib.error.HTTPError as e:
            try:
                problem = json.loads(e.read() or b"null")
            except (ValueError, OSError, http.client.HTTPException):
                problem = None
            return e.code, dict(e.headers), problem, time.time() - started
        except (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError, http.client.HTTPException) as e:
            return 0 if "timed out" not in str(e) else -1, {}, None, time.time() - started


class Editor(Client):
    """Creates and publishes articles in a loop, recording exactly what the API acknowledged."""

    def run(self):
        n = 0
        while not self.stop_event.is_set():
            n += 1
            headline = f"Fault drill {self.number}-{n} {uuid.uuid4().hex[:8]}: Conwy harbour works reach the quay"
            body = {"headline": headline, "standfirst": "A drill article.",
                    "body": [{"type": "paragraph", "html": f"Editor {self.number} wrote paragraph {n}."}]}
            idempotency_key = uuid.uuid4().hex
            status, headers, created, took = self.call("POST", "/v1/manage/articles", body, {"Idempotency-Key": idempotency_key})
            self.ledger.record("create", status, headers, took, created and created.get("id"))
            if status in (0, -1):
                with self.ledger.lock:
                    self.ledger.unanswered.append((idempotency_key, body))
            if status != 201:
                continue
            status, headers, _, took = self.call("POST", f"/v1/manage/articles/{created['id']}/publish", {}, {"If-Match": headers.get("ETag", '"1"')})
            self.ledger.record("publish", status, headers, took, created["id"])


class Reader(Client):
    """Anonymous delivery reads the output cache cannot answer, on both read pools: lists from a random instant (one
    filtered by tag), and a random slug, whose answer is a 404."""

    def run(self):
        n = 0
        while not self.stop_event.is_set():
            n += 1
            instant = f"2020-01-01T00:00:00.{uuid.uuid4().int % 1000000:06d}Z"
            path, expected = [(f"/v1/articles?limit=5&from={instant}", 200), (f"/v1/articles?limit=5&tag=drill&from={instant}", 200),
                              (f"/v1/articles/no-such-story-{uuid.uuid4().hex[:12]}", 404)][n % 3]
            status, headers, _, took = self.call("GET", path)
            if 0 < status < 500 and status != expected:
                with self.ledger.lock:
                    self.ledger.bad.append(f"read {path}: {status}, expected {expected}")
            self.ledger.record("read", 200 if status == expected else status, headers, took, None)


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.attempts = {"create": 0, "publish": 0, "read": 0}
        self.acknowledged = {"create": set(), "publish": set()}
        self.outcomes = {}
        self.bad = []
        self.unanswered = []  # (Idempotency-Key, body) of creates that got no answer: a client retries them with the same key
        self.last_success = {"create": 0.0, "publish": 0.0, "read": 0.0}

    def record(self, action, status, headers, took, article_id):
        with self.lock:
            self.attempts[action] += 1
            self.outcomes[status] = self.outcomes.get(status, 0) + 1
            if 200 <= status < 300:
                if article_id:
                    self.acknowledged[action].add(article_id)
                self.last_success[action] = time.time()
            elif status >= 500 and not (status == 503 and "Retry-After" in headers):
                self.bad.append(f"{action}: {status} without Retry-After")
            elif status == -1:
                self.bad.append(f"{action}: no answer within {REQUEST_TIMEOUT} s")


def build():
    subprocess.run(["dotnet", "build", "-c", "Release", "src/HeadlessNews.Api", "-v", "quiet", "-nologo"], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)


def load(api, key, seconds_before, fault, seconds_after, readers=0):
    stop_event, ledger = threading.Event(), Ledger()
    editors = [Editor(api, key, i, stop_event, ledger) for i in range(EDITORS)] + [Reader(api, None, i, stop_event, ledger) for i in range(readers)]
    for e in editors:
        e.start()
    time.sleep(seconds_before)
    figures = fault(ledger, stop_event)
    time.sleep(seconds_after)
    stop_event.set()
    for e in editors:
        e.join(REQUEST_TIMEOUT + 5)
    return ledger, figures


def verify(cluster, ledger):
    created = ledger.acknowledged["create"]
    published = ledger.acknowledged["publish"]
    found = set(cluster.query("SELECT id FROM articles"))
    live = set(cluster.query("SELECT id FROM articles WHERE status = 'Published'"))
    lost_creates = created - found
    lost_publishes = published - live
    return found, lost_creates, lost_publishes


def report(name, ledger, found, lost_creates, lost_publishes, figures):
    print(f"\n== {name}")
    print(f"writes attempted: {ledger.attempts['create']} creates, {ledger.attempts['publish']} publishes; reads: {ledger.attempts['read']}")
    print(f"acknowledged:     {len(ledger.acknowledged['create'])} creates, {len(ledger.acknowledged['publish'])} publishes")
    print(f"found afterwards: {len(found)} articles; lost acknowledged creates: {len(lost_creates)}, publishes: {len(lost_publishes)}")
    print(f"outcomes by status: {dict(sorted(ledger.outcomes.items()))}")
    for key, value in figures.items():
        print(f"{key}: {value}")
    problems = list(ledger.bad)
    if lost_creates or lost_publishes:
        problems.append("acknowledged writes were lost")
    for p in problems[:10]:
        print("  BROKEN:", p)
    return not problems


def db_restart():
    cluster = Cluster()
    cluster.start()
    api = Api(cluster)
    try:
        key = api.create_key()
        api.start()

        def fault(ledger, _):
            cluster.stop("fast")
            time.sleep(5)
            cluster.start()
            back = time.time()
            deadline = back + 30
            figures = {}
            for action in ("create", "read"):
                while ledger.last_success[action] < back and time.time() < deadline:
                    time.sleep(0.05)
                figures[f"{action}s served again after the database returned (s)"] = (
                    round(ledger.last_success[action] - back, 2) if ledger.last_success[action] >= back else "not within 30 s")
            return figures

        ledger, figures = load(api, key, 5, fault, 5, readers=READERS)
        found, lost_creates, lost_publishes = verify(cluster, ledger)
        recovered = all(isinstance(seconds, float) and seconds <= 5 for seconds in figures.values())
        ok = report("database restart under write and read load", ledger, found, lost_creates, lost_publishes, figures)
        if not recovered:
            print("  BROKEN: the API did not serve writes and reads again within 5 s of the database returning")
        return ok and recovered
    finally:
        api.stop()
        cluster.remove()


class WebhookReceiver:
    """A loopback webhook target that records when each webhook-id arrived."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received = []  # (webhook-id, time)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.received.append((self.headers["webhook-id"], time.time()))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/drill"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def ids(self):
        with self.lock:
            return [webhook_id for webhook_id, _ in self.received]

    def stop(self):
        self.server.shutdown()


def retry_until_created(api, key, idempotency_key, body, deadline, outcome):
    """Retries one unanswered create with its Idempotency-Key, polling (to time when the key is free) until it is
    answered for good: 201, or 409 "Request carried out, response lost" (the first attempt's create had committed when
    the process died: it is not run twice). Puts the time of that answer and any Retry-After seen into outcome."""
    client = Client(api, key, 0, None, None)
    while time.time() < deadline:
        status, headers, answer, _ = client.call("POST", "/v1/manage/articles", body, {"Idempotency-Key": idempotency_key})
        if status == 201 or (status == 409 and (answer or {}).get("title") == "Request carried out, response lost"):
            outcome["succeeded"].append(time.time())
            outcome["carried_out"] += status == 409
            return
        if status == 409:
            outcome["retry_after"].add(headers.get("Retry-After"))
        elif status not in (0, -1, 503):
            outcome["refused"].append(status)
            return
        time.sleep(0.1)


def kill_api():
    cluster = Cluster()
    cluster.start()
    api = Api(cluster)
    receiver = WebhookReceiver()
    try:
        key = api.create_key("content:write,content:publish,webhooks:manage")
        api.start()
        hook = Client(api, key, 0, None, None).call("POST", "/v1/manage/webhooks", {"url": receiver.url, "events": ["article.published"]})
        if hook[0] != 201:
            raise RuntimeError(f"creating the drill's webhook answered {hook[0]}")

        def fault(ledger, stop_event):
            stop_event.set()  # the editors finish the request they are in (cut by the kill) and stop
            api.kill()
            return {}

        ledger, _ = load(api, key, 4, fault, 0)
        received_before = receiver.ids()
        backlog = set(cluster.query("SELECT id FROM content_events WHERE type = 'article.published'")) - set(received_before)
        held = cluster.query("""SELECT (SELECT count(*) FROM idempotency_records WHERE status_code IS NULL),
            (SELECT count(*) FROM webhook_messages WHERE claimed_by IS NOT NULL AND status = 'Pending')""")[0].split("|")

        restarted = time.time()
        api.launch()
        # Each editor whose create was cut by the kill retries it with the same key, as a client would.
        retried = {"succeeded": [], "retry_after": set(), "refused": [], "carried_out": 0}
        retriers = [threading.Thread(target=retry_until_created, args=(api, key, idempotency_key, body, restarted + 150, retried), daemon=True)
                    for idempotency_key, body in ledger.unanswered]
        for retrier in retriers:
            retrier.start()
        answering, delivered = None, None
        while (answering is None or delivered is None) and time.time() < restarted + 150:
            if delivered is None and backlog <= set(receiver.ids()):
                delivered = round(time.time() - restarted, 2)
            if answering is None and api.live():
                answering = round(time.time() - restarted, 2)
            time.sleep(0.05)
        for retrier in retriers:
            retrier.join(155)
        all_retried = len(retried["succeeded"]) == len(ledger.unanswered)
        retry_seconds = round(max(retried["succeeded"]) - restarted, 2) if all_retried and retried["succeeded"] else None

        found, lost_creates, lost_publishes = verify(cluster, ledger)
        half_written = cluster.query("""SELECT a.id FROM articles a WHERE NOT EXISTS
            (SELECT 1 FROM revisions r WHERE r.resource_id = a.id AND r.number = a.version)""")
        missing_events = cluster.query("""SELECT a.id FROM articles a WHERE a.status = 'Published' AND NOT EXISTS
            (SELECT 1 FROM content_events e WHERE e.resource_id = a.id AND e.type = 'article.published')""")
        duplicate_articles = cluster.query("SELECT headline FROM articles GROUP BY headline HAVING count(*) > 1")
        # A retry answered "carried out, response lost" must match exactly one article: the one the first attempt created.
        not_exactly_once = [body["headline"] for _, body in ledger.unanswered
                               if cluster.query("SELECT count(*) FROM articles WHERE headline = '" + body["headline"].replace("'", "''") + "'") != ["1"]]
        duplicate_events = cluster.query("""SELECT resource_id FROM content_events WHERE type = 'article.published'
            GROUP BY resource_id, version HAVING count(*) > 1""")
        # A retried idempotent POST after the restart must return the first article, not a second one.
        editor = Editor(api, key, 99, threading.Event(), Ledger())
        idem, body = uuid.uuid4().hex, {"headline": "Idempotent after restart: Bangor pier reopens", "body": [{"type": "paragraph", "html": "x"}]}
        first = editor.call("POST", "/v1/manage/articles", body, {"Idempotency-Key": idem})
        second = editor.call("POST", "/v1/manage/articles", body, {"Idempotency-Key": idem})
        duplicate = not (first[0] == 201 and second[0] == 201 and first[2]["id"] == second[2]["id"])
        received = receiver.ids()
        received_after = received[len(received_before):]
        lost_webhooks = backlog - set(received)
        # Received once before the kill and once after: the attempt was in flight, the target had it, the API died before
        # it could record the answer. At-least-once delivery; receivers deduplicate on webhook-id.
        in_flight_again = {i for i in set(received_after) if received_before.count(i) == 1 and received_after.count(i) == 1}
        duplicated = {i for i in set(received) if received.count(i) > 1} - in_flight_again
        figures = {"articles without the revision of their version (half-written)": len(half_written),
                   "published articles without an outbox event": len(missing_events),
                   "idempotent retry created a duplicate": duplicate,
                   "creates unanswered at the kill, retried with the same key": len(ledger.unanswered),
                   "idempotency keys in flight at the kill / webhook messages claimed by the killed process": " / ".join(held),
                   "restarted process answering HTTP after (s)": answering,
                   "same-key retries answered 409 'carried out, response lost' (their create had committed)": retried["carried_out"],
                   "same-key retries: all answered for good after the restart (s)": retry_seconds if retry_seconds is not None
                       else f"not all within 150 s (refused: {retried['refused']})" if ledger.unanswered else "none to retry (no create was cut by the kill)",
                   "same-key retries: answered for good after the restarted process first answered HTTP (s)":
                       round(retry_seconds - answering, 2) if retry_seconds is not None and answering is not None else "-",
                   "Retry-After on 409s meanwhile": sorted(retried["retry_after"], key=str) or "none (no 409)",
                   "articles created twice": len(duplicate_articles),
                   "retried creates not found exactly once": len(not_exactly_once),
                   "pre-crash webhook backlog (article.published events not yet received at the kill)": len(backlog),
                   "pre-crash webhook backlog: delivered after the restart (s)": "nothing to deliver" if not backlog
                       else delivered if delivered is not None else "not within 150 s",
                   "webhook events lost": len(lost_webhooks),
                   "webhook events received again after the restart (in flight at the kill)": len(in_flight_again),
                   "webhook events received twice otherwise": len(duplicated),
                   "outbox events duplicated": len(duplicate_events)}
        ok = report("kill -9 of the API mid-load", ledger, found, lost_creates, lost_publishes, figures)
        promises = {f"same-key retries succeed within {RETRIES_WITHIN} s of the restart":
                        not ledger.unanswered or (retry_seconds is not None and retry_seconds <= RETRIES_WITHIN),
                    f"the pre-crash webhook backlog is delivered within {BACKLOG_WITHIN} s": delivered is not None and delivered <= BACKLOG_WITHIN,
                    "no webhook event lost": not lost_webhooks,
                    "no webhook event received twice but those in flight at the kill": not duplicated,
                    "no article or outbox event duplicated": not duplicate_articles and not duplicate_events,
                    "every retried create exists exactly once": not not_exactly_once}
        for promise, kept in promises.items():
            if not kept:
                print("  BROKEN:", promise)
        return ok and not half_written and not missing_events and not duplicate and all(promises.values())
    finally:
        receiver.stop()
        api.stop()
        cluster.remove()


if __name__ == "__main__":
    drills = {"db-restart": db_restart, "kill-api": kill_api}
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("drills", nargs="*", metavar="drill", help=f"one or more of: {', '.join(drills)} (default: all)")
    chosen = parser.parse_args().drills or list(drills)
    if unknown := [name for name in chosen if name not in drills]:
        parser.error(f"unknown drill {', '.join(unknown)}: choose from {', '.join(drills)}")
    build()
    results = {name: drills[name]() for name in chosen}
    print("\n" + ", ".join(f"{name}: {'ok' if ok else 'BROKEN'}" for name, ok in results.items()))
    sys.exit(0 if all(results.values()) else 1)
