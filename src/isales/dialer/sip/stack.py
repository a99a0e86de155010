"""sippy, set up once per process: its event loop, its transaction manager, two fixes.

sippy's event dispatcher (``ED2``) is a process-wide singleton bound to the thread that
first imports sippy, and every timer checks it runs there. So the dialer process imports
this module on its main thread, runs :meth:`SipStack.run` there, and every other thread
hands work over with :meth:`SipStack.call` (sippy's ``callFromThread``).
"""

from __future__ import annotations

import logging
import threading

from sippy.Core.EventDispatcher import ED2
from sippy.SipConf import SipConf
from sippy.SipTransactionManager import SipTransactionManager
from sippy.SipURL import SipURL

log = logging.getLogger("isales.dialer.sip")
wire_log = logging.getLogger("isales.dialer.sip.wire")


def _lower_case_transport() -> None:
    """RFC 3261 §19.1.1: URI parameter values such as ``transport=UDP`` are case-insensitive,
    but sippy keeps the value as written and then refuses to send to transport "UDP"
    (SIPp writes its Contact that way, so every BYE to it failed). Read it in lower case."""
    if getattr(SipURL.setParams, "isales_lower_case", False):
        return
    original = SipURL.setParams

    def set_params(self, params):  # type: ignore[no-untyped-def]
        original(self, params)
        if isinstance(self.transport, str):
            self.transport = self.transport.lower()

    set_params.isales_lower_case = True  # type: ignore[attr-defined]
    SipURL.setParams = set_params


class _WireLog:
    """sippy's logger interface, writing every SIP message to a DEBUG logger.

    Messages are logged as sippy sends them; an Authorization header carries only the
    digest response, never the password."""

    def write(self, *args: object, **_kwargs: object) -> None:
        if wire_log.isEnabledFor(logging.DEBUG):
            wire_log.debug("%s", "".join(str(arg) for arg in args))


def _ignore_requests(request, sip_t):  # type: ignore[no-untyped-def]
    """A request outside any of our calls: we place calls, we take none."""
    if request.getMethod() in ("ACK", "CANCEL"):
        return None
    return (request.genResponse(481, "Call Leg/Transaction Does Not Exist"), None, None)


class SipStack:
    """sippy's transaction manager bound to ``host:port``; the loop runs on the main thread."""

    def __init__(self, host: str, port: int) -> None:
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("the SIP stack must be set up on the main thread")
        _lower_case_transport()
        SipConf.my_uaname = "isales"
        self.global_config = {
            "_sip_address": host,
            "_sip_port": port,
            "_sip_logger": _WireLog(),
        }
        self.global_config["_sip_tm"] = SipTransactionManager(self.global_config, _ignore_requests)
        self.stopped = threading.Event()

    def call(self, function, *args) -> None:  # type: ignore[no-untyped-def]
        """Run ``function(*args)`` on the loop's thread (from any thread)."""
        ED2.callFromThread(function, *args)

    def run(self) -> None:
        """Run sippy's loop until :meth:`stop` (on the main thread)."""
        try:
            ED2.loop()
        finally:
            self.stopped.set()

    def stop(self) -> None:
        self.call(ED2.breakLoop)
