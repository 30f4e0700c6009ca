"""IMAP benchmark: ksuite against Dovecot on the same messages and machine.

Fills an INBOX with N generated messages (default 10,000) by APPEND, then times:
SELECT; UID FETCH 1:* (FLAGS); FETCH 1:* (ENVELOPE BODYSTRUCTURE); UID SEARCH TEXT word;
a QRESYNC resync (SELECT … (QRESYNC …)) after 100 flag changes and 20 moves; and 50
IDLE sessions woken by one delivery (time until the last one hears EXISTS). Each timing
is the median of several runs. Dovecot (Debian's dovecot-imapd) is started with its own
configuration in a temporary directory when installed; both are reached without TLS
(ksuite with --allow-plaintext-auth) so the numbers compare the servers, not the ciphers.

Usage: python3 bench/imap_bench.py [messages]
"""

import os
import pwd
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import json
import urllib.request
from http.cookiejar import CookieJar

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
WORDS = ("invoice meeting project budget holiday report garden concert travel weather "
         "football recipe library museum harbour mountain bicycle festival").split()
random.seed(7)


def message(i):
    words = " ".join(random.choice(WORDS) for _ in range(3))
    body = " ".join(random.choice(WORDS) for _ in range(60))
    extra = " pineapple" if i % 97 == 0 else ""
    return (f"From: Sender {i % 500} <sender{i % 500}@example.org>\r\nTo: bench@bench.test\r\n"
            f"Subject: Message {i} about {words}\r\nMessage-ID: <m{i}@example.org>\r\n"
            f"Date: Mon, 7 Dec 2026 10:{i % 60:02d}:00 +0000\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: multipart/alternative; boundary=b{i}\r\n\r\n"
            f"--b{i}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}{extra}\r\n"
            f"--b{i}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>{body}{extra}</p>\r\n--b{i}--\r\n").encode()


class Imap:
    """A minimal pipelining IMAP client (imaplib is too slow to measure a server)."""

    def __init__(self, port, user, password):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.buf = b""
        self.n = 0
        self.line()
        self.cmd(f'LOGIN "{user}" "{password}"')

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(1 << 20)
            if not chunk:
                raise EOFError("closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        m = re.search(rb"\{(\d+)\}$", line)
        if m:
            n = int(m.group(1))
            while len(self.buf) < n:
                self.buf += self.s.recv(1 << 20)
            line += b"\r\n" + self.buf[:n]
            self.buf = self.buf[n:]
            line += self.line()
        return line

    def send(self, data):
        self.s.sendall(data)

    def cmd(self, text):
        self.n += 1
        tag = f"t{self.n}".encode()
        self.send(tag + b" " + text.encode() + b"\r\n")
        return self.until(tag)

    def until(self, tag):
        out = []
        while True:
            line = self.line()
            out.append(line)
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    raise RuntimeError(line)
                return out


def fill(port, user, password):
    c = Imap(port, user, password)
    batch = 200
    for start in range(0, N, batch):
        tags = []
        for i in range(start, min(N, start + batch)):
            data = message(i)
            c.n += 1
            tag = f"t{c.n}".encode()
            c.send(tag + b" APPEND INBOX {" + str(len(data)).encode() + b"+}\r\n" + data + b"\r\n")
            tags.append(tag)
        for tag in tags:
            c.until(tag)
    return c


def timed(label, fn, runs=5):
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return label, statistics.median(samples)


def measure(name, port, user, password, deliver):
    print(f"{name}: filling INBOX with {N:,} messages …", flush=True)
    t = time.time()
    c = fill(port, user, password)
    fill_s = time.time() - t
    results = [("APPEND {:,} messages (pipelined)".format(N), fill_s * 1000)]
    c.cmd("ENABLE QRESYNC")
    results.append(timed("SELECT INBOX", lambda: c.cmd("SELECT INBOX")))
    results.append(timed("UID FETCH 1:* (FLAGS)", lambda: c.cmd("UID FETCH 1:* (FLAGS)")))
    results.append(timed("FETCH 1:* (ENVELOPE BODYSTRUCTURE)", lambda: c.cmd("FETCH 1:* (ENVELOPE BODYSTRUCTURE)"), runs=3))
    hits = [len(c.cmd("UID SEARCH TEXT pineapple")[0].split()) - 2]
    results.append(timed("UID SEARCH TEXT pineapple", lambda: c.cmd("UID SEARCH TEXT pineapple")))
    sel = b"".join(c.cmd("SELECT INBOX"))
    validity = int(re.search(rb"UIDVALIDITY (\d+)", sel).group(1))
    modseq = int(re.search(rb"HIGHESTMODSEQ (\d+)", sel).group(1))
    # 100 flag changes and 20 moves made by another session, then a resync.
    other = Imap(port, user, password)
    other.cmd("SELECT INBOX")
    for k in range(100):
        other.cmd(f"UID STORE {k * 37 % N + 1} +FLAGS (\\Flagged)")
    for k in range(20):
        other.cmd(f"UID MOVE {k * 101 % N + 500} Archive" if name == "ksuite" else f"UID MOVE {k * 101 % N + 500} Trash")
    def resync():
        r = Imap(port, user, password)
        r.cmd("ENABLE QRESYNC")
        r.cmd(f"SELECT INBOX (QRESYNC ({validity} {modseq}))")
        r.s.close()
    results.append(timed("QRESYNC resync after 100 changes + 20 moves", resync))
    # 50 sessions idling, one delivery.
    idlers = []
    for _ in range(50):
        s = Imap(port, user, password)
        s.cmd("SELECT INBOX")
        s.send(b"i IDLE\r\n")
        assert s.line().startswith(b"+")
        idlers.append(s)
    woke = []
    def wait(s):
        while True:
            if b"EXISTS" in s.line():
                woke.append(time.perf_counter())
                return
    threads = [threading.Thread(target=wait, args=(s,)) for s in idlers]
    for th in threads:
        th.start()
    t = time.perf_counter()
    deliver()
    for th in threads:
        th.join(timeout=30)
    results.append(("50 IDLE sessions woken by one delivery (last one)", (max(woke) - t) * 1000 if len(woke) == 50 else float("nan")))
    for s in idlers:
        s.s.close()
    return results, hits[0]


def run_ksuite():
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "ksuite-server"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp()
    server = subprocess.Popen(
        [os.path.join(ROOT, "target/release/ksuite"), "serve", "--listen", "127.0.0.1:0",
         "--smtp-listen", "127.0.0.1:0", "--imap-listen", "127.0.0.1:0", "--imaps-listen", "127.0.0.1:0",
         "--submission-listen", "127.0.0.1:0", "--submissions-listen", "127.0.0.1:0",
         "--mail-domain", "bench.test", "--allow-plaintext-auth", "--imap-max-connections-per-ip", "200",
         "--imap-max-connections-per-user", "200", "--max-message-size", "1000000",
         "--sender-auth-dns", "off", "--data-dir", os.path.join(work, "data"), "--static-dir", os.path.join(work, "none")],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "RUST_LOG": "warn"},
    )
    try:
        line = ""
        for _ in range(50):
            line = server.stdout.readline()
            if "running at" in line:
                break
        threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
        base = re.search(r"running at (http://[^/\s]+)", line).group(1)
        imap_port = int(re.search(r"IMAP on [^:]+:(\d+)", line).group(1))
        jar = CookieJar()
        http = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        req = urllib.request.Request(base + "/api/auth/signup", method="POST", headers={"content-type": "application/json"},
                                     data=json.dumps({"email": "bench@example.org", "display_name": "Bench",
                                                      "password": "correct horse battery staple"}).encode())
        http.open(req).read()
        def deliver():
            d = Imap(imap_port, "bench@example.org", "correct horse battery staple")
            data = message(N + 1)
            d.send(b"d1 APPEND INBOX {" + str(len(data)).encode() + b"+}\r\n" + data + b"\r\n")
            d.until(b"d1")
        return measure("ksuite", imap_port, "bench@example.org", "correct horse battery staple", deliver)
    finally:
        server.terminate()
        server.wait()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_dovecot():
    if not os.path.exists("/usr/sbin/dovecot"):
        print("Dovecot not installed (apt install dovecot-imapd): skipping the comparison")
        return None
    work = tempfile.mkdtemp()
    os.chmod(work, 0o755)
    port = free_port()
    nobody = pwd.getpwnam("nobody")
    home = os.path.join(work, "home")
    os.makedirs(home)
    os.chown(home, nobody.pw_uid, nobody.pw_gid)
    conf = os.path.join(work, "dovecot.conf")
    with open(conf, "w") as f:
        f.write(f"""base_dir = {work}/run
log_path = {work}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:{home}/%u/Maildir
mail_plugins = $mail_plugins
passdb {{
  driver = static
  args = password=bench
}}
userdb {{
  driver = static
  args = uid={nobody.pw_uid} gid={nobody.pw_gid} home={home}/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
protocol imap {{
  mail_max_userip_connections = 200
}}
namespace inbox {{
  inbox = yes
  mailbox Trash {{
    auto = create
    special_use = \\Trash
  }}
}}
""")
    subprocess.run(["/usr/sbin/dovecot", "-c", conf], check=True)
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.1)
        def deliver():
            d = Imap(port, "bench", "bench")
            data = message(N + 1)
            d.send(b"d1 APPEND INBOX {" + str(len(data)).encode() + b"+}\r\n" + data + b"\r\n")
            d.until(b"d1")
        return measure("Dovecot", port, "bench", "bench", deliver)
    finally:
        subprocess.run(["/usr/sbin/dovecot", "-c", conf, "stop"])


ours, our_hits = run_ksuite()
theirs = run_dovecot()
print()
print(f"| operation ({N:,} messages) | ksuite | Dovecot |")
print("|---|---:|---:|")
for k, (label, ms) in enumerate(ours):
    other = f"{theirs[0][k][1]:,.1f} ms" if theirs else "—"
    print(f"| {label} | {ms:,.1f} ms | {other} |")
print(f"(TEXT search hits: ksuite {our_hits}{', Dovecot ' + str(theirs[1]) if theirs else ''})")
