#!/usr/bin/env python3
"""Reminder benchmark: 100,000 events with a reminder each across 10,000 users, due at a
steady rate (default 1,000 per second), half of them to a chat webhook and half as browser
notifications (Web Push, encrypted per device). A release ksuite delivers them to two
loopback receivers run by this script; it prints the delivery rate and the delay from
each reminder's due time to its arrival.

    python3 bench/reminders_bench.py [events] [users] [due-per-second]

The database is seeded directly (signing 10,000 users up through the API would measure
password hashing); the scheduler, the encryption and the HTTP deliveries are the real
ones.
"""
import json, os, re, signal, sqlite3, statistics, subprocess, sys, tempfile, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EVENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
USERS = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
RATE = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000
LEAD = 20  # seconds between the server's start and the first due reminder
# A browser's public key and auth secret (the web-push crate's documentation example).
P256DH = "BLMbF9ffKBiWQLCKvTHb6LO8Nb6dcUh6TItC455vu2kElga6PQvUmaFyCdykxY2nOSSL3yKgfbmFLRTUaGv4yV8"
AUTH = "xS03Fi5ErfTNH_l9WHE9Ig"

lock = threading.Lock()
webhook_delays, push_arrivals = [], []


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        now = time.time()
        with lock:
            if self.path.startswith("/h/"):
                due = int(json.loads(body)["text"].split()[-1])
                webhook_delays.append(now - due)
            else:
                push_arrivals.append(now)
        self.send_response(201)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def serve():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def start(data, extra=()):
    server = subprocess.Popen(
        [os.path.join(ROOT, "target/release/ksuite"), "serve", "--listen", "127.0.0.1:0", "--smtp-listen",
         "127.0.0.1:0", "--imap-listen", "127.0.0.1:0", "--imaps-listen", "127.0.0.1:0", "--submission-listen", "127.0.0.1:0", "--submissions-listen", "127.0.0.1:0", "--data-dir", data, "--static-dir", os.path.join(data, "none"), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={**os.environ, "RUST_LOG": "warn"})
    for _ in range(200):
        if re.search(r"running at", server.stdout.readline()):
            return server
    raise SystemExit("server did not start")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


subprocess.run(["cargo", "build", "-q", "--release", "-p", "ksuite-server"], cwd=ROOT, check=True)
work = tempfile.mkdtemp()
data = os.path.join(work, "data")
first = start(data)  # creates the schema
first.send_signal(signal.SIGTERM)
first.wait()

hook_base, push_base = serve(), serve()
db = sqlite3.connect(os.path.join(data, "ksuite.db"))
now = int(time.time())
t_first = now + 3600  # placeholder, fixed below once seeding is done
seed_start = time.time()
db.execute("BEGIN")
for u in range(1, USERS + 1):
    db.execute("INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES (?, ?, ?, 'x', ?)",
               (u, f"u{u}@bench.test", f"User {u}", now))
    db.execute("INSERT INTO mail_addresses (id, address, created_at) VALUES (?, ?, ?)", (u, f"u{u}@localhost", now))
    db.execute("INSERT INTO mail_address_users (address_id, user_id, permission) VALUES (?, ?, 'manage')", (u, u))
    db.execute("INSERT INTO calendars (id, owner_id, name, color, is_default, created_at, dav_name) "
               "VALUES (?, ?, 'Calendar', '#2454d6', TRUE, ?, ?)", (u, u, now, str(u)))
    if u % 2:
        db.execute("INSERT INTO webhooks (id, user_id, name, url, template, format, created_at) "
                   "VALUES (?, ?, 'chat', ?, '%subject%', 'slack', ?)", (u, u, f"{hook_base}/h/{u}", now))
    else:
        db.execute("INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, device_name, created_at) "
                   "VALUES (?, ?, ?, ?, 'bench', ?)", (u, f"{push_base}/p/{u}", P256DH, AUTH, now))
db.execute("COMMIT")
# Due times start LEAD seconds after the server will be up (seeding takes a while).
seed_events_at = time.time()
t_first = int(seed_events_at) + 60 + LEAD
db.execute("BEGIN")
for j in range(EVENTS):
    u = j % USERS + 1
    due = t_first + j // RATE
    begin = due + 600
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(begin))
    end = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(begin + 1800))
    if u % 2:
        alarm = f"BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT10M\r\nDESCRIPTION:r\r\nX-KSUITE-CHANNEL:webhook\r\nX-KSUITE-WEBHOOK:{u}\r\nEND:VALARM\r\n"
    else:
        alarm = "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT10M\r\nDESCRIPTION:r\r\nEND:VALARM\r\n"
    uid = f"bench-{j}"
    ics = (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:{stamp}\r\n"
           f"DTSTART:{stamp}\r\nDTEND:{end}\r\nSUMMARY:due {due}\r\n{alarm}END:VEVENT\r\nEND:VCALENDAR\r\n")
    cur = db.execute("INSERT INTO events (calendar_id, uid, href, component, ics, etag, start_utc, end_utc, recurring, "
                     "last_modified, modseq) VALUES (?, ?, ?, 'VEVENT', ?, ?, ?, ?, FALSE, ?, 1)",
                     (u, uid, uid + ".ics", ics, f'"{j}"', begin, begin + 1800, now))
    db.execute("INSERT INTO reminder_schedule (event_id, next_due, checked_through) VALUES (?, ?, ?)",
               (cur.lastrowid, due, now))
db.execute("COMMIT")
db.close()
print(f"seeded {USERS} users and {EVENTS} events in {time.time() - seed_start:.1f} s")
wait = t_first - LEAD - time.time()
if wait < 0:
    raise SystemExit("seeding took too long for the chosen lead; rerun")
time.sleep(wait)
server = start(data, ["--allow-private-targets"])
print(f"server up {t_first - time.time():.1f} s before the first due reminder")
last_due = t_first + (EVENTS - 1) // RATE
deadline = last_due + 120
while time.time() < deadline:
    with lock:
        done = len(webhook_delays) + len(push_arrivals)
    if done >= EVENTS:
        break
    time.sleep(0.5)
with open(f"/proc/{server.pid}/stat") as f:
    fields = f.read().rsplit(")", 1)[1].split()
server_cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
server.send_signal(signal.SIGTERM)
server.wait()

db = sqlite3.connect(os.path.join(data, "ksuite.db"))
states = dict(db.execute("SELECT state, COUNT(*) FROM reminder_deliveries GROUP BY state").fetchall())
push_delays = [r[0] for r in db.execute(
    "SELECT sent_at - due_at FROM reminder_deliveries WHERE channel = 'notification' AND state = 'sent'")]
arrivals = sorted([t_first + d for d in webhook_delays] + push_arrivals)
span = (arrivals[-1] - arrivals[0]) if len(arrivals) > 1 else float("nan")
print(f"RESULT delivered {len(webhook_delays)} webhooks + {len(push_arrivals)} pushes of {EVENTS}; states {states}")
print(f"RESULT rate {len(arrivals) / span:.0f} reminders/s over {span:.1f} s (offered {RATE}/s)")
print(f"RESULT CPU: server {server_cpu:.1f} s, this script's receivers {time.process_time():.1f} s")
if webhook_delays:
    print(f"RESULT webhook delay from due time: p50 {statistics.median(webhook_delays) * 1000:.0f} ms, "
          f"p99 {pct(webhook_delays, 0.99) * 1000:.0f} ms, max {max(webhook_delays) * 1000:.0f} ms")
if push_delays:
    print(f"RESULT push delay (whole seconds, from the database): p50 {statistics.median(push_delays)} s, "
          f"p99 {pct(push_delays, 0.99)} s, max {max(push_delays)} s")
