"""The command line's failures: a message on stderr and the process's exit code
(docs/operations.md, "Command-line errors and exit codes")."""

from __future__ import annotations


class CommandFailed(Exception):
    """the command failed"""

    exit_code = 1

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or "").strip())
        self.message = str(self.args[0])


class ConfigError(CommandFailed):
    """the configuration is not valid"""

    exit_code = 2


class DialerKeyRefused(CommandFailed):
    """the server refused the dialer's access key (HTTP 401/403); check
    ISALES_DIALER_ACCESS_KEY, ISALES_DIALER_SECRET_KEY and the key's VDN grants"""

    exit_code = 3


class StoreMissing(CommandFailed):
    """no isales store there; create one with `isales db upgrade` (or start `isales serve`)"""

    exit_code = 2
