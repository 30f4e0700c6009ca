"""Seeds a ksuite account for bench/dav.sh over DAV itself: 1,000 events (half of them
weekly series) and 1,000 contacts, then writes the request bodies the benchmark replays.

Usage: dav_seed.py BASE_URL EMAIL APP_PASSWORD OUT_DIR
"""

import base64
import http.client
import os
import re
import sys
import time
from urllib.parse import urlparse

base, email, password, out = sys.argv[1:5]
url = urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port)
auth = "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()
# Other servers (bench/radicale_compare.sh) put the collections elsewhere.
CAL = os.environ.get("BENCH_CAL_PATH", f"/dav/calendars/{email}/1/")
BOOK = os.environ.get("BENCH_BOOK_PATH", f"/dav/addressbooks/{email}/1/")


def send(method, path, body="", headers=None):
    h = {"Authorization": auth, "Content-Type": "text/plain; charset=utf-8"}
    h.update(headers or {})
    conn.request(method, path, body=body.encode(), headers=h)
    r = conn.getresponse()
    data = r.read().decode()
    if r.status >= 300:
        sys.exit(f"{method} {path}: {r.status} {data[:300]}")
    return data


def event(i):
    day = 1 + (i * 7) % 360
    start = time.strftime("%Y%m%dT%H%M%S", time.gmtime(time.mktime((2026, 1, 1, 8 + i % 9, 0, 0, 0, 0, 0)) + day * 86400))
    rule = "RRULE:FREQ=WEEKLY;COUNT=30\r\n" if i % 2 else ""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:bench-event-{i}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Zurich:{start}\r\n"
        f"DURATION:PT1H\r\n{rule}SUMMARY:Bench event {i}\r\nLOCATION:Room {i % 20}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def card(i):
    return (
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:bench-card-{i}\r\nFN:Person {i}\r\nN:{i};Person;;;\r\n"
        f"EMAIL;TYPE=work:person{i}@example.org\r\nTEL;TYPE=cell:+41 79 {i:07d}\r\nEND:VCARD\r\n"
    )


t = time.time()
for i in range(1000):
    send("PUT", f"{CAL}event-{i}.ics", event(i), {"Content-Type": "text/calendar", "If-None-Match": "*"})
t_events = time.time() - t
if os.environ.get("BENCH_EVENTS_ONLY"):
    # Another server to compare a GET on (bench/dav_compare.sh): the events are enough.
    print(f"seeded over DAV: 1,000 PUT events in {t_events:.1f} s")
    sys.exit(0)
t = time.time()
for i in range(1000):
    send("PUT", f"{BOOK}card-{i}.vcf", card(i), {"Content-Type": "text/vcard", "If-None-Match": "*"})
t_cards = time.time() - t
print(f"seeded over DAV: 1,000 PUT events in {t_events:.1f} s, 1,000 PUT contacts in {t_cards:.1f} s")

sync = (
    '<d:sync-collection xmlns:d="DAV:"><d:sync-token>{}</d:sync-token><d:sync-level>1</d:sync-level>'
    "<d:prop><d:getetag/></d:prop></d:sync-collection>"
)
initial = send("REPORT", CAL, sync.format(""), {"Depth": "1"})
# Any namespace prefix: other servers write their own.
token = re.search(r"<(?:\w+:)?sync-token>([^<]+)</(?:\w+:)?sync-token>", initial).group(1)
# Ten changes after the token: what an incremental sync reports.
for i in range(10):
    send("PUT", f"{CAL}event-{i}.ics", event(i).replace("Bench event", "Changed event"), {"Content-Type": "text/calendar"})

bodies = {
    "propfind": '<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><d:getetag/><d:getcontenttype/><d:resourcetype/></d:prop></d:propfind>',
    "query": '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>'
    '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20260601T000000Z" end="20260701T000000Z"/>'
    "</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>",
    "sync-initial": sync.format(""),
    "sync-incremental": sync.format(token),
    "multiget": '<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><card:address-data/></d:prop>'
    + "".join(f"<d:href>{BOOK}card-{i}.vcf</d:href>" for i in range(0, 1000, 20))
    + "</card:addressbook-multiget>",
}
for name, body in bodies.items():
    with open(os.path.join(out, name + ".xml"), "w") as f:
        f.write(body)
with open(os.path.join(out, "auth"), "w") as f:
    f.write(auth)
# Sanity: what each replayed request answers.
q = send("REPORT", CAL, bodies["query"], {"Depth": "1"})
inc = send("REPORT", CAL, bodies["sync-incremental"], {"Depth": "1"})
mg = send("REPORT", BOOK, bodies["multiget"], {"Depth": "1"})
def responses(body):
    return len(re.findall(r"<(?:\w+:)?response>", body))


print(
    f"one-month query: {responses(q)} events; incremental sync: {responses(inc)} changes; "
    f"multiget: {responses(mg)} cards"
)
