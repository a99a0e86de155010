"""Keyed hashes of phone numbers (docs/api.md, "Erasure").

An erased number is remembered only as HMAC-SHA-256(server secret, number): enough to
recognise it when someone adds it again, useless for recovering it from a copy of the
store without the secret. The audit log records numbers (delete filters, blacklist
deletes) the same way, so it never holds a number an erasure would have to remove.
"""

from __future__ import annotations

import hashlib
import hmac
import re


def number_hash(secret: str, number: str) -> str:
    return hmac.new(secret.encode(), number.encode(), hashlib.sha256).hexdigest()


def number_pattern(number: str) -> re.Pattern[str]:
    """``number`` as a whole token in free text (not part of a longer number)."""
    return re.compile(rf"(?<![0-9*#]){re.escape(number)}(?![0-9*#])")
