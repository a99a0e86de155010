"""Receiving a request body: hashed as it arrives, kept in memory up to ``SPOOL_THRESHOLD``,
spooled to an anonymous temporary file beyond it (docs/api.md#limits-and-protections).

The signature is verified from the hash (``signing.canonical_request``'s ``payload_hash``),
so a body is read into memory only once it verified, for parsing, from its file. A known
access key with a wrong signature therefore costs the server disk and one buffer per
request, never the body's size in memory. The file is created unlinked (``TemporaryFile``),
so nothing is left behind on any path, not even a ``kill -9``; it is closed as soon as the
body was parsed, refused, or the client went away.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import AsyncIterator
from typing import IO

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

#: bodies up to this many bytes stay in memory; larger ones go to a temporary file, written
#: this many bytes at a time (so a spooled body holds about one such buffer in memory)
SPOOL_THRESHOLD = 1024 * 1024


class ReceivedBody:
    """One request's body: its SHA-256 and its bytes, in memory or in a temporary file.

    ``close()`` must be called on every path (``accept`` does, in a ``finally``)."""

    def __init__(self, spool_dir: str | None) -> None:
        self.spool_dir = spool_dir
        self.size = 0
        self._hash = hashlib.sha256()
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._file: IO[bytes] | None = None

    @property
    def spooled(self) -> bool:
        return self._file is not None

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    async def receive(self, chunks: AsyncIterator[bytes], limit: int) -> None:
        """Take the body from ``chunks``; past ``limit`` bytes, HTTP 413."""
        async for chunk in chunks:
            self.size += len(chunk)
            if self.size > limit:
                raise HTTPException(413, "request body too large")
            self._pending.append(chunk)
            self._pending_size += len(chunk)
            if self._pending_size > SPOOL_THRESHOLD:
                await run_in_threadpool(self._spool)
        if self._file is None:  # at most SPOOL_THRESHOLD bytes: hashed on the event loop
            for chunk in self._pending:
                self._hash.update(chunk)
        elif self._pending:
            await run_in_threadpool(self._spool)

    def _spool(self) -> None:
        """Hash and write the buffered chunks to the file (off the event loop: hashing
        and writing a large buffer release the GIL)."""
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="isales-body-", dir=self.spool_dir)
        for chunk in self._pending:
            self._hash.update(chunk)
            self._file.write(chunk)
        self._pending, self._pending_size = [], 0

    def read(self) -> bytes:
        """The whole body (blocking when spooled: call it off the event loop)."""
        if self._file is None:
            return b"".join(self._pending)
        self._file.seek(0)
        return self._file.read()

    def close(self) -> None:
        self._pending = []
        if self._file is not None:
            self._file.close()
