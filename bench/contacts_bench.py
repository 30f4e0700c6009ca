#!/usr/bin/env python3
"""Contacts benchmark: imports 10,000 generated vCards into a release ksuite, then times
a search by name, by e-mail fragment and by phone digits, and an autocomplete request.
Prints median and p95.

    python3 bench/contacts_bench.py [runs]
"""
import http.cookiejar, json, os, random, re, statistics, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 30
N = 10_000

subprocess.run(["cargo", "build", "-q", "--release", "-p", "ksuite-server"], cwd=ROOT, check=True)
work = tempfile.mkdtemp()
server = subprocess.Popen(
    [os.path.join(ROOT, "target/release/ksuite"), "serve", "--listen", "127.0.0.1:0", "--smtp-listen", "127.0.0.1:0", "--imap-listen", "127.0.0.1:0", "--imaps-listen", "127.0.0.1:0", "--submission-listen", "127.0.0.1:0", "--submissions-listen", "127.0.0.1:0",
     "--data-dir", os.path.join(work, "data"), "--static-dir", os.path.join(work, "none")],
    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={**os.environ, "RUST_LOG": "warn"})
try:
    base = None
    for _ in range(100):
        m = re.search(r"running at (http://[^/\s]+)", server.stdout.readline())
        if m:
            base = m.group(1)
            break
    assert base, "server did not start"
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def call(method, path, body=None, csrf=None, ctype="application/json"):
        data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(base + path, data=data, method=method)
        req.add_header("content-type", ctype)
        if csrf:
            req.add_header("x-csrf-token", csrf)
        with opener.open(req) as r:
            return json.loads(r.read() or b"null")

    csrf = call("POST", "/api/auth/signup", {"email": "bench@example.org", "display_name": "Bench",
                                             "password": "correct horse battery staple"})["csrf_token"]
    book = [b for b in call("GET", "/api/address-books") if b["is_default"]][0]["id"]
    random.seed(7)
    first = ["Anna", "Bruno", "Chloé", "David", "Eva", "Farid", "Giulia", "Hans", "Ines", "Jonas", "Karin", "Luca"]
    last = ["Müller", "Rossi", "Dubois", "Smith", "García", "Silva", "Meier", "Keller", "Bianchi", "Weber"]
    cards = []
    for i in range(N):
        f, l = random.choice(first), random.choice(last)
        cards.append(f"BEGIN:VCARD\r\nVERSION:4.0\r\nUID:bench-{i}\r\nFN:{f} {l} {i}\r\nN:{l};{f};;;\r\n"
                     f"EMAIL:{f.lower()}.{i}@example.org\r\nTEL:+41 79 {i:07d}\r\nORG:Company {i % 300}\r\n"
                     f"CATEGORIES:Group {i % 20}\r\nEND:VCARD\r\n")
    t0 = time.perf_counter()
    report = call("POST", f"/api/address-books/{book}/import", "".join(cards).encode(), csrf, "text/vcard")
    imported = time.perf_counter() - t0
    assert report["imported"] == N, report

    def timed(path):
        samples, count = [], 0
        for _ in range(RUNS):
            s = time.perf_counter()
            count = len(call("GET", path))
            samples.append((time.perf_counter() - s) * 1000)
        samples.sort()
        return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], count

    print(f"imported {N} vCards in one file in {imported:.1f} s")
    for label, path in [
        ("search name 'keller'", f"/api/address-books/{book}/contacts?q=keller"),
        ("search e-mail '.4242@'", f"/api/address-books/{book}/contacts?q=.4242@"),
        ("search phone digits '0004242'", f"/api/address-books/{book}/contacts?q=0004242"),
        ("group filter 'Group 7'", f"/api/address-books/{book}/contacts?group=Group%207"),
        ("autocomplete 'anna'", "/api/contacts/autocomplete?q=anna"),
    ]:
        med, p95, count = timed(path)
        print(f"RESULT contacts {label}: median {med:.1f} ms, p95 {p95:.1f} ms, {count} results")
finally:
    server.terminate()
    server.wait()
