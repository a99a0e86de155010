"""A blacklist file import: the states of its task, as the interface shows them
(``status`` "0" to "3").

A task *waits* until its run time and a runner leases it, is *running* while its chunks
are imported, and ends *finished* or *failed* (stopped early; the reason is a row-0 entry
of its error report).
"""

from __future__ import annotations

from enum import StrEnum


class BlacklistImportStatus(StrEnum):
    WAITING = "0"
    RUNNING = "1"
    FINISHED = "2"
    FAILED = "3"


#: the states a runner may lease a task in
IN_PROGRESS = (BlacklistImportStatus.WAITING, BlacklistImportStatus.RUNNING)
