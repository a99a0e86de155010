"""An audit entry in words, for people (docs/api.md#audit-log).

The entry itself keeps its detail as canonical JSON (it is what the hash chain covers, and
what `isales audit list --json` prints); the console's audit page and `isales audit list`
show this sentence instead, so an operator reads "deleted 3 numbers of campaign 7 (moved
to history); kept 2: call in progress" rather than a JSON object. An operation this module
does not know is shown as its name and its detail, never dropped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from .states import KEPT_REASON, NumberState

Detail = Mapping[str, Any]


def _numbers(count: Any) -> str:
    return f"{count} number" if count == 1 else f"{count} numbers"


def _campaign(detail: Detail) -> str:
    return f"campaign {detail.get('campaignId', '?')}"


def _archived(detail: Detail) -> str:
    return "moved to history" if detail.get("archiveHistory") else "deleted for good"


def _kept(detail: Detail) -> str:
    kept = detail.get("kept")
    if not isinstance(kept, Mapping) or not kept:
        return ""
    reasons = []
    for state, count in sorted(kept.items()):
        try:
            reason = KEPT_REASON[NumberState(state)]
        except (ValueError, KeyError):
            reason = str(state)
        reasons.append(f"{count} {reason}")
    return f"; kept {sum(kept.values())}: {', '.join(reasons)}"


def _removal(what: str) -> Callable[[Detail], str]:
    def sentence(detail: Detail) -> str:
        subject = what.format(**{k: detail.get(k, "?") for k in ("batchId", "taskId")})
        return (
            f"{subject}: {_numbers(detail.get('deleted', 0))} of {_campaign(detail)} "
            f"{_archived(detail)}{_kept(detail)}"
        )

    return sentence


def _number_delete(detail: Detail) -> str:
    chosen = detail.get("filter")
    by = ""
    if isinstance(chosen, Mapping) and chosen:
        by = f" matching {', '.join(sorted(chosen))}"
    return (
        f"deleted {_numbers(detail.get('deleted', 0))}{by} of {_campaign(detail)} "
        f"({_archived(detail)}){_kept(detail)}"
    )


def _restore(detail: Detail) -> str:
    source = (
        "chosen by number ID"
        if detail.get("by") == "dataIds"
        else f"deleted by request {detail.get('deleteRequestId') or '?'}"
    )
    return f"restored {_numbers(detail.get('restored', 0))} to {_campaign(detail)}, {source}"


def _erasure(detail: Detail) -> str:
    removed = detail.get("removed")
    parts = []
    if isinstance(removed, Mapping):
        parts = [f"{count} from {kind}" for kind, count in sorted(removed.items()) if count]
    gone = f": removed {', '.join(parts)}" if parts else ": nothing of it was stored"
    return f"erased a person's number (erasure {detail.get('erasureId', '?')}){gone}"


def _purge(detail: Detail) -> str:
    kinds = {"history": "archived numbers", "results": "call results"}
    counts = [f"{detail[k]} {label}" for k, label in kinds.items() if k in detail]
    return f"purged {', '.join(counts) or 'nothing'} older than {detail.get('olderThan', '?')}"


def _blacklist_delete(detail: Detail) -> str:
    if detail.get("all"):
        return f"emptied the blacklist ({_numbers(detail.get('removed', 0))})"
    return "removed a number from the blacklist"


def _vdns(detail: Detail) -> str:
    vdns = detail.get("vdnIds") or []
    return ", ".join(str(v) for v in vdns) or "no VDN"


SENTENCES: dict[str, Callable[[Detail], str]] = {
    "number-delete": _number_delete,
    "batch-delete": _removal("deleted batch {batchId}"),
    "import-rollback": _removal("rolled back import task {taskId}"),
    "campaign-delete": lambda d: (
        f"deleted {_campaign(d)} with its {_numbers(d.get('numbers', 0))} ({_archived(d)})"
    ),
    "restore": _restore,
    "erasure": _erasure,
    "hold-set": lambda d: (
        f"{'set' if d.get('new', True) else 'renewed'} a legal hold on {_campaign(d)}"
        + (f": {d['reason']}" if d.get("reason") else "")
    ),
    "hold-release": lambda d: f"released the legal hold on {_campaign(d)}",
    "purge": _purge,
    "blacklist-delete": _blacklist_delete,
    "key-create": lambda d: f"created access key {d.get('accessKey', '?')} for VDN {_vdns(d)}",
    "key-revoke": lambda d: f"revoked access key {d.get('accessKey', '?')}",
    "user-create": lambda d: (
        f"created console user {d.get('user', '?')} ({d.get('role', '?')}) for VDN {_vdns(d)}"
    ),
    "user-disable": lambda d: f"disabled console user {d.get('user', '?')}",
}


def sentence(operation: str, detail: str | Detail) -> str:
    """The entry in words; ``detail`` as stored (canonical JSON) or already parsed."""
    parsed: Any = detail
    if isinstance(detail, str):
        try:
            parsed = json.loads(detail)
        except ValueError:
            parsed = None
    say = SENTENCES.get(operation)
    if say is None or not isinstance(parsed, Mapping):
        return f"{operation}: {detail if isinstance(detail, str) else json.dumps(detail)}"
    try:
        return say(parsed)
    except (TypeError, ValueError, AttributeError):
        return f"{operation}: {json.dumps(parsed, sort_keys=True)}"
