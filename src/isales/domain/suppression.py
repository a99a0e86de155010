"""Keyed hashes of phone numbers (spec/lifecycle.md §6).

An erased number is remembered only as HMAC-SHA-256(server secret, number): enough to
recognise it when someone adds it again, useless for recovering it from a copy of the
store without the secret. The audit log records numbers (delete filters, blacklist
deletes) the same way, so it never holds a number an erasure would have to remove.
"""

from __future__ import annotations

import hashlib
import hmac


def number_hash(secret: str, number: str) -> str:
    return hmac.new(secret.encode(), number.encode(), hashlib.sha256).hexdigest()
