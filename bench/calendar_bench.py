#!/usr/bin/env python3
"""Calendar benchmark: 1,000 events (half recurring) created through the API of a release
ksuite, then timing of the expansion of all of them over one year and of a one-month
range query. Prints median and p95 of repeated runs.

    python3 bench/calendar_bench.py [runs]
"""
import http.cookiejar, json, os, re, statistics, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 20

subprocess.run(["cargo", "build", "-q", "--release", "-p", "ksuite-server"], cwd=ROOT, check=True)
work = tempfile.mkdtemp()
server = subprocess.Popen(
    [os.path.join(ROOT, "target/release/ksuite"), "serve", "--listen", "127.0.0.1:0", "--smtp-listen", "127.0.0.1:0", "--imap-listen", "127.0.0.1:0", "--imaps-listen", "127.0.0.1:0", "--submission-listen", "127.0.0.1:0", "--submissions-listen", "127.0.0.1:0",
     "--data-dir", os.path.join(work, "data"), "--static-dir", os.path.join(work, "none")],
    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={**os.environ, "RUST_LOG": "warn"})
try:
    base = None
    for _ in range(100):
        line = server.stdout.readline()
        m = re.search(r"running at (http://[^/\s]+)", line)
        if m:
            base = m.group(1)
            break
    assert base, "server did not start"
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def call(method, path, body=None, csrf=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(base + path, data=data, method=method)
        req.add_header("content-type", "application/json")
        if csrf:
            req.add_header("x-csrf-token", csrf)
        with opener.open(req) as r:
            return json.loads(r.read() or b"null")

    me = call("POST", "/api/auth/signup", {"email": "bench@example.org", "display_name": "Bench",
                                           "password": "correct horse battery staple", "time_zone": "Europe/Zurich"})
    csrf = me["csrf_token"]
    cal = [c for c in call("GET", "/api/calendars") if c["is_default"]][0]["id"]
    rules = ["FREQ=WEEKLY", "FREQ=DAILY;COUNT=30", "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=WEEKLY;BYDAY=MO,WE,FR", "FREQ=YEARLY"]
    t0 = time.perf_counter()
    for i in range(1000):
        day = 1 + i % 28
        month = 1 + (i // 28) % 12
        body = {"title": f"Event {i}", "start": f"2026-{month:02d}-{day:02d}T{8 + i % 10:02d}:00",
                "end": f"2026-{month:02d}-{day:02d}T{9 + i % 10:02d}:00", "time_zone": "Europe/Zurich"}
        if i % 2 == 0:
            body["rrule"] = rules[(i // 2) % len(rules)]
        call("POST", f"/api/calendars/{cal}/events", body, csrf)
    created = time.perf_counter() - t0

    def timed(path):
        samples, count = [], 0
        for _ in range(RUNS):
            s = time.perf_counter()
            count = len(call("GET", path))
            samples.append((time.perf_counter() - s) * 1000)
        samples.sort()
        return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], count

    year = timed(f"/api/events?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&calendars={cal}")
    month = timed(f"/api/events?from=2026-06-01T00:00:00Z&to=2026-07-01T00:00:00Z&calendars={cal}")
    print(f"created 1000 events (500 recurring) in {created:.1f} s ({created:.1f} ms each on average)")
    print(f"RESULT calendar year expansion: median {year[0]:.1f} ms, p95 {year[1]:.1f} ms, {year[2]} occurrences")
    print(f"RESULT calendar month query:    median {month[0]:.1f} ms, p95 {month[1]:.1f} ms, {month[2]} occurrences")
finally:
    server.terminate()
    server.wait()
