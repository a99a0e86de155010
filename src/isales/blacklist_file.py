"""Blacklist files (docs/api.md, "Blacklist file import"): CSV and XLSX rows become
blacklist entries.

Pure: no SQL, no HTTP. Huawei's template has five columns, read **by position** (their
header texts differ by language, so the first non-blank row is taken as the header and
skipped whatever it says):

    number (mandatory), expiration time, validity period (hours), maximum calls, period

Each data row is judged by the blacklist add's field rules: number ≤ 24 of ``0-9*#``;
expiration ``yyyy-MM-dd HH:mm:ss`` (UTC); validity 1-120 hours; maximum calls 1-100 and
period ``0`` (per hour) or ``1`` (per day), both or neither. Reading goes through
``imports_format.sheet_rows``, so number files and blacklist files share one reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .errors import ErrorCode, InvalidParameter, TooManyPerCall
from .imports_format import FileLimits, sheet_rows
from .wire.validation import PHONE_CHARS, Field, validate_object

COLUMNS = ("number", "validityExpirationTime", "validityTime", "restrictTimes", "restrictPeriod")

ROW = (
    Field("number", required=True, max_length=24, charset=PHONE_CHARS),
    Field("validityExpirationTime", format="time", key="expires_at"),
    Field("validityTime", "integer", minimum=1, maximum=120, key="validity_hours"),
    Field("restrictTimes", "integer", minimum=1, maximum=100, key="restrict_times"),
    Field("restrictPeriod", choices=("0", "1"), key="restrict_period"),
)


def data_rows(
    file_name: str, content: bytes, limits: FileLimits
) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) of the data rows: every non-blank row after the header."""
    rows = sheet_rows(file_name, content, limits)
    next(rows, None)
    yield from rows


def entry(cells: list[Any]) -> dict[str, Any]:
    """One row as an entry's terms (raises InvalidParameter naming the broken rule)."""
    if len(cells) > len(COLUMNS) and any(cell is not None for cell in cells[len(COLUMNS) :]):
        raise InvalidParameter(
            ErrorCode.PARAMETER_ERROR, f"a value beyond the {len(COLUMNS)} template columns"
        )
    values = {name: cell for name, cell in zip(COLUMNS, cells, strict=False) if cell is not None}
    record = validate_object(values, ROW, "")
    if (record["restrict_times"] is None) != (record["restrict_period"] is None):
        raise InvalidParameter(
            ErrorCode.WRONG_COMBINATION, "restrictTimes and restrictPeriod go together"
        )
    return record


def count_rows(file_name: str, content: bytes, limits: FileLimits) -> int:
    """Data rows of a readable file; more than ``limits.rows`` is 0200029, none is 02000001."""
    total = 0
    for _ in data_rows(file_name, content, limits):
        total += 1
        if total > limits.rows:
            raise TooManyPerCall(f"the file has more than {limits.rows} rows")
    if total == 0:
        raise InvalidParameter(ErrorCode.EMPTY, "the file has no blacklist rows")
    return total
