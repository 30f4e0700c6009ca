"""Signs a message with dkimpy, as another domain's mail server would, for the tests of
ksuite's inbound DKIM and DMARC checks.

usage: dkim_sign.py DOMAIN SELECTOR PRIVATE_KEY_PEM_FILE < message > signed message
"""

import sys

import dkim

domain, selector, key_file = sys.argv[1], sys.argv[2], sys.argv[3]
message = sys.stdin.buffer.read()
with open(key_file, "rb") as f:
    key = f.read()
signature = dkim.sign(
    message,
    selector.encode(),
    domain.encode(),
    key,
    include_headers=[b"from", b"to", b"subject", b"message-id"],
)
sys.stdout.buffer.write(signature + message)
