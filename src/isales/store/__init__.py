"""The store: every SQL statement lives in this package, and only here is SQLAlchemy imported.

Functions take an open ``Connection`` from :class:`Store` and never commit; the service
that opened the transaction decides. Every state change is a guarded UPDATE whose row
count is checked.
"""

from .engine import Store

__all__ = ("Store",)
