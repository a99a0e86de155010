"""A file import of numbers: the states of its task.

A task is *pending* until a runner leases it, *running* while its chunks are imported,
and ends *finished* (every row imported or reported) or *failed* (stopped early; the
reason is a row-0 entry of its error report).
"""

from __future__ import annotations

from enum import StrEnum


class ImportStatus(StrEnum):
    PENDING = "pending"  # uploaded, not started
    RUNNING = "running"  # some chunks imported
    FINISHED = "finished"  # every row imported or reported
    FAILED = "failed"  # stopped early; the reason is a row-0 entry of ``errors``


#: the states a runner may lease a task in
IN_PROGRESS = (ImportStatus.PENDING, ImportStatus.RUNNING)
