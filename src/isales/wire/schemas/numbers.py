"""Outbound-number interfaces (docs/api.md#numbers and the history extension)."""

from __future__ import annotations

from typing import Any, Protocol
from zoneinfo import ZoneInfo

from ...domain import contact_keys
from ...domain.number_filter import NumberFilter
from ...domain.recycle import recycle_window
from ...errors import ErrorCode, InvalidParameter
from ..validation import INT32_MAX, PHONE_CHARS, TIME_FORMAT, Field, Schema

#: characters v2 refuses in customField (ASCII specials and their full-width forms)
CUSTOM_FIELD_V2_FORBIDDEN = "`~!@#$%^&*()+=|{}'\":;<>/?.[]，。；：？！“”‘’（）【】《》、"

_SESSION = Field("sessionId", max_length=32, key="session_id")
_CALLER = Field("caller", max_length=24, charset=PHONE_CHARS, key="caller")
_RECYCLE = Field("recycleTime", format="time", key="recycle_time", description="UTC")
_CALL_DATA = Field("callData", max_length=1024, key="call_data")

#: the contact-policy keys of a record (isales extensions; docs/contact-policies.md, "Keys"):
#: a v2 record is one person, so its keys apply to all its numbers
CONTACT_KEYS = (
    Field(
        "personId",
        max_length=contact_keys.ID_MAX,
        charset=contact_keys.ID_CHARS,
        key="person_id",
        description="isales: the person behind the record",
    ),
    Field(
        "subjectId",
        max_length=contact_keys.MAX_SUBJECTS * (contact_keys.ID_MAX + 1),
        format="subjects",
        key="subject_ids",
        description="isales: 1-5 subject ids joined by |",
    ),
    Field(
        "region",
        max_length=6,
        format="region",
        key="region",
        description="isales: the person's jurisdiction, ISO 3166 CC or CC-SS",
    ),
)

V1_RECORD = (
    _SESSION,
    Field("called", required=True, max_length=24, charset=PHONE_CHARS, key="called"),
    _CALLER,
    Field("customField", max_length=200, key="custom_field"),
    _RECYCLE,
    _CALL_DATA,
    Field("timeZone", max_length=64, format="zone", key="time_zone", description="IANA name"),
    *CONTACT_KEYS,
)

MAX_NUMBERS_PER_CUSTOMER = 20

V2_CALLED = Field(
    "called",
    "list",
    required=True,
    max_items=MAX_NUMBERS_PER_CUSTOMER,
    key="called_nos",
    item=Field(
        "called[]",
        "object",
        required=True,
        fields=(
            Field("calledNo", required=True, max_length=24, charset=PHONE_CHARS),
            Field("delayTime", "integer", minimum=0, maximum=7200, description="seconds"),
            Field("type", max_length=32),
        ),
    ),
)

V2_RECORD = (
    _SESSION,
    V2_CALLED,
    _CALLER,
    Field("customField", max_length=200, forbidden=CUSTOM_FIELD_V2_FORBIDDEN, key="custom_field"),
    _RECYCLE,
    _CALL_DATA,
    Field("timeZone", max_length=64, format="zone", key="time_zone", description="IANA name"),
    *CONTACT_KEYS,
)


class AddLimits(Protocol):
    """The per-call maxima of the add interfaces (the settings have them)."""

    @property
    def add_v1_max_per_call(self) -> int: ...

    @property
    def add_v2_max_per_call(self) -> int: ...


def add_v1(settings: AddLimits) -> Schema:
    return (
        Field(
            "callDataList",
            "list",
            required=True,
            max_items=settings.add_v1_max_per_call,
            too_many=ErrorCode.TOO_MANY_PER_CALL,
            item=Field("callDataList[]", "object", required=True, fields=V1_RECORD),
        ),
    )


def add_v2(settings: AddLimits) -> Schema:
    return (
        Field("batchId", max_length=64),
        Field(
            "callDataList",
            "list",
            required=True,
            max_items=settings.add_v2_max_per_call,
            too_many=ErrorCode.TOO_MANY_PER_CALL,
            item=Field("callDataList[]", "object", required=True, fields=V2_RECORD),
        ),
    )


def records_v1(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**record, "called_all": [record["called"]]} for record in body["callDataList"]]


def records_v2(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [record_v2(record, body["batchId"]) for record in body["callDataList"]]


def record_v2(record: dict[str, Any], batch_id: str | None) -> dict[str, Any]:
    """One checked v2 record as the add stores it."""
    called_nos = [{k: v for k, v in n.items() if v is not None} for n in record["called_nos"]]
    return {
        **record,
        "called": called_nos[0]["calledNo"],
        "called_nos": called_nos,
        "batch_id": batch_id,
        "called_all": [n["calledNo"] for n in called_nos],
    }


DELETE: Schema = (
    Field("sessionId", max_length=32),
    Field("called", max_length=24, charset=PHONE_CHARS),
    Field("customField", max_length=200),
    Field("recycleTime", format="time", description="UTC"),
    Field("recycleType", choices=("1", "2", "3"), description="only with recycleTime; default 3"),
    Field("archiveHistory", "integer", choices=(0, 1), description="1 moves to history; default 0"),
    Field("batchId", max_length=64, description="isales: numbers of this call batch"),
    Field(
        "expectedCount",
        "integer",
        minimum=0,
        maximum=INT32_MAX,
        description="isales: delete only if exactly this many would be deleted (0209001)",
    ),
)

#: the delete's filters; at least one must be given
_DELETE_FILTERS = ("sessionId", "called", "customField", "recycleTime", "batchId")


def delete_request(body: dict[str, Any]) -> tuple[Any, str, bool]:
    """The filter pieces, in the spec's order of rules; (recycle time, type, archive)."""
    if body["recycleType"] is not None and body["recycleTime"] is None:
        raise InvalidParameter(
            ErrorCode.WRONG_COMBINATION, "recycleType is only valid with recycleTime"
        )
    if all(body[name] is None for name in _DELETE_FILTERS):
        raise InvalidParameter(
            ErrorCode.EMPTY,
            "give at least one of sessionId, called, customField, recycleTime, batchId: "
            "an empty filter never deletes a whole campaign",
        )
    return body["recycleTime"], body["recycleType"] or "3", body["archiveHistory"] == 1


def delete_filter(body: dict[str, Any], zone: ZoneInfo) -> tuple[NumberFilter, bool]:
    """A checked delete body (the delete interface's, its preview's, the console's form)
    as the filter it matches and whether to archive: the one reading of that body.
    ``recycleTime`` becomes a window by ``recycleType`` in ``zone`` (the tenant's days)."""
    recycle_time, recycle_type, archive = delete_request(body)
    recycle = recycle_window(recycle_time, recycle_type, zone) if recycle_time else None
    number_filter = NumberFilter(
        session_id=body["sessionId"],
        called=body["called"],
        custom_field=body["customField"],
        recycle=recycle,
        batch_id=body["batchId"],
    )
    return number_filter, archive


HISTORY_QUERY: Schema = (
    Field("sessionId", max_length=32, key="session_id"),
    Field("called", max_length=24, charset=PHONE_CHARS, key="called"),
    Field("customField", max_length=200, key="custom_field"),
    Field("dataId", "integer", minimum=1, maximum=2**63 - 1, key="id"),
    Field("requestId", max_length=64, key="request_id"),
    Field("pageNum", "integer", minimum=1, maximum=10**9, description="default 1"),
    Field("pageSize", "integer", minimum=1, maximum=500, description="default 100"),
)


def _time(value) -> str:  # type: ignore[no-untyped-def]
    return value.strftime(TIME_FORMAT) if value is not None else ""


def _called_nos(row: dict[str, Any]) -> list[dict[str, Any]]:
    return row["called_nos"] or [{"calledNo": row["called"]}]


_PROPERTIES = (
    ("sessionId", "Session ID", "session_id"),
    ("called", "Called number", "called"),
    ("caller", "Calling number", "caller"),
    ("customField", "Custom field", "custom_field"),
    ("recycleTime", "Recycle time", "recycle_time"),
    ("callData", "Call data", "call_data"),
    ("batchId", "Batch ID", "batch_id"),
    ("status", "Dial state", "state"),
    ("attempts", "Attempts reported", "attempts"),
)

#: the contact-policy keys, shown only when the record has them (a record added without
#: them answers exactly as a CC-iSales one)
_KEY_PROPERTIES = (
    ("personId", "Person ID", "person_id"),
    ("subjectId", "Subject IDs", "subject_ids"),
    ("region", "Region", "region"),
)


def wire_keys(row: dict[str, Any]) -> dict[str, str]:
    """The record's contact keys that are set, by their wire names."""
    return {code: row[column] for code, _, column in _KEY_PROPERTIES if row.get(column)}


def wire_number(row: dict[str, Any]) -> dict[str, Any]:
    properties = []
    for code, label, column in _PROPERTIES:
        value = row[column]
        text = _time(value) if column == "recycle_time" else ("" if value is None else str(value))
        properties.append({"propCode": code, "propName": label, "propValue": text})
    for code, label, column in _KEY_PROPERTIES:
        if row.get(column):
            properties.append({"propCode": code, "propName": label, "propValue": row[column]})
    return {
        "dataId": str(row["id"]),
        "properties": properties,
        "calledNos": [
            {"calledNo": n["calledNo"], "type": n.get("type", "")} for n in _called_nos(row)
        ],
    }


def wire_history(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "dataId": str(row["id"]),
        "campaignId": row["campaign_id"],
        "sessionId": row["session_id"] or "",
        "called": row["called"],
        "calledNos": _called_nos(row),
        "caller": row["caller"] or "",
        "customField": row["custom_field"] or "",
        "recycleTime": _time(row["recycle_time"]),
        "callData": row["call_data"] or "",
        "batchId": row["batch_id"] or "",
        "status": row["state"],
        "attempts": row["attempts"],
        "createdAt": _time(row["created_at"]),
        "archivedAt": _time(row["archived_at"]),
        "archivedBy": row["archived_by"],
        "requestId": row["request_id"],
        "reason": row["reason"],
        **wire_keys(row),
    }
