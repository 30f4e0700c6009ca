"""Inbound delivery rate with the checks on and off: delivers N messages (default 2,000)
over SMTP (4 connections) to a release ksuite with a fresh database, three times:
without checks; with SPF/DKIM/DMARC checks against a local DNS server (dnsmasq, with
SPF and DMARC records for the sending domain, so every check does real lookups); and
with those plus rspamd scoring (with its Redis). Prints messages per second for each.

Usage: python3 bench/delivery.py [messages]
Needs dnsmasq, rspamd and redis-server (scripts/setup.sh --test installs them).
"""

import os
import re
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
CONNS = 4


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, what, tries=240):
    for _ in range(tries):
        if check():
            return
        time.sleep(0.25)
    raise SystemExit(f"{what} did not start")


def pong(url):
    try:
        with urllib.request.urlopen(url + "/ping", timeout=1) as r:
            return r.read().strip() == b"pong"
    except OSError:
        return False


work = tempfile.mkdtemp()
procs = []


def spawn(args, **kw):
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    procs.append(p)
    return p


def start_dns():
    port = free_port()
    spawn(["dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", "--bind-interfaces",
           "--listen-address=127.0.0.1", "--pid-file=", f"--port={port}", "--local=/#/",
           f"--user={os.environ.get('USER') or 'root'}",
           "--txt-record=example.org,v=spf1 ip4:127.0.0.1 -all",
           "--txt-record=_dmarc.example.org,v=DMARC1; p=quarantine"])
    time.sleep(0.5)
    return f"127.0.0.1:{port}"


def start_rspamd(dns):
    root = os.path.join(work, "rspamd")
    for sub in ("db", "run", "log", "local.d"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    normal, controller, redis = free_port(), free_port(), free_port()
    spawn(["redis-server", "--bind", "127.0.0.1", "--port", str(redis), "--save", "",
           "--appendonly", "no", "--dir", os.path.join(root, "db")])
    with open(os.path.join(root, "rspamd.conf"), "w") as f:
        f.write(f""".include "$CONFDIR/common.conf"
options {{ pidfile = "$RUNDIR/rspamd.pid"; .include "$CONFDIR/options.inc"
  dns {{ nameserver = ["{dns}"]; timeout = 1s; retransmits = 1; }} }}
logging {{ type = "file"; filename = "$LOGDIR/rspamd.log"; level = "error"; }}
worker "normal" {{ bind_socket = "127.0.0.1:{normal}"; .include "$CONFDIR/worker-normal.inc" count = 2; }}
worker "controller" {{ bind_socket = "127.0.0.1:{controller}"; .include "$CONFDIR/worker-controller.inc" count = 1; }}
""")
    with open(os.path.join(root, "local.d", "redis.conf"), "w") as f:
        f.write(f'servers = "127.0.0.1:{redis}";\n')
    with open(os.path.join(root, "local.d", "greylist.conf"), "w") as f:
        f.write("enabled = false;\n")
    user = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
    group = subprocess.run(["id", "-gn"], capture_output=True, text=True).stdout.strip()
    spawn(["rspamd", "-f", "-i", "-u", user, "-g", group, "-c", os.path.join(root, "rspamd.conf"),
           "--var=CONFDIR=/etc/rspamd", f"--var=LOCAL_CONFDIR={root}", f"--var=DBDIR={root}/db",
           f"--var=RUNDIR={root}/run", f"--var=LOGDIR={root}/log"])
    url = f"http://127.0.0.1:{normal}"
    wait_for(lambda: pong(url), "rspamd")
    return url


def run(label, extra):
    data = tempfile.mkdtemp(dir=work)
    server = subprocess.Popen(
        [os.path.join(ROOT, "target/release/ksuite"), "serve", "--listen", "127.0.0.1:0",
         "--smtp-listen", "127.0.0.1:0", "--imap-listen", "127.0.0.1:0", "--imaps-listen",
         "127.0.0.1:0", "--submission-listen", "127.0.0.1:0", "--submissions-listen",
         "127.0.0.1:0", "--mail-domain", "bench.test", "--data-dir", data,
         "--static-dir", os.path.join(work, "none"), *extra],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "RUST_LOG": "warn"})
    try:
        m = None
        for _ in range(50):
            m = re.search(r"running at (http://[^/\s]+).*SMTP on ([^,\s]+)", server.stdout.readline())
            if m:
                break
        base, smtp = m.group(1), m.group(2)
        threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
        req = urllib.request.Request(base + "/api/auth/signup", method="POST",
                                     data=b'{"email":"bench@example.com","display_name":"Bench",'
                                          b'"password":"correct horse battery staple"}',
                                     headers={"content-type": "application/json"})
        urllib.request.urlopen(req).read()
        host, port = smtp.rsplit(":", 1)
        rcpt = "bench@bench.test"

        def deliver(start, count):
            with smtplib.SMTP(host, int(port), timeout=60) as s:
                for i in range(start, start + count):
                    body = (f"From: Sender <sender@example.org>\r\nTo: {rcpt}\r\n"
                            f"Subject: Message {i}\r\nMessage-ID: <d{i}@example.org>\r\n"
                            f"Date: Sun, 6 Dec 2026 10:00:00 +0000\r\n\r\n"
                            f"Hello, this is message number {i}, about the quarterly figures.\r\n")
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
        print(f"RESULT {label}: {N:,} messages in {took:.1f} s ({N / took:,.0f} messages/s)")
    finally:
        server.terminate()
        server.wait()


try:
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "ksuite-server"], cwd=ROOT, check=True)
    dns = start_dns()
    run("no checks", ["--sender-auth-dns", "off"])
    run("SPF/DKIM/DMARC checks", ["--sender-auth-dns", dns])
    rspamd = start_rspamd(dns)
    run("checks + rspamd", ["--sender-auth-dns", dns, "--rspamd-url", rspamd])
finally:
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait()
    shutil.rmtree(work, ignore_errors=True)
