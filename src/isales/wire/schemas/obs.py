"""The remaining dialer-facing ("OBS") interfaces: interface, push/midresult, isholiday.

The rules: docs/api.md, "More dialer-facing interfaces".
"""

from __future__ import annotations

from ..paths import DIALER_BASE
from ..validation import INT32_MAX, INT64_MAX, PHONE_CHARS, Field, Schema

_SUB_CC = Field("subCCNo", "integer", minimum=0, maximum=INT32_MAX)
_VDN = Field("vdnId", "integer", required=True, minimum=1, maximum=9999)

INTERFACE: Schema = (
    Field("version", required=True, max_length=32),
    _SUB_CC,
    Field("vdnId", "integer", minimum=1, maximum=9999, description="if given, must be granted"),
)

MID_RESULT: Schema = (
    _SUB_CC,
    _VDN,
    Field("uniqueId", "integer", required=True, minimum=1, maximum=INT64_MAX),
    Field("serviceId", "integer", required=True, minimum=1, maximum=INT32_MAX),
    Field("status", max_length=2),
    Field("deviceType", "integer"),
    Field("phoneNumber", max_length=24, charset=PHONE_CHARS),
    Field("failCode", max_length=10),
    Field("asrResult", max_length=4096),
    Field("fetchTime", max_length=32),
    Field("writeStartTime", max_length=32),
    Field("endCallTime", max_length=32),
    Field("callId", max_length=64),
)

IS_HOLIDAY: Schema = (
    _SUB_CC,
    _VDN,
    Field(
        "holidayId",
        required=True,
        max_length=10,
        charset="0-9",
        description="the campaign (serviceId) whose special dates decide",
    ),
)

OBS = DIALER_BASE

#: the paths the CTI engine is told to use (the ``interface`` answer)
PATHS = {
    "getTask": OBS + "/tasks",
    "getUserData": OBS + "/callnos",
    "getHoliDay": OBS + "/isholiday",
    "pushCallOutRlt": OBS + "/call/result",
    "pushMidRlt": OBS + "/push/midresult",
}
