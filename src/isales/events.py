"""Business events: one log line each (logger ``isales.events``) and their metrics.

Services call these after their transaction committed. A line carries ids and counts,
never a phone number, a secret or a customer field.
"""

from __future__ import annotations

import logging

from . import metrics

log = logging.getLogger("isales.events")


def _event(name: str, message: str, **fields: object) -> None:
    log.info(message, extra={"event": name, **fields})


def campaign_status_changed(vdn_id: int, campaign_id: int, operation: str, status: int) -> None:
    _event(
        "campaign.status",
        f"campaign {campaign_id} of VDN {vdn_id}: {operation}, status now {status}",
        vdn_id=vdn_id,
        campaign_id=campaign_id,
        operation=operation,
        status=status,
    )


def campaign_deleted(vdn_id: int, campaign_id: int, numbers: int, archived: bool) -> None:
    metrics.NUMBERS_DELETED.labels(archived=str(int(archived))).inc(numbers)
    _event(
        "campaign.deleted",
        f"campaign {campaign_id} of VDN {vdn_id} deleted with {numbers} numbers "
        f"({'archived' if archived else 'removed'})",
        vdn_id=vdn_id,
        campaign_id=campaign_id,
        numbers=numbers,
        archived=archived,
    )


def numbers_deleted(
    vdn_id: int, campaign_id: int, deleted: int, kept: int, archived: bool, request_id: str
) -> None:
    metrics.NUMBERS_DELETED.labels(archived=str(int(archived))).inc(deleted)
    _event(
        "numbers.deleted",
        f"campaign {campaign_id} of VDN {vdn_id}: {deleted} numbers deleted "
        f"({'archived' if archived else 'removed'}), {kept} kept",
        vdn_id=vdn_id,
        campaign_id=campaign_id,
        deleted=deleted,
        kept=kept,
        archived=archived,
        request_id=request_id,
    )


def numbers_claimed(count: int) -> None:
    metrics.DIALER_CLAIMS.inc(count)


def call_reported(status: str) -> None:
    metrics.CALL_RESULTS.labels(status=status).inc()


def import_finished(
    vdn_id: int, campaign_id: int, task_id: int, status: str, succeeded: int, failed: int
) -> None:
    metrics.IMPORT_ROWS.labels(outcome="success").inc(succeeded)
    metrics.IMPORT_ROWS.labels(outcome="failed").inc(failed)
    _event(
        "import.finished",
        f"import task {task_id} of campaign {campaign_id} (VDN {vdn_id}) {status}: "
        f"{succeeded} rows imported, {failed} failed",
        vdn_id=vdn_id,
        campaign_id=campaign_id,
        task_id=task_id,
        status=status,
        succeeded=succeeded,
        failed=failed,
    )


def callback_given_up(callback_id: int, campaign_id: int, pushes: int, error: str | None) -> None:
    log.warning(
        "result callback %s of campaign %s given up after %s pushes: %s",
        callback_id,
        campaign_id,
        pushes,
        error,
        extra={
            "event": "callback.given_up",
            "callback_id": callback_id,
            "campaign_id": campaign_id,
            "pushes": pushes,
        },
    )
