"""Today's statistics counters in words, keyed by the statistics interface's field names:
one table for the console's statistics page and `isales stats`."""

from __future__ import annotations

#: each counter's words; screens show the interface's field name beside them
COUNTER_LABELS = {
    "unCallCount": "Not called yet",
    "calledCount": "Numbers called today",
    "finishCount": "Numbers finished today",
    "totalCalledCount": "Numbers ever called",
    "totalCallSucc": "Numbers ever connected",
    "totalFinishCount": "Numbers completed",
    "totalCount": "Numbers in the campaign",
    "dailyCalledCount": "Calls today",
    "dailyCallSucc": "Connected calls today",
    "dailyFinishCount": "Final calls today",
    "dailyCount": "Numbers added today",
}
