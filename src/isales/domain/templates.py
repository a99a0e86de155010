"""Campaign templates: their states (docs/api.md#campaign-templates)."""

from __future__ import annotations

from enum import IntEnum


class TemplateStatus(IntEnum):
    DRAFT = 1
    PAUSED = 3
    PUBLISHED = 9


#: initStatus on create and copy -> stored status
INIT_STATUS = {0: TemplateStatus.PUBLISHED, 1: TemplateStatus.PAUSED}

#: the campaign settings a template holds, copied from a campaign or another template
SETUP_COLUMNS = (
    "device_type",
    "caller_no",
    "max_alerting_time",
    "priority",
    "schedule_param",
    "ivr_param",
    "skill_param",
    "retry_policy",
    "call_policy",
    "call_back_url",
)

#: template ids are numbered above every campaign id, so ``from`` on copy names one or the
#: other without ambiguity, as in CC-iSales where both share one id space
TEMPLATE_ID_BASE = 1_000_000_000


def template_api_id(row_id: int) -> int:
    return TEMPLATE_ID_BASE + row_id


def template_row_id(api_id: int) -> int | None:
    """The stored id of a template's API id; None when ``api_id`` is not a template id."""
    return api_id - TEMPLATE_ID_BASE if api_id > TEMPLATE_ID_BASE else None
