"""The command line's failures: a message on stderr and the process's exit code
(docs/operations.md, "Command-line errors and exit codes")."""

from __future__ import annotations

from .base import IsalesError


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


class CredentialsRefused(CommandFailed):
    """the server refused the access key (HTTP 401/403)"""

    exit_code = 3


class StoreMissing(CommandFailed):
    """no isales store there; create one with `isales db upgrade` (or start `isales serve`)"""

    exit_code = 2


# the operator's keys, refused where they are used (serving, key commands)


class MasterKeyMissing(IsalesError):
    """A PostgreSQL store needs ISALES_MASTER_KEY to seal secret keys: make one with
    `isales keys master-key` (docs/operations.md#the-master-key)."""


class MasterKeyInvalid(IsalesError):
    """The master key is not a Fernet key (URL-safe base64 of 32 bytes), or does not open
    the secret keys of this store."""
