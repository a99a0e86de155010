"""Reserved-call interfaces (docs/api.md, "Reserved calls"): fields, rules, wire form."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ...domain.reservations import AUTOMATIC, MANUAL, appoint_id
from ...errors import ErrorCode, InvalidParameter
from ..validation import INT32_MAX, PHONE_CHARS, Field, Schema
from .numbers import CONTACT_KEYS

#: a millisecond timestamp up to 9999-12-31 23:59:59.999 UTC
MAX_MILLIS = 253_402_300_799_999

_APPOINT_ID = Field("appointId", required=True, max_length=19, charset="0-9", key="appoint_id")
_ACCOUNT = Field("userAccount", max_length=64, key="user_account")
_WORK_NO = Field("workNo", max_length=32, key="work_no")


def _millis(name: str, required: bool = False, key: str | None = None) -> Field:
    return Field(
        name,
        "integer",
        required=required,
        minimum=0,
        maximum=MAX_MILLIS,
        key=key,
        description="milliseconds since 1970-01-01 UTC",
    )


CREATE: Schema = (
    Field("callType", "integer", required=True, choices=(MANUAL, AUTOMATIC), key="call_type"),
    Field("calledNo", required=True, max_length=24, charset=PHONE_CHARS, key="called"),
    _ACCOUNT,
    _WORK_NO,
    Field("taskId", required=True, max_length=10, charset="0-9", key="task_id"),
    _millis("appointTime", required=True, key="appoint_time"),
    Field("callData", max_length=1024, key="call_data", description="automatic calls only"),
    Field("remark", max_length=256),
    # isales extensions: the contact-policy keys (without them: keyed by calledNo alone)
    *CONTACT_KEYS,
)

DELETE: Schema = (_APPOINT_ID,)

UPDATE: Schema = (
    _APPOINT_ID,
    _ACCOUNT,
    _WORK_NO,
    _millis("appointTime", key="appoint_time"),
    Field("remark", max_length=256),
)

LIST: Schema = (
    Field("calledNo", max_length=24, charset=PHONE_CHARS, key="called"),
    Field(
        "userAccountList",
        "list",
        max_items=100,
        item=Field("userAccountList[]", required=True, max_length=64),
        key="accounts",
    ),
    _millis("beginTime", key="begin"),
    _millis("endTime", key="end"),
    Field("taskId", max_length=10, charset="0-9", key="task_id"),
    Field("offset", "integer", required=True, minimum=0, maximum=INT32_MAX),
    Field("limit", "integer", required=True, minimum=1, maximum=100),
)

UPDATE_RESULT: Schema = (
    _APPOINT_ID,
    _ACCOUNT,
    _WORK_NO,
    Field("callerNo", max_length=24, charset=PHONE_CHARS, key="caller"),
    Field("failCode", max_length=10, key="fail_code"),
    Field("callId", max_length=64, key="call_id"),
    Field("busiResult", max_length=50, key="busi_result"),
    Field("busiSubStatus", max_length=50, key="busi_sub_status"),
    _millis("beginTime", key="call_begin"),
    _millis("endTime", key="call_end"),
)

#: wire status of a reservation
STATUS = {"pending": "0", "calling": "1", "executed": "2"}


def from_millis(value: int | None) -> datetime | None:
    if value is None:
        return None
    return datetime.fromtimestamp(value / 1000, UTC).replace(tzinfo=None)


def to_millis(value: datetime | None) -> int | None:
    if value is None:
        return None
    return int(value.replace(tzinfo=UTC).timestamp() * 1000)


def _integer_id(name: str, text: str | None, maximum: int) -> int | None:
    if text is None:
        return None
    number = int(text)
    if number > maximum:
        raise InvalidParameter(ErrorCode.WRONG_VALUE, f"{name}: too large")
    return number


def create_request(body: dict[str, Any]) -> dict[str, Any]:
    """Cross-field rules: a manual call names its agent; callData only for automatic calls."""
    if body["call_type"] == MANUAL and body["user_account"] is None and body["work_no"] is None:
        raise InvalidParameter(
            ErrorCode.EMPTY, "userAccount (or workNo) is mandatory for a manual reserved call"
        )
    if body["call_type"] == MANUAL and body["call_data"] is not None:
        raise InvalidParameter(
            ErrorCode.WRONG_COMBINATION, "callData is only valid for automatic reserved calls"
        )
    return {
        **body,
        "campaign_id": _integer_id("taskId", body["task_id"], INT32_MAX),
        "appoint_at": from_millis(body["appoint_time"]),
    }


def list_filters(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "called": body["called"],
        "accounts": body["accounts"],
        "begin": from_millis(body["begin"]),
        "end": from_millis(body["end"]),
        "campaign_id": _integer_id("taskId", body["task_id"], INT32_MAX),
    }


def wire_reservation(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "appointId": str(appoint_id(row["id"])),
        "callType": row["call_type"],
        "calledNo": row["called"],
        "userAccount": row["user_account"] or "",
        "workNo": row["work_no"] or "",
        "taskId": str(row["campaign_id"]),
        "taskName": row["campaign_name"] or "",
        "taskStatus": "" if row["campaign_status"] is None else str(row["campaign_status"]),
        "timeout": bool(row["timed_out"]),
        "userName": row["user_account"] or row["work_no"] or "",
        "appointTime": to_millis(row["appoint_at"]),
        "callData": row["call_data"] or "",
        "remark": row["remark"] or "",
        "status": STATUS[row["state"]],
        "callerNo": row["caller"] or "",
        "callStatus": row["call_status"] or "",
        "failCode": row["fail_code"] or "",
        "callId": row["call_id"] or "",
        "busiResult": row["busi_result"] or "",
        "busiSubStatus": row["busi_sub_status"] or "",
        "beginTime": to_millis(row["call_begin"]),
        "endTime": to_millis(row["call_end"]),
    }
