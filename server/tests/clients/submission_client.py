"""A real mail app's sending side (Python's smtplib) against ksuite's submission ports.

Usage:
  submission_client.py flow HOST PORT TLS_PORT CAFILE EMAIL PASSWORD OWN_ADDRESS LOCAL_RCPT REMOTE_RCPT
      STARTTLS before AUTH, wrong passwords, send-as refusals, a message to a local and a
      remote recipient, AUTH LOGIN on the implicit-TLS port.
  submission_client.py send-as HOST PORT CAFILE EMAIL PASSWORD FROM RCPT
      Prints "sent" or "refused <code>" (for the permission matrix).
Prints "all checks passed" when a flow succeeds; any failed check raises.
"""

import smtplib
import ssl
import sys
from email.message import EmailMessage


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok:", what)


def message(sender, rcpts, subject, body="Hello from a mail app."):
    m = EmailMessage()
    m["From"] = sender
    m["To"] = ", ".join(rcpts)
    m["Subject"] = subject
    m.set_content(body)
    return m


mode = sys.argv[1]
if mode == "send-as":
    host, port, cafile, email, password, sender, rcpt = sys.argv[2:9]
    tls = ssl.create_default_context(cafile=cafile)
    with smtplib.SMTP(host, int(port), timeout=30) as s:
        s.starttls(context=tls)
        if email != "-":
            s.login(email, password)
        try:
            s.send_message(message(sender, [rcpt], "Matrix"))
            print("sent")
        except smtplib.SMTPSenderRefused as e:
            print(f"refused {e.smtp_code} {e.smtp_error.decode()}")
        except smtplib.SMTPRecipientsRefused as e:
            code = list(e.recipients.values())[0][0]
            print(f"refused {code}")
        except smtplib.SMTPDataError as e:
            print(f"refused {e.smtp_code} {e.smtp_error.decode()}")
    sys.exit(0)

host, port, tls_port, cafile, email, password, own, local, remote = sys.argv[2:11]
port, tls_port = int(port), int(tls_port)
tls = ssl.create_default_context(cafile=cafile)

with smtplib.SMTP(host, port, timeout=30) as s:
    s.ehlo("app.example")
    check(s.has_extn("starttls"), "STARTTLS offered")
    check(not s.has_extn("auth"), "no AUTH before TLS")
    try:
        s.login(email, password)
        check(False, "login in clear refused")
    except smtplib.SMTPNotSupportedError:
        print("ok: smtplib will not log in without AUTH")
    code, text = s.docmd("AUTH", "PLAIN AGZvbwBiYXI=")
    check(code == 530 and b"STARTTLS" in text, f"AUTH before STARTTLS: {code} {text!r}")
    code, text = s.docmd("MAIL", f"FROM:<{own}>")
    check(code == 530, f"MAIL before AUTH: {code} {text!r}")
    s.starttls(context=tls)
    s.ehlo("app.example")
    check(s.has_extn("auth") and "PLAIN" in s.esmtp_features["auth"], "AUTH PLAIN after STARTTLS")
    try:
        s.login(email, "not the password")
        check(False, "wrong password refused")
    except smtplib.SMTPAuthenticationError as e:
        check(e.smtp_code == 535, f"wrong password: {e.smtp_code}")
    s.login(email, password)
    print("ok: signed in")
    try:
        s.send_message(message("ceo@elsewhere.example", [local], "Forged"), from_addr="ceo@elsewhere.example")
        check(False, "send as a foreign address refused")
    except smtplib.SMTPSenderRefused as e:
        check(e.smtp_code == 550, f"MAIL FROM foreign: {e.smtp_code} {e.smtp_error!r}")
    try:
        s.send_message(message("ceo@elsewhere.example", [local], "Forged header"), from_addr=own)
        check(False, "forged From: header refused")
    except smtplib.SMTPDataError as e:
        check(e.smtp_code == 550 and b"From" in e.smtp_error, f"From: header: {e.smtp_code} {e.smtp_error!r}")
    refused = s.send_message(message(own, [local, remote], "From the app", "Sent with smtplib."))
    check(refused == {}, "sent to a local and a remote recipient")

with smtplib.SMTP_SSL(host, tls_port, context=tls, timeout=30) as s:
    s.ehlo("app.example")
    check("LOGIN" in s.esmtp_features.get("auth", ""), "AUTH LOGIN offered")
    s.user, s.password = email, password
    code, text = s.auth("LOGIN", s.auth_login, initial_response_ok=False)
    check(code == 235, f"AUTH LOGIN over implicit TLS: {code}")
    s.send_message(message(own, [local], "Over implicit TLS"))
    print("ok: sent over implicit TLS")

print("all checks passed")
