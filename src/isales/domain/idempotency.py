"""The states of an idempotency key (docs/api.md, "Idempotency keys").

A key's row is inserted ``running`` before its request runs; the runner that inserted it
(the owner token) moves it to ``done`` with the answer it sent. A ``running`` row whose
lease lapsed (its server died) or a row past its expiry may be taken over by a later
duplicate, which makes it ``running`` again under a new owner. Nothing else moves it.
"""

from __future__ import annotations

from enum import StrEnum


class KeyState(StrEnum):
    RUNNING = "running"
    DONE = "done"
