"""Calling-number interfaces (docs/api.md#calling-numbers): fields and wire form."""

from __future__ import annotations

from typing import Any

from ...errors import ErrorCode
from ..validation import DIGITS, Field, Schema

MAX_PER_CALL = 100

_ACCESS_CODE = Field("accessCode", required=True, max_length=24, charset=DIGITS)


def _body(*extra: Field) -> Schema:
    return (
        Field(
            "callerNo",
            "list",
            required=True,
            max_items=MAX_PER_CALL,
            too_many=ErrorCode.TOO_MANY_PER_CALL,
            item=Field("callerNo[]", "object", required=True, fields=(_ACCESS_CODE, *extra)),
        ),
    )


ADD: Schema = _body(Field("priority", "integer", minimum=1, maximum=5, description="optional"))
DELETE: Schema = _body()


def entries(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The requested calling numbers as a v2 create stores them: ``{accessCode, priority}``."""
    return [{"accessCode": i["accessCode"], "priority": i["priority"]} for i in body["callerNo"]]
