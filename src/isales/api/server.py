"""The HTTP connection layer of ``isales serve``: uvicorn with bounds it lacks on its own.

uvicorn's httptools protocol has no header deadline, no body deadline, no bound on the
size or number of header fields, and ``limit_concurrency`` answers 503 only once a
request's headers are in. This protocol adds, per connection:

* the connection cap: past ``max_connections`` open connections a new one is closed at
  once (a file descriptor held for microseconds, never for a slow client); and one client
  address holds at most ``max_connection_share_per_address`` of the cap, so one host's
  idle or non-reading connections cannot refuse everyone else;
* a write deadline (``write_timeout_seconds``): an answer the client stops reading (the
  transport's buffer stays over its high-water mark) for that long has its connection
  aborted. ``close()`` would wait for the buffer to drain, that is forever;
* a bounded shutdown: after SIGTERM, requests get ``shutdown_grace_seconds`` to finish
  (uvicorn's ``timeout_graceful_shutdown``), then every connection still open (a slow
  reader, a trickling body) is aborted and unfinished requests are cancelled. A use case
  runs in one transaction, so a cancelled one has committed or rolls back whole.
* a header deadline (``header_timeout_seconds``, from the connection or the previous
  answer to the end of the headers) and a body deadline (``body_timeout_seconds``, from
  the end of the headers to the end of the body): past either the connection is closed;
* header bounds: at most ``MAX_HEADER_BYTES`` in total and ``MAX_HEADER_FIELDS`` fields,
  else ``431`` and the connection is closed, without buffering more than that.
"""

from __future__ import annotations

import asyncio
import functools
import resource
import socket
import struct
from typing import Any

import httptools
import uvicorn
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from ..config import Settings

MAX_HEADER_BYTES = 64 * 1024
MAX_HEADER_FIELDS = 100
#: after a 431, what is still read (and dropped) so the client gets the answer before the
#: connection closes (closing with unread input would reset it and lose the answer)
LINGER_BYTES = 1024 * 1024
LINGER_SECONDS = 2.0
#: file descriptors kept for the store, logs and outgoing callbacks beyond the connections
SPARE_FILES = 256


class _HeadersTooLarge(Exception):
    pass


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args, settings: Settings, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.settings = settings
        self._deadline: asyncio.TimerHandle | None = None
        self._write_deadline: asyncio.TimerHandle | None = None
        self._shutdown_deadline: asyncio.TimerHandle | None = None
        self._awaiting_headers = False
        self._raw_header_bytes = 0  # bytes received while the headers were incomplete
        self._header_bytes = 0  # bytes of the parsed request line and fields
        self._header_fields = 0
        self._refused = False
        self._lingered = 0

    # --- deadlines --------------------------------------------------------------------

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        self.logger.info("closing a connection that missed its read deadline")
        self.transport.close()

    def _reset(self) -> None:
        """Abort the connection with a reset: ``abort()`` alone drops the transport's
        buffer but leaves the kernel's send buffer to a client that does not read it."""
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()

    def _abort_stalled_write(self) -> None:
        self._write_deadline = None
        self.logger.info("aborting a connection that did not read its answer in time")
        self._reset()

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._write_deadline is None:
            self._write_deadline = self.loop.call_later(
                self.settings.write_timeout_seconds, self._abort_stalled_write
            )

    def resume_writing(self) -> None:
        if self._write_deadline is not None:
            self._write_deadline.cancel()
            self._write_deadline = None
        super().resume_writing()

    def _await_headers(self) -> None:
        self._awaiting_headers = True
        self._raw_header_bytes = self._header_bytes = self._header_fields = 0
        self._arm(self.settings.header_timeout_seconds)

    # --- connection -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.settings.max_connections or self._over_address_share():
            self._refused = True
            transport.abort()
            return
        self._await_headers()

    def _over_address_share(self) -> bool:
        """Whether this connection's address now holds more than its share of the cap."""
        if self.client is None:
            return False
        share = max(
            1, int(self.settings.max_connections * self.settings.max_connection_share_per_address)
        )
        host = self.client[0]
        held = sum(1 for c in self.connections if (getattr(c, "client", None) or ("",))[0] == host)
        return held > share

    def shutdown(self) -> None:
        super().shutdown()
        self._shutdown_deadline = self.loop.call_later(
            self.settings.shutdown_grace_seconds, self._reset
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._shutdown_deadline is not None:
            self._shutdown_deadline.cancel()
            self._shutdown_deadline = None
        if self._write_deadline is not None:
            self._write_deadline.cancel()
            self._write_deadline = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            self._lingered += len(data)
            if self._lingered > LINGER_BYTES:
                self.transport.abort()
            return
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as exc:
            if isinstance(exc.__context__, _HeadersTooLarge):
                self._refuse_headers()
            else:
                self._bad_request()
            return
        except httptools.HttpParserError:
            self._bad_request()
            return
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        if self._awaiting_headers:
            self._raw_header_bytes += len(data)
            if self._raw_header_bytes > MAX_HEADER_BYTES:
                self._refuse_headers()

    def _bad_request(self) -> None:
        self.logger.warning("Invalid HTTP request received.")
        self._refused = True
        self._disarm()
        self.send_400_response("Invalid HTTP request received.")

    def _refuse_headers(self) -> None:
        self._refused = True
        self._disarm()
        body = b'{"error":"request header fields too large"}'
        self.transport.write(
            STATUS_LINE[431]
            + b"content-type: application/json\r\n"
            + b"content-length: "
            + str(len(body)).encode()
            + b"\r\nconnection: close\r\n\r\n"
            + body
        )
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._deadline = self.loop.call_later(LINGER_SECONDS, self.transport.close)

    # --- parser callbacks -------------------------------------------------------------

    def _count(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > MAX_HEADER_BYTES or self._header_fields > MAX_HEADER_FIELDS:
            raise _HeadersTooLarge()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_fields += 1
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._awaiting_headers = False
        self._arm(self.settings.body_timeout_seconds)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self._refused and not self.transport.is_closing():
            self._await_headers()


def raise_file_limit(settings: Settings) -> None:
    """Let the process hold ``max_connections`` sockets and its own files (soft limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = settings.max_connections + SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < wanted:
        ceiling = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, ceiling), hard))


def guarded_protocol(settings: Settings) -> Any:  # uvicorn takes it as a protocol class
    """The ``http`` protocol option of uvicorn for ``settings``."""
    return functools.partial(GuardedHttpToolsProtocol, settings=settings)


def guarded_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for ``settings``: the guarded protocol and the shutdown grace."""
    return {
        "http": guarded_protocol(settings),
        "timeout_graceful_shutdown": settings.shutdown_grace_seconds,
    }


def server_config(app: object, settings: Settings, **options: object) -> uvicorn.Config:
    """The uvicorn configuration of ``isales serve``: the guarded protocol on httptools."""
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=settings.host,
        port=settings.port,
        **guarded_options(settings),
        **options,  # type: ignore[arg-type]
    )
