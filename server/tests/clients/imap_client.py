"""A real IMAP client (Python's imaplib) against ksuite: the protocol matrix.

Usage: imap_client.py HOST IMAP_PORT IMAPS_PORT CAFILE EMAIL PASSWORD SMTP_PORT ADDRESS

The server holds three messages in the user's INBOX (subjects "Alpha report",
"Beta notes", "Gamma plans"; "Beta notes" says "pineapple" in its body). Prints
"all checks passed" at the end; any failed check raises.
"""

import imaplib
import re
import smtplib
import socket
import ssl
import sys
import time
from email.message import EmailMessage

host, imap_port, imaps_port, cafile, email, password, smtp_port, address = sys.argv[1:9]
imap_port, imaps_port, smtp_port = int(imap_port), int(imaps_port), int(smtp_port)

tls = ssl.create_default_context(cafile=cafile)


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok:", what)


def ok(result, what):
    typ, data = result
    check(typ == "OK", f"{what} -> {typ} {data!r}")
    return data


def caps(m):
    return {c.decode() if isinstance(c, bytes) else c for c in m.capabilities}


def connect():
    m = imaplib.IMAP4("localhost", imap_port, timeout=30)
    m.starttls(ssl_context=tls)
    ok(m.login(email, password), "login after STARTTLS")
    return m


# --- Before TLS: no password may cross in clear -------------------------------------------
m = imaplib.IMAP4("localhost", imap_port, timeout=30)
check("STARTTLS" in caps(m), "STARTTLS offered")
check("LOGINDISABLED" in caps(m), "LOGINDISABLED before TLS")
try:
    m.login(email, password)
    check(False, "login in clear refused")
except imaplib.IMAP4.error as e:
    check("STARTTLS" in str(e) or "PRIVACYREQUIRED" in str(e), f"clear login refused with a reason: {e}")
m.starttls(ssl_context=tls)
check("AUTH=PLAIN" in caps(m) and "LOGINDISABLED" not in caps(m), "AUTH=PLAIN after STARTTLS")
try:
    m.login(email, "wrong password")
    check(False, "wrong password refused")
except imaplib.IMAP4.error as e:
    check("AUTHENTICATIONFAILED" in str(e), f"wrong password: {e}")
ok(m.login(email, password), "login")
typ, data = m.capability()
after = set(data[0].decode().split())
for c in ["IDLE", "UIDPLUS", "MOVE", "CONDSTORE", "QRESYNC", "SPECIAL-USE", "NAMESPACE", "ENABLE", "ID", "LITERAL+", "UNSELECT"]:
    check(c in after, f"capability {c}")

# --- Folders ---------------------------------------------------------------------------------
listing = ok(m.list('""', "*"), "LIST")
lines = [l.decode() for l in listing]
def attrs_of(name):
    for l in lines:
        if l.endswith(f'"{name}"') or l.endswith(f" {name}"):
            return l
    return None
check(attrs_of("INBOX") is not None, "INBOX listed")
for name, use in [("Sent", "\\Sent"), ("Drafts", "\\Drafts"), ("Trash", "\\Trash"), ("Spam", "\\Junk"), ("Archive", "\\Archive")]:
    l = attrs_of(name)
    check(l is not None and use in l, f"{name} is {use}: {l}")
typ, ns = m.namespace()
check(typ == "OK" and b'(("" "/"))' in ns[0], f"NAMESPACE: {ns!r}")
ok(m.create("Projects"), "CREATE Projects")
ok(m.create("Projects/2026"), "CREATE Projects/2026")
typ, _ = m.create("Projects")
check(typ == "NO", "CREATE of an existing folder refused")
ok(m.rename("Projects/2026", "Projects/Y2026"), "RENAME")
names = " ".join(l.decode() for l in ok(m.list('""', "Projects/%"), "LIST Projects/%"))
check("Projects/Y2026" in names and "Projects/2026\"" not in names, f"renamed: {names}")
utf7 = "Entw&APw-rfe"  # "Entwürfe" in modified UTF-7
ok(m.create(utf7), "CREATE non-ASCII folder")
check(any(utf7 in l.decode() for l in ok(m.list('""', "*"), "LIST")), "non-ASCII folder listed in modified UTF-7")
ok(m.delete(utf7), "DELETE")
typ, _ = m.delete("INBOX")
check(typ == "NO", "INBOX cannot be deleted")
typ, data = m.status("INBOX", "(MESSAGES UNSEEN UIDNEXT UIDVALIDITY HIGHESTMODSEQ)")
status = data[0].decode()
check("MESSAGES 3" in status and "UNSEEN 3" in status and "HIGHESTMODSEQ" in status, f"STATUS: {status}")

# --- Reading -------------------------------------------------------------------------------
typ, data = m.select("INBOX")
check(typ == "OK" and data[0] == b"3", f"SELECT INBOX: 3 messages ({data})")
check(m.untagged_responses.get("UIDVALIDITY") is not None, "UIDVALIDITY given")
typ, data = m.fetch("1:*", "(UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE)")
check(typ == "OK" and len([d for d in data if d]) == 3, f"FETCH 1:* -> {len(data)} answers")
text = b" ".join(d if isinstance(d, bytes) else d[0] for d in data if d).decode(errors="replace")
check("ENVELOPE" in text and "BODYSTRUCTURE" in text and "Alpha report" in text, "ENVELOPE and BODYSTRUCTURE")
uids = [int(x) for x in ok(m.uid("search", None, "ALL"), "UID SEARCH ALL")[0].split()]
check(len(uids) == 3, f"three UIDs: {uids}")
typ, data = m.uid("fetch", str(uids[1]), "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
check(b"Beta notes" in data[0][1], "BODY.PEEK[HEADER.FIELDS (SUBJECT)]")
typ, data = m.uid("fetch", str(uids[1]), "(FLAGS)")
check(b"\\Seen" not in data[0], "PEEK leaves the message unread")
typ, data = m.uid("fetch", str(uids[1]), "(BODY[TEXT])")
check(any(isinstance(d, tuple) and b"pineapple" in d[1] for d in data), "BODY[TEXT]")
typ, data = m.uid("fetch", str(uids[1]), "(FLAGS)")
check(b"\\Seen" in b" ".join(d if isinstance(d, bytes) else d[0] for d in data), "BODY[] marks it read")
typ, data = m.uid("fetch", str(uids[0]), "(BODY.PEEK[]<0.10>)")
check(data[0][0].endswith(b"{10}") and len(data[0][1]) == 10, f"partial fetch: {data[0][0]!r}")

# --- Searching -----------------------------------------------------------------------------
check(ok(m.search(None, "UNSEEN"), "SEARCH UNSEEN")[0].split() == [b"1", b"3"], "SEARCH UNSEEN")
check(ok(m.search(None, "SUBJECT", '"gamma"'), "SEARCH SUBJECT")[0] == b"3", "SEARCH SUBJECT (any case)")
check(ok(m.search(None, "BODY", "pineapple"), "SEARCH BODY")[0] == b"2", "SEARCH BODY uses the full text")
check(ok(m.search(None, "FROM", "sender@example.org"), "SEARCH FROM")[0].split() == [b"1", b"2", b"3"], "SEARCH FROM")
check(ok(m.search(None, "OR", "SUBJECT", "alpha", "SUBJECT", "beta"), "SEARCH OR")[0].split() == [b"1", b"2"], "SEARCH OR")
check(ok(m.search(None, "NOT", "SEEN", "LARGER", "10"), "SEARCH NOT")[0].split() == [b"1", b"3"], "SEARCH NOT/LARGER")
check(ok(m.uid("search", None, "UID", f"{uids[1]}:*"), "UID SEARCH UID")[0].split() == [str(u).encode() for u in uids[1:]], "UID SEARCH UID range")
check(ok(m.search(None, "HEADER", "Message-ID", "beta"), "SEARCH HEADER")[0] == b"2", "SEARCH HEADER")

# --- Flags, and another session sees them -------------------------------------------------
ok(m.store("1", "+FLAGS", "(\\Flagged $Forwarded)"), "STORE +FLAGS")
flags = ok(m.fetch("1", "(FLAGS)"), "FETCH FLAGS")[0]
check(b"\\Flagged" in flags and b"$Forwarded" in flags, f"flags kept: {flags!r}")
other = connect()
other.select("INBOX")
flags = ok(other.fetch("1", "(FLAGS)"), "other session FETCH")[0]
check(b"\\Flagged" in flags, "another session sees the flag")
ok(m.store("1", "-FLAGS", "(\\Flagged)"), "STORE -FLAGS")
ok(other.noop(), "NOOP")
flags = ok(other.fetch("1", "(FLAGS)"), "other session FETCH again")[0]
check(b"\\Flagged" not in flags, "the change reached the other session")

# --- APPEND stores exactly the bytes sent --------------------------------------------------
raw = b"From: me@example.org\r\nSubject: Draft with  odd   spacing\r\nX-Odd:  kept\t \r\n\r\nLine one\r\n\r\n.line with a dot\r\n"
typ, data = m.append("Drafts", "(\\Draft \\Seen)", None, raw)
check(typ == "OK" and b"APPENDUID" in data[0], f"APPEND -> {data!r}")
appended_uid = int(re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1))
m.select("Drafts")
typ, data = m.uid("fetch", str(appended_uid), "(FLAGS BODY.PEEK[])")
check(data[0][1] == raw, "APPEND stored the exact bytes")
check(b"\\Draft" in data[0][0] and b"\\Seen" in data[0][0], "APPEND flags")

# --- COPY, MOVE, EXPUNGE through the Trash ---------------------------------------------------
m.select("INBOX")
typ, data = m._simple_command("UID", "COPY", str(uids[2]), "Archive")
check(typ == "OK" and b"COPYUID" in data[0], f"COPY -> {data!r}")
typ, data = m.uid("move", str(uids[2]), "Archive")
check(typ == "OK", f"MOVE -> {typ}")
check(ok(m.uid("search", None, "ALL"), "after MOVE")[0].split() == [str(u).encode() for u in uids[:2]], "MOVE took it out")
typ, data = m.status("Archive", "(MESSAGES)")
check(b"MESSAGES 2" in data[0], f"Archive has the copy and the moved one: {data}")
ok(m.store("1", "+FLAGS", "(\\Deleted)"), "mark deleted")
typ, data = m.expunge()
check(typ == "OK" and data[-1] == b"1", f"EXPUNGE reports sequence 1 (after the MOVE's 3): {data}")
typ, data = m.status("Trash", "(MESSAGES)")
check(b"MESSAGES 1" in data[0], f"expunged message is in the Trash: {data}")
m.select("Trash")
ok(m.store("1", "+FLAGS", "(\\Deleted)"), "mark deleted in Trash")
ok(m.expunge(), "EXPUNGE in Trash")
typ, data = m.status("Trash", "(MESSAGES)")
check(b"MESSAGES 0" in data[0], "expunged from the Trash")

# --- IDLE wakes on SMTP delivery -------------------------------------------------------------
i = connect()
i.select("INBOX")
tag = i._new_tag()
i.send(tag + b" IDLE\r\n")
check(i.readline().startswith(b"+"), "IDLE accepted")
msg = EmailMessage()
msg["From"] = "sender@example.org"
msg["To"] = address
msg["Subject"] = "Delta arrives"
msg.set_content("new mail while idling")
with smtplib.SMTP(host, smtp_port, timeout=30) as s:
    s.send_message(msg)
i.sock.settimeout(20)
line = i.readline()
check(line.startswith(b"*") and b"EXISTS" in line, f"IDLE reports the delivery: {line!r}")
i.send(b"DONE\r\n")
while True:
    line = i.readline()
    if line.startswith(tag):
        check(b"OK" in line, "IDLE ends with OK")
        break
i.logout()

# --- CONDSTORE and QRESYNC resync ------------------------------------------------------------
q = connect()
typ, data = q._simple_command("ENABLE", "QRESYNC")
check(typ == "OK" and any(b"QRESYNC" in x for x in q.untagged_responses.get("ENABLED", [])), "ENABLE QRESYNC")
typ, data = q.select("INBOX")
uidvalidity = int(q.untagged_responses["UIDVALIDITY"][0])
modseq = int(re.search(rb"HIGHESTMODSEQ (\d+)", b" ".join(q.untagged_responses.get("OK", []))).group(1))
q.logout()
# Changes while it is away: one flag change, one message gone.
m.select("INBOX")
remaining = [int(x) for x in ok(m.uid("search", None, "ALL"), "UIDs")[0].split()]
ok(m.uid("store", str(remaining[0]), "+FLAGS", "(\\Answered)"), "flag while away")
ok(m.uid("move", str(remaining[-1]), "Archive"), "move while away")
q = connect()
q._simple_command("ENABLE", "QRESYNC")
tag = q._new_tag()
q.send(tag + f" SELECT INBOX (QRESYNC ({uidvalidity} {modseq}))\r\n".encode())
lines = []
while True:
    line = q.readline()
    lines.append(line)
    if line.startswith(tag):
        break
text = b"".join(lines)
check(f"VANISHED (EARLIER) {remaining[-1]}".encode() in text, f"VANISHED (EARLIER): {text!r}")
check(b"\\Answered" in text and b"MODSEQ" in text, "changed flags resent with MODSEQ")
q.logout()
typ, data = m.uid("fetch", "1:*", "(FLAGS) (CHANGEDSINCE %d)" % modseq)
check(typ == "OK" and b"MODSEQ" in data[0], f"FETCH CHANGEDSINCE: {data}")

# --- Implicit TLS port ---------------------------------------------------------------------
s = imaplib.IMAP4_SSL("localhost", imaps_port, ssl_context=tls, timeout=30)
ok(s.login(email, password), "IMAPS login")
typ, data = s.select("INBOX", readonly=True)
check(typ == "OK", "EXAMINE")
typ, data = s.store("1", "+FLAGS", "(\\Flagged)")
check(typ == "NO", "no changes through EXAMINE")
s.logout()
other.logout()
m.logout()
print("all checks passed")
