"""Business-result definitions and display results: fields and wire forms.

The rules: docs/api.md#business-result-definitions-and-display-results.
"""

from __future__ import annotations

from typing import Any

from ...domain.fail_codes import FAIL_CODES
from ...errors import ErrorCode, InvalidParameter
from ..validation import INT32_MAX, Field, Schema

#: characters refused in names and descriptions ("no special characters"; decision: this set)
SPECIAL = "`~!@#$%^&*()+=|{}'\":;<>/?\\[]"
CODE_CHARS = "A-Za-z0-9-"
MAX_CHILDREN = 50

_NAME = Field("name", required=True, max_length=50, forbidden=SPECIAL)
_CODE = Field("code", max_length=50, charset=CODE_CHARS, description="generated when absent")
_DESCRIPTION = Field("description", max_length=200, forbidden=SPECIAL)

ADD_BUSINESS_RESULT: Schema = (
    _NAME,
    _CODE,
    _DESCRIPTION,
    Field(
        "children",
        "list",
        max_items=MAX_CHILDREN,
        item=Field("children[]", "object", required=True, fields=(_NAME, _CODE, _DESCRIPTION)),
        description="sub-results (sub-statuses)",
    ),
)

#: queryBusinessResults, queryOBSResults, queryOBSResultCode
PAGE_QUERY: Schema = (
    Field("pageSize", "integer", required=True, minimum=1, maximum=50),
    Field("pageNum", "integer", required=True, minimum=1, maximum=INT32_MAX),
)

MAX_FAIL_CODES = 100

CREATE_DISPLAY_RESULT: Schema = (
    Field("resultCode", max_length=7, charset="A-Za-z0-9", description="fewer than 8"),
    Field("displayResult", required=True, max_length=100, forbidden=SPECIAL),
    Field(
        "obsCodes",
        "list",
        max_items=MAX_FAIL_CODES,
        item=Field("obsCodes[]", required=True, max_length=5, charset="0-9"),
        description="platform failCodes shown as this result (queryOBSResultCode)",
    ),
)

#: the platform's outbound result codes (docs/api.md#platform-failcodes), as
#: queryOBSResultCode lists them; domain/fail_codes.py owns the table
OBS_CODES: tuple[tuple[str, str], ...] = tuple((e.code, e.meaning) for e in FAIL_CODES)
OBS_CODE_SET = frozenset(code for code, _ in OBS_CODES)


def check_children(body: dict[str, Any]) -> None:
    """Children's codes given are unique within the result."""
    codes = [child["code"] for child in body["children"] or [] if child["code"] is not None]
    if len(set(codes)) < len(codes):
        raise InvalidParameter(ErrorCode.WRONG_VALUE, "children: a code is given twice")


def fail_codes(body: dict[str, Any]) -> list[str]:
    """obsCodes: platform failCodes from queryOBSResultCode, each at most once."""
    codes = body["obsCodes"] or []
    unknown = [code for code in codes if code not in OBS_CODE_SET]
    if unknown:
        raise InvalidParameter(
            ErrorCode.WRONG_VALUE, f"obsCodes: not platform result codes: {', '.join(unknown)}"
        )
    if len(set(codes)) < len(codes):
        raise InvalidParameter(ErrorCode.WRONG_VALUE, "obsCodes: a failCode is given twice")
    return codes


def wire_business_result(row: dict[str, Any], children: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": row["name"],
        "code": row["code"],
        "description": row["description"] or "",
        "defLevel": "1",
        "children": [
            {
                "name": child["name"],
                "code": child["code"],
                "description": child["description"] or "",
                "defLevel": "2",
            }
            for child in children
        ],
    }


def wire_display_result(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "displayResult": row["display_result"],
        "resultCode": row["result_code"] or "",
        "defId": str(row["id"]),
    }


def wire_display_detail(row: dict[str, Any], maps: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "defId": str(row["id"]),
        "displayResult": row["display_result"],
        "vdnId": row["vdn_id"],
        "resultCode": row["result_code"] or "",
        "resultMapList": [
            {
                "mapId": str(entry["id"]),
                "defId": str(row["id"]),
                "failCode": entry["fail_code"],
                "vdnId": str(row["vdn_id"]),
            }
            for entry in maps
        ],
    }
