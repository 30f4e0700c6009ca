"""Two-way sync of a calendar and an address book between ksuite and a local
filesystem store with the real `vdirsyncer`, changing both sides in between.

Usage: vdirsyncer_sync.py BASE_URL USERNAME PASSWORD WORK_DIR
The server must hold one event (UID server-event) and one contact (UID server-card).
Exits non-zero with a message on the first thing that does not behave.
"""

import base64
import glob
import os
import subprocess
import sys
import urllib.request

base, username, password, work = sys.argv[1:5]
VDIRSYNCER = os.path.join(os.path.dirname(sys.executable), "vdirsyncer")


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}", file=sys.stderr)
        sys.exit(1)


config = os.path.join(work, "config")
with open(config, "w") as f:
    f.write(f"""
[general]
status_path = "{work}/status/"

[pair calendars]
a = "cal_local"
b = "cal_remote"
collections = ["from b"]
conflict_resolution = "b wins"

[storage cal_local]
type = "filesystem"
path = "{work}/calendars/"
fileext = ".ics"

[storage cal_remote]
type = "caldav"
url = "{base}/"
username = "{username}"
password = "{password}"

[pair contacts]
a = "card_local"
b = "card_remote"
collections = ["from b"]
conflict_resolution = "b wins"

[storage card_local]
type = "filesystem"
path = "{work}/contacts/"
fileext = ".vcf"

[storage card_remote]
type = "carddav"
url = "{base}/"
username = "{username}"
password = "{password}"
""")


def vdirsyncer(*args):
    run = subprocess.run(
        [VDIRSYNCER, "-c", config, *args],
        input="y\n" * 20,
        capture_output=True,
        text=True,
        timeout=120,
    )
    check(run.returncode == 0, f"vdirsyncer {' '.join(args)} failed:\n{run.stdout}\n{run.stderr}")
    return run.stdout + run.stderr


def files(kind, ext):
    return sorted(glob.glob(f"{work}/{kind}/*/*{ext}"))


def read_all(kind, ext):
    out = {}
    for p in files(kind, ext):
        with open(p) as f:
            out[p] = f.read()
    return out


def dav(method, path, body=None, headers=None):
    req = urllib.request.Request(f"{base}{path}", data=body.encode() if body else None, method=method)
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    req.add_header("Authorization", f"Basic {token}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


vdirsyncer("discover")
vdirsyncer("sync")

cals = read_all("calendars", ".ics")
check(any("UID:server-event" in t for t in cals.values()), f"the server's event arrived locally: {list(cals)}")
cards = read_all("contacts", ".vcf")
check(any("UID:server-card" in t for t in cards.values()), f"the server's contact arrived locally: {list(cards)}")

# Local changes: a new event and a new contact, and an edit of the server's event.
cal_dir = os.path.dirname(next(iter(cals)))
card_dir = os.path.dirname(next(iter(cards)))
with open(os.path.join(cal_dir, "local-event.ics"), "w") as f:
    f.write(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//local//EN\r\nBEGIN:VEVENT\r\nUID:local-event\r\n"
        "DTSTAMP:20260101T000000Z\r\nDTSTART:20260610T090000Z\r\nDTEND:20260610T100000Z\r\n"
        "SUMMARY:Made on the laptop\r\nX-LOCAL:yes\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
with open(os.path.join(card_dir, "local-card.vcf"), "w") as f:
    f.write(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:local-card\r\nFN:Laptop Person\r\nN:Person;Laptop;;;\r\n"
        "EMAIL:laptop@example.org\r\nEND:VCARD\r\n"
    )
server_event_path = next(p for p, t in cals.items() if "UID:server-event" in t)
with open(server_event_path, "w") as f:
    f.write(cals[server_event_path].replace("SUMMARY:From the server", "SUMMARY:Edited locally"))

vdirsyncer("sync")

# The server has the local changes, source kept.
status, _, listing = dav("PROPFIND", "/dav/calendars/" + username + "/", headers={"Depth": "1"})
check(status == 207, f"PROPFIND home: {status}")
cal_href = next(
    h for h in (s.split("</d:href>")[0] for s in listing.split("<d:href>")[1:])
    if h.count("/") == 5 and "shared-" not in h
)
status, _, report = dav(
    "REPORT",
    cal_href,
    '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-data/></d:prop>'
    '<c:filter><c:comp-filter name="VCALENDAR"/></c:filter></c:calendar-query>',
    {"Depth": "1"},
)
check(status == 207, f"calendar-query: {status} {report}")
check("SUMMARY:Made on the laptop" in report and "X-LOCAL:yes" in report, "the local event is on the server")
check("SUMMARY:Edited locally" in report, "the local edit is on the server")

# Server-side changes: delete the local event on the server, edit the contact.
event_href = next(
    s.split("</d:href>")[0] for s in report.split("<d:href>")[1:] if "local-event" in s.split("</d:response>")[0]
)
status, _, _ = dav("DELETE", event_href)
check(status == 204, f"delete on the server: {status}")

vdirsyncer("sync")
cals = read_all("calendars", ".ics")
check(not any("UID:local-event" in t for t in cals.values()), "the server-side deletion reached the laptop")
check(any("SUMMARY:Edited locally" in t for t in cals.values()), "the edited event is still there")

# Delete the server's contact locally; it goes from the server too.
cards = read_all("contacts", ".vcf")
os.remove(next(p for p, t in cards.items() if "UID:server-card" in t))
vdirsyncer("sync")
status, _, books = dav("PROPFIND", "/dav/addressbooks/" + username + "/", headers={"Depth": "1"})
book_href = next(
    h for h in (s.split("</d:href>")[0] for s in books.split("<d:href>")[1:]) if h.count("/") == 5
)
status, _, cards_report = dav(
    "REPORT",
    book_href,
    '<card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><card:address-data/></d:prop></card:addressbook-query>',
    {"Depth": "1"},
)
check("UID:local-card" in cards_report, "the laptop's contact is on the server")
check("UID:server-card" not in cards_report, "the contact deleted on the laptop is gone from the server")

# A last sync changes nothing.
out = vdirsyncer("sync")
check("Copying" not in out and "Deleting" not in out, f"nothing left to sync:\n{out}")
print("vdirsyncer: all checks passed")
