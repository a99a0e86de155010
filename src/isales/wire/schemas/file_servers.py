"""File-server interfaces (cec_07_4050-4053) and imports from a file server (cec_07_4038,
cec_07_4028): fields, cross-field rules, wire form."""

from __future__ import annotations

import posixpath
from typing import Any

from ...errors import ErrorCode, InvalidParameter
from ..validation import INT32_MAX, Field, Schema
from . import imports

#: Huawei's forbidden user-name characters (ASCII and full-width)
USER_NAME_FORBIDDEN = "`~!@#$ %^&*()+=|{}'\":;<>/?.\\[]！￥…（）—【】‘；：”“’，、？"
PASSWORD_LENGTH = (8, 80)

_SERVER_INFO = Field(
    "serverInfo",
    "object",
    required=True,
    key="server_info",
    fields=(
        Field("ip", required=True, max_length=64, charset="0-9A-Za-z.:-"),
        Field("port", "integer", required=True, minimum=1, maximum=65535),
        Field("filePath", max_length=255, key="file_path", description="the server's base path"),
    ),
)
_USER = Field("userName", required=True, max_length=30, forbidden=USER_NAME_FORBIDDEN, key="user")


def _password(required: bool) -> Field:
    return Field("serverPwd", required=required, key="password", description="8-80; stored sealed")


ADD: Schema = (_SERVER_INFO, _USER, _password(required=True))
UPDATE: Schema = (_SERVER_INFO, _USER, _password(required=False))
QUERY: Schema = (
    Field("offset", "integer", required=True, minimum=0, maximum=INT32_MAX),
    Field("limit", "integer", required=True, minimum=1, maximum=100),
    Field(
        "serverIds",
        "list",
        max_items=100,
        key="server_ids",
        item=Field("serverIds[]", required=True, max_length=10, charset="0-9"),
    ),
)

#: ``calldatafile/uploadFileServer``: Huawei's form (serverId, filePath) or isales' (fileContent)
NUMBER_IMPORT: Schema = (
    Field("serverId", max_length=10, charset="0-9", key="server_id"),
    Field("filePath", max_length=255, key="file_path"),
    Field("fileName", required=True, max_length=255),
    Field("fileContent", description="isales form: the file's bytes, base64, instead of serverId"),
    imports.ALLOW_DUPLICATE_FILE,
)


def server_values(body: dict[str, Any]) -> dict[str, Any]:
    """The stored fields of an add or update (the password still in clear)."""
    password = body["password"]
    low, high = PASSWORD_LENGTH
    if password is not None and not low <= len(password) <= high:
        raise InvalidParameter(
            ErrorCode.LENGTH_OUT_OF_RANGE, f"serverPwd: must be {low} to {high} characters"
        )
    info = body["server_info"]
    return {
        "ip": info["ip"],
        "port": info["port"],
        "path": info["file_path"],
        "user_name": body["user"],
        "password": password,
    }


def server_id(text: str) -> int:
    number = int(text)
    if not 1 <= number <= INT32_MAX:
        raise InvalidParameter(ErrorCode.WRONG_VALUE, "serverId: not a file server id")
    return number


def remote_path(base: str | None, file_path: str | None, file_name: str) -> str:
    """The file's path on the server: its base path, the relative ``filePath``, the name.

    Decision: ``fileName`` is a plain name and ``filePath`` never climbs out of the base
    path (no ``..`` segment); a leading ``/`` of ``filePath`` is read as relative.
    """
    if "/" in file_name or "\\" in file_name or file_name in (".", ".."):
        raise InvalidParameter(ErrorCode.INVALID_CHARACTERS, "fileName: a file name, not a path")
    relative = (file_path or "").replace("\\", "/").strip("/")
    if ".." in relative.split("/"):
        raise InvalidParameter(ErrorCode.INVALID_CHARACTERS, "filePath: must not contain ..")
    return (
        posixpath.join(base or ".", relative, file_name)
        if relative
        else posixpath.join(base or ".", file_name)
    )


def import_source(body: dict[str, Any]) -> int | None:
    """The file server of a number import, or None when the file is in the body."""
    if body["server_id"] is not None and body["fileContent"] is not None:
        raise InvalidParameter(
            ErrorCode.WRONG_COMBINATION, "give serverId or fileContent, not both"
        )
    if body["server_id"] is None:
        if body["fileContent"] is None:
            raise InvalidParameter(ErrorCode.EMPTY, "serverId (or fileContent) is mandatory")
        if body["file_path"] is not None:
            raise InvalidParameter(
                ErrorCode.WRONG_COMBINATION, "filePath is only valid with serverId"
            )
        return None
    return server_id(body["server_id"])


def wire_server(row: dict[str, Any]) -> dict[str, Any]:
    """A file server as queryServer shows it: never its password."""
    return {
        "serverId": str(row["id"]),
        "ip": row["ip"],
        "port": str(row["port"]),
        "filePath": row["path"] or "",
        "userName": row["user_name"],
    }
