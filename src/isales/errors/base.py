"""The root of every isales error."""

from __future__ import annotations


class IsalesError(Exception):
    """An isales error."""

    def __init__(self, message: str | None = None) -> None:
        # a docstring wrapped over lines is still one line of message
        self.message = message or " ".join((self.__doc__ or "").split())
        super().__init__(self.message)
