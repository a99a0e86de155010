"""The web console at ``/console/`` (docs/console.md): server-rendered pages over the services."""

from .app import build_console

__all__ = ("build_console",)
