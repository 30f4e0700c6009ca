"""Drives ksuite with the python `caldav` library, as a real CalDAV client would.

Usage: caldav_client.py BASE_URL USERNAME PASSWORD
Exits non-zero with a message on the first thing that does not behave.
"""

import sys
from datetime import datetime, timezone

import caldav

base, username, password = sys.argv[1:4]


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}", file=sys.stderr)
        sys.exit(1)


EVENT = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//ksuite tests//caldav//EN
BEGIN:VEVENT
UID:py-weekly@example.com
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Zurich:20260105T090000
DTEND;TZID=Europe/Zurich:20260105T100000
RRULE:FREQ=WEEKLY;COUNT=10
SUMMARY:Weekly sync
X-PY-CUSTOM:survives
END:VEVENT
END:VCALENDAR
"""

TODO = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//ksuite tests//caldav//EN
BEGIN:VTODO
UID:py-todo@example.com
DTSTAMP:20260101T000000Z
DUE:20260120T170000Z
SUMMARY:Write report
STATUS:NEEDS-ACTION
END:VTODO
END:VCALENDAR
"""

# Discovery from the bare server URL (/.well-known/caldav, current-user-principal, home set).
with caldav.DAVClient(url=base, username=username, password=password) as client:
    principal = client.principal()
    calendars = principal.calendars()
    check(len(calendars) >= 1, f"the default calendar is listed, got {calendars}")

    cal = principal.make_calendar(name="Python calendar")
    check(
        any(c.get_display_name() == "Python calendar" for c in principal.calendars()),
        "a calendar made with MKCALENDAR is listed",
    )

    # Events: save, find by UID, search a range with server-side expansion.
    cal.save_event(EVENT)
    event = cal.event_by_uid("py-weekly@example.com")
    check("X-PY-CUSTOM:survives" in event.data, "unknown properties come back")

    found = cal.search(
        start=datetime(2026, 2, 1, tzinfo=timezone.utc),
        end=datetime(2026, 3, 1, tzinfo=timezone.utc),
        event=True,
        expand=True,
        server_expand=True,
    )
    # Mondays in February 2026: 2, 9, 16, 23.
    check(len(found) == 4, f"four expanded occurrences in February, got {len(found)}")
    check(
        all("RECURRENCE-ID" in o.data for o in found),
        "expanded occurrences carry RECURRENCE-ID",
    )
    outside = cal.search(
        start=datetime(2027, 1, 1, tzinfo=timezone.utc),
        end=datetime(2027, 2, 1, tzinfo=timezone.utc),
        event=True,
    )
    check(len(outside) == 0, f"nothing in January 2027, got {len(outside)}")

    # Sync tokens: a real token from the server, then only what changed.
    synced = cal.objects_by_sync_token(load_objects=True)
    token = synced.sync_token
    check(
        isinstance(token, str) and not token.startswith("fake-") and "/dav/sync/" in token,
        f"the server hands out real sync tokens, got {token!r}",
    )
    check(len(list(synced)) == 1, "one object before the changes")

    # Modify the event.
    event.icalendar_component["SUMMARY"] = "Weekly sync (moved)"
    event.save()
    again = cal.event_by_uid("py-weekly@example.com")
    check("moved" in again.data, "the modification is stored")
    check("X-PY-CUSTOM:survives" in again.data, "unknown properties survive a modification")

    # To-dos.
    cal.save_todo(TODO)
    todos = cal.todos()
    check(
        [t.icalendar_component["SUMMARY"] for t in todos] == ["Write report"],
        f"the to-do is listed, got {todos}",
    )

    changes = cal.objects_by_sync_token(sync_token=token, load_objects=True)
    urls = sorted(str(o.url).rsplit("/", 1)[-1] for o in changes)
    check(len(urls) == 2, f"the modified event and the new to-do are reported, got {urls}")
    token2 = changes.sync_token
    check(token2 != token, "the token moved")

    # Delete both; the next sync reports the deletions.
    again.delete()
    todos[0].delete()
    check(len(cal.events()) == 0, "no events left")
    gone = cal.objects_by_sync_token(sync_token=token2, load_objects=False)
    deleted = getattr(gone, "deleted_urls", None) or set()
    check(len(deleted) == 2 or len(list(gone)) == 2, f"two deletions reported, got {gone!r}")

    cal.delete()
    check(
        not any(c.get_display_name() == "Python calendar" for c in principal.calendars()),
        "the deleted calendar is gone",
    )

print("caldav client: all checks passed")
