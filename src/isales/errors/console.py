"""The web console's refusals: shown as pages with an HTTP status, never as result codes."""

from __future__ import annotations

from .base import IsalesError


class ConsoleRefused(IsalesError):
    """Your role does not allow this."""

    http_status = 403


class SignInFailed(ConsoleRefused):
    """Wrong user name or password"""

    http_status = 401


class SignInThrottled(ConsoleRefused):
    """Too many failed sign-ins for this user; wait a minute and try again"""

    http_status = 429


class CsrfRejected(ConsoleRefused):
    """This form did not come from your console session; reload the page and try again."""

    http_status = 403


class ConsoleUserInvalid(IsalesError):
    """A console user needs a name, a role and at least one VDN."""
