"""Delivers test messages to ksuite's SMTP listener with Python's smtplib.

Usage: smtp_deliver.py HOST PORT LOCAL_ADDRESS MAX_SIZE
Sends: a multipart message with an attachment, an ISO-8859-1 message, a malformed MIME
message, then checks that an unknown recipient gets 550 and an oversized message 552
(both when announced with SIZE and when only the data is too big), and finally sends
five numbered messages for pagination.
"""

import smtplib
import sys
from email.message import EmailMessage

host, port, rcpt, max_size = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
sender = "sender@example.org"

if sys.argv[5:] == ["html"]:
    # Only an HTML newsletter with hostile content and a tracking pixel.
    m = EmailMessage()
    m["From"] = "News <news@example.org>"
    m["To"] = rcpt
    m["Subject"] = "Newsletter"
    m.set_content("Plain version of the newsletter.")
    m.add_alternative(
        '<p style="color:red" onclick="alert(1)">Big <b>news</b></p><script>alert(2)</script>'
        '<img src="https://tracker.example/pixel.gif"><a href="javascript:alert(3)">click</a>',
        subtype="html",
    )
    with smtplib.SMTP(host, port, timeout=30) as s:
        s.send_message(m)
    print("smtp html: all checks passed")
    sys.exit(0)


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}", file=sys.stderr)
        sys.exit(1)


with smtplib.SMTP(host, port, timeout=30) as s:
    s.ehlo("client.example.org")
    check(s.has_extn("size") and int(s.esmtp_features["size"]) == max_size, "SIZE is announced")

    m = EmailMessage()
    m["From"] = "Alice Sender <sender@example.org>"
    m["To"] = rcpt
    m["Subject"] = "Quarterly report"
    m["Message-ID"] = "<report-1@example.org>"
    m.set_content("Hello,\n\nthe report is attached.\n\nAlice")
    m.add_attachment(b"%PDF-1.4 fake pdf bytes", maintype="application", subtype="pdf", filename="report.pdf")
    s.send_message(m)

    latin1 = (
        "From: =?ISO-8859-1?Q?Ren=E9?= <rene@example.org>\r\n"
        f"To: {rcpt}\r\n"
        "Subject: =?ISO-8859-1?Q?Caf=E9_cr=E8me?=\r\n"
        "Message-ID: <latin1@example.org>\r\n"
        "Content-Type: text/plain; charset=iso-8859-1\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + "Un café crème, s'il vous plaît.\r\n".encode("iso-8859-1")
    s.sendmail(sender, [rcpt], latin1)

    malformed = (
        f"From: broken@example.org\r\nTo: {rcpt}\r\nSubject: Broken MIME\r\n"
        'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
        "--never-closed\r\nContent-Type: text/plain\r\n\r\nThe visible part of a broken message.\r\n"
    ).encode()
    s.sendmail(sender, [rcpt], malformed)

    # Unknown recipient: refused at RCPT.
    try:
        s.sendmail(sender, ["nobody-here@" + rcpt.split("@")[1]], b"Subject: x\r\n\r\nx\r\n")
        check(False, "an unknown recipient is refused")
    except smtplib.SMTPRecipientsRefused as e:
        code = list(e.recipients.values())[0][0]
        check(code == 550, f"550 for an unknown recipient, got {code}")

    big = b"Subject: big\r\n\r\n" + b"x" * (max_size + 10) + b"\r\n"
    # Announced with SIZE: refused at MAIL FROM.
    try:
        s.sendmail(sender, [rcpt], big)
        check(False, "an oversized message is refused")
    except smtplib.SMTPSenderRefused as e:
        check(e.smtp_code == 552, f"552 at MAIL FROM, got {e.smtp_code}")
    s.rset()
    # Not announced: refused after the data.
    code, _ = s.mail(sender)
    check(code == 250, "MAIL without SIZE")
    code, _ = s.rcpt(rcpt)
    check(code == 250, "RCPT")
    code, _ = s.data(big)
    check(code == 552, f"552 after an oversized DATA, got {code}")

    for i in range(5):
        s.sendmail(sender, [rcpt], f"Subject: Numbered {i}\r\nMessage-ID: <n{i}@example.org>\r\n\r\nNumber {i}\r\n".encode())

print("smtp: all checks passed")
