"""Dialer-facing ("OBS") interfaces (docs/api.md#dialer-facing-interfaces)."""

from __future__ import annotations

from typing import Any

from ...domain.reservations import appoint_id
from ..validation import INT32_MAX, PHONE_CHARS, Field, Schema

_SUB_CC = Field("subCCNo", "integer", minimum=0, maximum=INT32_MAX)
_VDN = Field("vdnId", "integer", required=True, minimum=1, maximum=9999)
_SERVICE = Field("serviceId", "integer", required=True, minimum=1, maximum=INT32_MAX)

TASKS: Schema = (_SUB_CC, _VDN)


#: isales extension: the dialer process claiming for its agents (agent campaigns)
_DIALER_ID = Field(
    "dialerId", max_length=64, description="the claiming dialer: agent campaigns follow its agents"
)


def callnos(max_batch: int) -> Schema:
    return (
        _SUB_CC,
        _VDN,
        _SERVICE,
        Field("batchCount", "integer", minimum=1, maximum=max_batch),
        _DIALER_ID,
    )


RESULT: Schema = (
    _SUB_CC,
    _VDN,
    _SERVICE,
    Field("uniqueId", "integer", required=True, minimum=1, maximum=2**63 - 1),
    Field("status", required=True, choices=("5", "6"), description="6 connected, 5 failed"),
    Field("failCode", max_length=10),
    Field("callId", max_length=64),
    Field("phoneNumber", max_length=24, charset=PHONE_CHARS),
    Field("fetchTime", max_length=32),
    Field("writeStartTime", max_length=32),
    Field("endCallTime", max_length=32),
    Field("deviceType", "integer", description="accepted and ignored"),
    Field("asrResult", max_length=4096, description="accepted and ignored"),
    # isales extension: what a telephony driver saw, kept in the result's detail
    *(
        Field(name, "integer", minimum=low, maximum=high, description=text)
        for name, low, high, text in (
            ("sipCode", 100, 699, "final SIP response code (200 when answered)"),
            ("q850Cause", 0, 127, "Q.850 cause from the Reason header"),
            ("ringMs", 0, INT32_MAX, "milliseconds from INVITE to answer or final response"),
            ("talkMs", 0, INT32_MAX, "milliseconds from answer to hang-up"),
        )
    ),
    Field("amd", choices=("human", "machine", "notsure"), description="AMD decision"),
    # isales extension: the agent the call was for; it moves to WRAP_UP or READY
    Field("workNo", max_length=32, charset="0-9A-Za-z", description="the call's agent"),
)

#: the report fields kept together as a result's telephony detail
TELEPHONY_FIELDS = ("sipCode", "q850Cause", "ringMs", "talkMs", "amd")


def telephony_detail(body: dict[str, Any]) -> dict[str, Any] | None:
    """A report's telephony detail; None when the dialer sent none of its fields.

    ``sipCode`` and ``q850Cause`` stay in it as null when not given (no final response, no
    cause); ``amd`` only when detection ran."""
    if all(body.get(name) is None for name in TELEPHONY_FIELDS):
        return None
    detail = {name: body.get(name) for name in TELEPHONY_FIELDS}
    if detail["amd"] is None:
        del detail["amd"]
    return detail


def wire_claimed(campaign: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    caller = row["caller"]
    if not caller:
        configured = campaign["caller_no"]
        caller = configured if isinstance(configured, str) else configured[0]["accessCode"]
    numbers = [n["calledNo"] for n in row["called_nos"]] if row["called_nos"] else [row["called"]]
    return {
        "version": "1",
        "serviceId": str(campaign["id"]),
        "seviceId": str(campaign["id"]),
        "uniqueId": str(row["id"]),
        "phoneNumber": numbers,
        "callData": row["call_data"] or "",
        "callerNumber": caller,
        "ieData": "",
    }


def wire_reserved(campaign: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """A reserved call in a claim: its ``uniqueId`` is its appointId.

    The rules: docs/api.md, "Reserved calls".
    """
    configured = campaign["caller_no"]
    return {
        "version": "1",
        "serviceId": str(campaign["id"]),
        "seviceId": str(campaign["id"]),
        "uniqueId": str(appoint_id(row["id"])),
        "phoneNumber": [row["called"]],
        "callData": row["call_data"] or "",
        "callerNumber": configured if isinstance(configured, str) else configured[0]["accessCode"],
        "ieData": "",
    }


def with_work_nos(items: list[dict[str, Any]], work_nos: dict[int, str]) -> list[dict[str, Any]]:
    """Claimed items of an agent campaign carry the workNo of the agent each is for."""
    if not work_nos:
        return items
    return [
        {**item, "workNo": work_nos[int(item["uniqueId"])]}
        if int(item["uniqueId"]) in work_nos
        else item
        for item in items
    ]
