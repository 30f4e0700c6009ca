"""Mail store benchmark: delivers N generated messages (default 100,000) over SMTP to a
release ksuite with a fresh database, then times listing the first page, a page deep in
the folder (keyset cursor), and full-text searches through the HTTP API.

Usage: python3 bench/mail_bench.py [messages] [smtp connections]
"""

import json
import os
import re
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.cookiejar import CookieJar

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
CONNS = int(sys.argv[2]) if len(sys.argv) > 2 else 4
WORDS = ("invoice meeting project budget holiday report garden concert travel weather "
         "football recipe library museum harbour mountain bicycle festival").split()

subprocess.run(["cargo", "build", "-q", "--release", "-p", "ksuite-server"], cwd=ROOT, check=True)
work = tempfile.mkdtemp()
server = subprocess.Popen(
    [os.path.join(ROOT, "target/release/ksuite"), "serve", "--listen", "127.0.0.1:0",
     "--smtp-listen", "127.0.0.1:0", "--imap-listen", "127.0.0.1:0", "--imaps-listen", "127.0.0.1:0", "--submission-listen", "127.0.0.1:0", "--submissions-listen", "127.0.0.1:0", "--mail-domain", "bench.test", "--sender-auth-dns", "off",
     "--data-dir", os.path.join(work, "data"), "--static-dir", os.path.join(work, "none")]
    # On PostgreSQL when run through bench/on_postgres.sh.
    + (["--database-url", os.environ["KSUITE_BENCH_DATABASE_URL"]]
       if os.environ.get("KSUITE_BENCH_DATABASE_URL") else []),
    stdout=subprocess.PIPE, text=True, env={**os.environ, "RUST_LOG": "warn"},
)
try:
    m = None
    for _ in range(50):
        m = re.search(r"running at (http://[^/\s]+).*SMTP on ([^,\s]+)", server.stdout.readline())
        if m:
            break
    base, smtp = m.group(1), m.group(2)
    # Keep reading the server's output so its log can never fill the pipe and stall it.
    threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
    smtp_host, smtp_port = smtp.rsplit(":", 1)

    jar = CookieJar()
    http = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def call(method, path, body=None, headers=None):
        req = urllib.request.Request(base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"content-type": "application/json", **(headers or {})})
        with http.open(req) as r:
            return json.loads(r.read() or b"null")

    call("POST", "/api/auth/signup", {"email": "bench@example.org", "display_name": "Bench",
                                      "password": "correct horse battery staple"})
    rcpt = "bench@bench.test"

    def deliver(start, count):
        with smtplib.SMTP(smtp_host, int(smtp_port), timeout=60) as s:
            for i in range(start, start + count):
                words = " ".join(WORDS[(i * k) % len(WORDS)] for k in (1, 3, 7))
                body = (f"From: Sender {i % 500} <sender{i % 500}@example.org>\r\nTo: {rcpt}\r\n"
                        f"Subject: Message {i} about {words}\r\nMessage-ID: <m{i}@example.org>\r\n\r\n"
                        f"Hello, this is message number {i}. We talk about {words} and more.\r\n")
                s.sendmail("sender@example.org", [rcpt], body.encode())

    t = time.time()
    per = N // CONNS
    threads = [threading.Thread(target=deliver, args=(k * per, per if k < CONNS - 1 else N - k * per))
               for k in range(CONNS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    took = time.time() - t
    print(f"RESULT delivered {N:,} messages over SMTP ({CONNS} connections) in {took:.1f} s ({N / took:,.0f} messages/s)")

    inbox = next(f for f in call("GET", "/api/mail/folders") if f["role"] == "inbox")
    assert inbox["total"] == N, inbox

    def timed(label, path, runs=20):
        samples = []
        result = None
        for _ in range(runs):
            t = time.perf_counter()
            result = call("GET", path)
            samples.append((time.perf_counter() - t) * 1000)
        print(f"RESULT {label}: {statistics.median(samples):.1f} ms median, {max(samples):.1f} ms max")
        return result

    first = timed("first page (50)", f"/api/mail/folders/{inbox['id']}/messages?limit=50")
    # Walk to the middle of the folder with cursors, then time a page there.
    cursor = first["next"]
    for _ in range((N // 2) // 200):
        cursor = call("GET", f"/api/mail/folders/{inbox['id']}/messages?limit=200&before={cursor}")["next"]
    deep = timed(f"page at message ~{N // 2:,} (keyset)", f"/api/mail/folders/{inbox['id']}/messages?limit=50&before={cursor}")
    assert len(deep["messages"]) == 50
    convo = timed("conversation list, first page", f"/api/mail/folders/{inbox['id']}/messages?limit=50&threads=true")
    assert len(convo["messages"]) == 50
    timed(f"conversation list at message ~{N // 2:,}",
          f"/api/mail/folders/{inbox['id']}/messages?limit=50&threads=true&before={cursor}")
    hits = timed("full-text search 'harbour' (200 newest of many hits)", "/api/mail/search?q=harbour")
    assert len(hits) == 200, len(hits)
    one = timed("full-text search 'number 4242' (one hit)", "/api/mail/search?q=number%204242")
    assert any(m["subject"].startswith("Message 4242 ") for m in one), one
    timed("unread + text filter 'festival'", "/api/mail/search?q=festival&unread=true")
    timed("folder counts (all folders)", "/api/mail/folders")
finally:
    server.terminate()
    server.wait()
