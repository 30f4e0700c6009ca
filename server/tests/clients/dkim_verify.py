"""Checks a message's DKIM signature with dkimpy, an independent implementation, as a
receiving server would; the DNS answers come from the command line instead of DNS.

usage: dkim_verify.py NAME=VALUE [NAME=VALUE ...] < message
prints "pass", or "fail" and why on the same line, then the signing domain and selector
(d= and s=).
"""

import sys

import dkim


def main():
    records = dict(arg.split("=", 1) for arg in sys.argv[1:])

    def dns(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode()
        value = records.get(name.rstrip("."))
        return value.encode() if value is not None else None

    message = sys.stdin.buffer.read()
    d = dkim.DKIM(message)
    try:
        verdict = "pass" if d.verify(dnsfunc=dns) else "fail: no valid signature"
    except dkim.DKIMException as e:
        verdict = "fail: %s" % e
    print(verdict)
    print(d.domain.decode() if d.domain else "")
    print(d.selector.decode() if d.selector else "")


main()
