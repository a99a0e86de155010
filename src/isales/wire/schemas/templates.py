"""Campaign templates (``cec_07_1128``–``1131``): fields and wire forms.

The rules: docs/api.md#campaign-templates.
"""

from __future__ import annotations

from typing import Any

from ...domain import dialing
from ...domain.templates import INIT_STATUS, TemplateStatus
from ...errors import ErrorCode, InvalidParameter
from ..validation import INT32_MAX, Field, Schema
from . import campaigns

_NAME = Field("name", required=True, max_length=100, description="unique among the templates")
_DESCRIPTION = Field("description", max_length=200, forbidden='"[]=;<>')
_INIT = Field(
    "initStatus", "integer", choices=(0, 1), description="0 published (default), 1 paused"
)

CREATE: Schema = (
    _NAME,
    _DESCRIPTION,
    Field("deviceType", "integer", required=True, choices=campaigns.DEVICE_TYPES),
    campaigns.CALLER_V2,
    Field(
        "maxAlertingTime",
        "integer",
        required=True,
        minimum=5,
        maximum=120,
        description="preview 9-120, others 5-60",
    ),
    Field("priority", "integer", minimum=1, maximum=5, description="1 (highest) to 5"),
    Field("scheduleParam", "object", required=True, fields=campaigns.SCHEDULE),
    Field("ivrParam", "object", description="mandatory for deviceType 1 and 3; stored as given"),
    Field("skillParam", "object", description="mandatory for deviceType 2, 5 and 6"),
    Field("retryPolicy", "object", description="stored as given"),
    Field("callPolicy", "object", description="stored as given"),
    _INIT,
    Field("callBackUrl", max_length=1024, format="url"),
)

COPY: Schema = (
    _NAME,
    _DESCRIPTION,
    Field(
        "from",
        "integer",
        required=True,
        minimum=1,
        maximum=INT32_MAX,
        key="source",
        description="a campaign id, or a template id (above 1000000000)",
    ),
    _INIT,
)

LIST_QUERY: Schema = (
    Field("name", max_length=30, description="part of the name"),
    Field("status", "integer", required=True, choices=tuple(int(s) for s in TemplateStatus)),
    Field("taskType", "integer", choices=campaigns.DEVICE_TYPES, description="deviceType"),
    Field("offset", "integer", required=True, minimum=0, maximum=INT32_MAX),
    Field("limit", "integer", required=True, minimum=1, maximum=100),
)


def to_columns(body: dict[str, Any]) -> dict[str, Any]:
    if body["deviceType"] != dialing.PREVIEW and body["maxAlertingTime"] > 60:
        raise InvalidParameter(
            ErrorCode.WRONG_VALUE, "maxAlertingTime: at most 60 except for preview templates"
        )
    return {
        **campaigns.setup_columns(body),
        "status": int(INIT_STATUS[body["initStatus"] or 0]),
    }


def wire(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "description": row["description"] or "",
        "status": row["status"],
        "deviceType": row["device_type"],
        "callerNo": row["caller_no"],
        "maxAlertingTime": row["max_alerting_time"],
        "priority": row["priority"],
        "scheduleParam": row["schedule_param"],
        "ivrParam": row["ivr_param"],
        "skillParam": row["skill_param"],
        "retryPolicy": row["retry_policy"],
        "callPolicy": row["call_policy"],
        "callBackUrl": row["call_back_url"] or "",
    }


def wire_summary(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "status": row["status"],
        "taskType": row["device_type"],
    }
