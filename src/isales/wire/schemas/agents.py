"""Agent interfaces (docs/api.md, "Agents"), and the dialer's agent interfaces
(docs/api.md, "Dialer-facing agent interfaces"): fields, rules, wire form."""

from __future__ import annotations

from typing import Any

from ...domain.agents import EVENTS, SIP_URI, WORK_NO_MAX, public_state
from ...errors import ErrorCode, InvalidParameter
from ..validation import INT32_MAX, INT64_MAX, Field, Schema

_WORK_NO = Field(
    "workNo",
    required=True,
    max_length=WORK_NO_MAX,
    charset="0-9A-Za-z",
    description="1-32 digits and letters, unique in the VDN",
)
_CAMPAIGN_ID = Field("campaignId", "integer", minimum=1, maximum=INT32_MAX)
_DATA_ID = Field("dataId", "integer", required=True, minimum=1, maximum=INT64_MAX)
#: agents an agent may work for at once
MAX_CAMPAIGNS = 100

CREATE: Schema = (
    _WORK_NO,
    Field(
        "sipUri", required=True, max_length=255, description="sip: or sips: URI the dialer calls"
    ),
    Field(
        "campaignIds",
        "list",
        required=True,
        item=Field("campaignId", "integer", minimum=1, maximum=INT32_MAX),
        max_items=MAX_CAMPAIGNS,
        description="the campaigns of the VDN the agent works for",
    ),
)

LIST: Schema = (
    Field("offset", "integer", required=True, minimum=0, maximum=INT32_MAX),
    Field("limit", "integer", required=True, minimum=1, maximum=100),
    Field(
        _CAMPAIGN_ID.name, "integer", minimum=1, maximum=INT32_MAX, description="only its agents"
    ),
)

NEXT: Schema = (
    Field(
        "campaignId",
        "integer",
        minimum=1,
        maximum=INT32_MAX,
        description="the preview campaign; absent: each of the agent's preview campaigns",
    ),
)

RECORD: Schema = (_DATA_ID,)


def create_request(body: dict[str, Any]) -> tuple[str, str, list[int]]:
    """(workNo, sipUri, campaignIds) of a create body."""
    if not SIP_URI.match(body["sipUri"]):
        raise InvalidParameter(ErrorCode.WRONG_VALUE, "sipUri: must be a sip: or sips: URI")
    campaign_ids = body["campaignIds"]
    if len(set(campaign_ids)) != len(campaign_ids):
        raise InvalidParameter(ErrorCode.WRONG_VALUE, "campaignIds: a campaign is listed twice")
    return body["workNo"], body["sipUri"], list(campaign_ids)


def wire_agent(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "workNo": row["work_no"],
        "sipUri": row["sip_uri"],
        "campaignIds": row["campaign_ids"],
        "state": public_state(row["effective"]),
        "stateSince": row["state_since"].strftime("%Y-%m-%d %H:%M:%S"),
    }


def wire_state(row: dict[str, Any]) -> dict[str, Any]:
    return {"workNo": row["work_no"], "state": public_state(row["effective"])}


def wire_preview(campaign: dict[str, Any], number: dict[str, Any], until: Any) -> dict[str, Any]:
    """The record held for a preview agent."""
    called = (
        [n["calledNo"] for n in number["called_nos"]]
        if number["called_nos"]
        else [number["called"]]
    )
    return {
        "campaignId": campaign["id"],
        "dataId": number["id"],
        "calledNo": called,
        "customField": number["custom_field"] or "",
        "callData": number["call_data"] or "",
        "reservedUntil": until.strftime("%Y-%m-%d %H:%M:%S"),
    }


# --- the dialer's agent interfaces -----------------------------------------------------------

_VDN = Field("vdnId", "integer", required=True, minimum=1, maximum=9999)
_DIALER_ID = Field("dialerId", required=True, max_length=64, description="the dialer process")

LEGS: Schema = (_VDN, _DIALER_ID)

EVENT: Schema = (
    _VDN,
    _DIALER_ID,
    _WORK_NO,
    Field("event", required=True, choices=EVENTS),
    Field("sipCode", "integer", minimum=100, maximum=699, description="the login call's answer"),
    Field("dataId", "integer", minimum=1, maximum=INT64_MAX, description='with "talking"'),
)

TAKE: Schema = (
    _VDN,
    _DIALER_ID,
    Field("serviceId", "integer", required=True, minimum=1, maximum=INT32_MAX),
    _DATA_ID,
)


def wire_leg(row: dict[str, Any], dialer_id: str) -> dict[str, Any]:
    """One agent as a dialer sees it: ``holder``, this dialer holds its leg; ``login``, this
    dialer holds the agent's pending login and must call it."""
    return {
        "workNo": row["work_no"],
        "sipUri": row["sip_uri"],
        "state": public_state(row["effective"]),
        "campaignIds": row["campaign_ids"],
        "holder": row["leg_holder"] == dialer_id,
        "login": row["login"],
    }
