"""The dialer interfaces' catalogue: they answer ``{"result": "<code>"}``, not the envelope."""

from __future__ import annotations

from enum import StrEnum, unique

from .base import IsalesError


@unique
class DialerCode(StrEnum):
    """``result`` values of the dialer-facing interfaces ("0" is success)."""

    SUCCESS = "0"
    INVALID_REQUEST = "1"
    NOT_CALLING = "2"
    STORE_FAILURE = "3"
    #: agents/event, agents/take: no such agent in the VDN, or it is not on this dialer's leg
    AGENT_UNKNOWN = "4"
    #: agents/event: the event does not fit the agent's state; nothing was changed
    AGENT_STATE = "5"


class DialerRefused(IsalesError):
    """The dialer request was refused."""

    def __init__(self, code: DialerCode, message: str | None = None) -> None:
        self.code = code
        super().__init__(message)
