"""The root of every isales error."""

from __future__ import annotations


class IsalesError(Exception):
    """An isales error."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message or (self.__doc__ or "").strip()
        super().__init__(self.message)
