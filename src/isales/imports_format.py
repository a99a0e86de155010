"""Number files (docs/api.md#file-import): CSV and XLSX rows become number records.

Pure: no SQL, no HTTP. A file has a header row naming its columns (any order, names
matched without regard to case or surrounding blanks):

    sessionId, called, caller, callData, customField, recycleTime, priority
    (isales: timeZone, personId, subjectId, region)

``called`` is mandatory; the others are optional. Every data row is one number record and
is judged by the v2 add's field rules (``wire/schemas/numbers.V2_RECORD``) plus ``priority``.
Rows whose cells are all blank are skipped and not counted. Row numbers are the file's own:
the header is row 1 (the sheet row in XLSX, the record number in CSV, which is the line
number unless a quoted value spans lines).

CSV: UTF-8 (a byte-order mark is allowed), comma-separated, ``"`` quotes.
XLSX: the first sheet; number cells are read as their integer text, date cells as
``yyyy-MM-dd HH:mm:ss``.

Bounds (docs/api.md#limits-and-protections): every row after the header counts toward
the row limit, blank or not. An XLSX is first scanned as a stream, before it is read,
and refused (02000008) when it would unpack to more than ``FileLimits.unpacked_bytes`` or
``MAX_UNPACK_RATIO`` times its size, holds a cell or shared string longer than
``MAX_CELL_CHARS``, a row index beyond the row limit, a cell beyond the format's columns,
or a row or cell reference not written as plain digits (the reader would take "2e7" as
row 20,000,000); every XML part is scanned whatever its name; so reading it costs
bounded memory and time.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import io
import json
import re
import zipfile
from array import array
from collections.abc import Generator, Iterator, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any, cast
from xml.parsers import expat

from .config import FileLimits
from .errors import ErrorCode, InvalidParameter, TooManyPerCall
from .wire.schemas.numbers import V2_RECORD, record_v2
from .wire.validation import TIME_FORMAT, Field, ObjectCheck, compile_object

COLUMNS = (
    "sessionId",
    "called",
    "caller",
    "callData",
    "customField",
    "recycleTime",
    "priority",
    "timeZone",  # isales extension: the number's IANA time zone
    # isales extensions: the contact-policy keys (docs/contact-policies.md, "Keys")
    "personId",
    "subjectId",
    "region",
)
_BY_LOWER = {name.lower(): name for name in COLUMNS}

#: the row fields: the v2 add's, plus the template's optional priority (stored as given)
RECORD = (*V2_RECORD, Field("priority", "integer", minimum=0, maximum=32767, key="priority"))


@cache
def _record_check(columns: frozenset[str]) -> ObjectCheck:
    """RECORD's rules compiled once for a file's columns (wire/validation.compile_object):
    a file checks every row with the same rules, and its absent columns are decided once."""
    return compile_object(RECORD, columns)


#: longest ``called`` text read as a list (20 numbers with delayTime and type fit easily)
MAX_CALLED_TEXT = 4096

#: longest XLSX cell or shared string, in characters
MAX_CELL_CHARS = 64 * 1024
#: an XLSX unpacks to at most this many times its own size
MAX_UNPACK_RATIO = 100
_SCAN_CHUNK = 64 * 1024
#: the limits of a file read without settings (tests, the blacklist sheet reader)
DEFAULT_LIMITS = FileLimits()


def _unreadable(message: str) -> InvalidParameter:
    return InvalidParameter(ErrorCode.CONVERSION, message)


#: a row reference as every writer of XLSX spells it; the reader would also take forms
#: such as "2e7" (row 20,000,000), so anything else is refused rather than guessed
_ROW_REFERENCE = re.compile(r"[1-9][0-9]{0,17}\Z")
#: a cell reference: column letters then the row, as above
_CELL_REFERENCE = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,17})\Z")
#: the elements whose text the reader keeps as one value: a cell, a shared string
_VALUE_ELEMENTS = ("c", "si")


def _column_index(letters: str) -> int:
    """1 for "A", 28 for "AB"."""
    index = 0
    for char in letters:
        index = index * 26 + (ord(char) - ord("A") + 1)
    return index


def _scan_part(stream: Any, limits: FileLimits) -> None:
    """Stream one part through expat, checking the bounds of the rows, cells and shared
    strings in it. Any part is scanned this way whatever its name, so a sheet or a string
    table stored under another name is checked as well."""
    parser = expat.ParserCreate()
    state = {"row": 0, "column": 0, "chars": 0, "open": 0}

    def beyond_rows(row: int) -> None:
        if row > limits.rows + 1:
            raise _unreadable(
                f"row {row} is beyond the row limit of {limits.rows} rows (blank rows count)"
            )

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "row":
            reference = attrs.get("r")
            if reference is None:
                state["row"] += 1
            elif _ROW_REFERENCE.match(reference):
                state["row"] = int(reference)
            else:
                raise _unreadable(f"a row reference {reference[:20]!r} is not a row number")
            state["column"] = 0
            beyond_rows(state["row"])
        elif local in _VALUE_ELEMENTS:
            state["chars"] = 0
            state["open"] += 1
            if local == "c":
                reference = attrs.get("r")
                if reference is None:
                    state["column"] += 1
                else:
                    matched = _CELL_REFERENCE.match(reference)
                    if matched is None:
                        raise _unreadable(
                            f"a cell reference {reference[:20]!r} is not a cell of the sheet"
                        )
                    state["column"] = _column_index(matched.group(1))
                    beyond_rows(int(matched.group(2)))
                if state["column"] > len(COLUMNS):
                    raise _unreadable(
                        f"a cell in column {state['column']}: the format has {len(COLUMNS)} columns"
                    )

    def end(name: str) -> None:
        if name.rpartition(":")[2] in _VALUE_ELEMENTS:
            state["open"] = max(0, state["open"] - 1)

    def text(data: str) -> None:
        if not state["open"]:
            return  # text between values: the reader keeps none of it
        state["chars"] += len(data)
        if state["chars"] > MAX_CELL_CHARS:
            raise _unreadable(f"a cell is longer than {MAX_CELL_CHARS} characters")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    while chunk := stream.read(_SCAN_CHUNK):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _is_xml(book: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether a part starts as XML: the reader can read no other part as a sheet or a
    string table, whatever its name (images and binary parts are skipped by content)."""
    if info.is_dir():
        return False
    with book.open(info) as stream:
        head = stream.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<", b"\xff\xfe", b"\xfe\xff")) or not head  # UTF-16 XML too


def check_xlsx(content: bytes, limits: FileLimits) -> None:
    """Refuse (02000008) a workbook that would cost unbounded memory or time to read.

    Every XML part is scanned, not only those at the usual names: the reader finds the
    sheets and the shared strings through the workbook's relationships and content types,
    which may name any part."""
    try:
        book = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _unreadable(f"the file cannot be read as XLSX: {exc}") from exc
    with book:
        cap = min(limits.unpacked_bytes, MAX_UNPACK_RATIO * len(content))
        # zipfile never yields more than a member's declared size: the sum bounds the work
        if sum(info.file_size for info in book.infolist()) > cap:
            raise _unreadable(f"the workbook unpacks to more than {cap} bytes")
        for info in book.infolist():
            try:
                if not _is_xml(book, info):
                    continue
                with book.open(info) as stream:
                    _scan_part(stream, limits)
            except InvalidParameter:
                raise
            except (zipfile.BadZipFile, expat.ExpatError, ValueError, OSError) as exc:
                raise _unreadable(f"the file cannot be read as XLSX: {exc}") from exc


def _kind(file_name: str) -> str:
    lower = file_name.lower()
    for kind in ("csv", "xlsx"):
        if lower.endswith("." + kind):
            return kind
    raise InvalidParameter(ErrorCode.WRONG_VALUE, "fileName: must end with .csv or .xlsx")


def _csv_rows(content: bytes) -> Generator[Sequence[Any]]:
    yield from csv.reader(io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline=""))


def _xlsx_rows(content: bytes, limits: FileLimits) -> Generator[Sequence[Any]]:
    import openpyxl

    check_xlsx(content, limits)
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # a stale <dimension> must not cut rows off
        yield from sheet.iter_rows(values_only=True)
    finally:
        book.close()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell(value: Any) -> Any:
    """An XLSX cell as the JSON binder would see it; CSV cells are text already."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime):
        return value.strftime(TIME_FORMAT)
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d 00:00:00")
    if isinstance(value, float):
        return repr(value)
    return value


def _literal(text: str) -> Any:
    """JSON, or Python literals (single quotes): never code."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        pass
    try:
        return ast.literal_eval(text)
    except Exception as exc:  # syntax, unhashable keys, nesting: all mean "not readable"
        raise InvalidParameter(
            ErrorCode.CONVERSION,
            "called: neither a number nor a list such as [{'calledNo':1234566}]",
        ) from exc


def _called(value: Any) -> Any:
    """``called`` as the v2 list: a plain number, or a list in JSON or with single quotes."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [{"calledNo": value}]
    if not isinstance(value, str):
        return value  # the validation names the wrong type
    text = value.strip()
    if not text.startswith(("[", "{")):
        return [{"calledNo": text}]
    if len(text) > MAX_CALLED_TEXT:
        raise InvalidParameter(
            ErrorCode.TOO_LONG, f"called: longer than {MAX_CALLED_TEXT} characters"
        )
    parsed = _literal(text)
    items = [parsed] if isinstance(parsed, dict) else parsed
    if not isinstance(items, list | tuple):
        return items
    return [item if isinstance(item, dict) else {"calledNo": item} for item in items]


def fingerprints(record: dict[str, Any]) -> list[bytes]:
    """One key per number of a record: a called number with its sessionId (the v2 rule)."""
    session = record["session_id"] or ""
    return [
        hashlib.blake2b(f"{session}\x00{called}".encode(), digest_size=16).digest()
        for called in record["called_all"]
    ]


class FingerprintSet:
    """The 16-byte fingerprints seen so far, in 16 bytes a slot.

    A Python ``set`` of ``bytes`` costs about 100 bytes per fingerprint (the object, its
    allocation, the table): 50 MB for a 500,000-row file. Here each fingerprint is two
    64-bit halves in two flat arrays, found by linear probing, at most 5/8 full: 16 MB for
    the same file, and the same answers (whole fingerprints are compared)."""

    def __init__(self, expected: int = 0) -> None:
        # an all-zero fingerprint is kept aside (``_zero``): zero marks a free slot
        capacity = 1024
        while capacity * 5 < expected * 8:
            capacity *= 2
        self._allocate(capacity)
        self._zero = False

    def _allocate(self, capacity: int) -> None:
        self._mask = capacity - 1
        self._high = array("Q", (0,)) * capacity  # no temporary buffer of the same size
        self._low = array("Q", (0,)) * capacity
        self._used = 0

    def __len__(self) -> int:
        return self._used + self._zero

    def _slot(self, high: int, low: int) -> tuple[int, bool]:
        """(slot, whether the fingerprint is there); else the free slot it would take."""
        mask, highs, lows = self._mask, self._high, self._low
        slot = (low ^ high) & mask
        while True:
            here = highs[slot]
            if here == high and lows[slot] == low:
                return slot, True
            if here == 0 and lows[slot] == 0:
                return slot, False
            slot = (slot + 1) & mask

    def __contains__(self, key: bytes) -> bool:
        high, low = _halves(key)
        if not (high or low):
            return self._zero
        return self._slot(high, low)[1]

    def add(self, key: bytes) -> None:
        high, low = _halves(key)
        if not (high or low):
            self._zero = True
            return
        slot, found = self._slot(high, low)
        if found:
            return
        self._high[slot], self._low[slot] = high, low
        self._used += 1
        if self._used * 8 > (self._mask + 1) * 5:
            self._grow()

    def _grow(self) -> None:
        highs, lows = self._high, self._low
        self._allocate(2 * len(highs))
        for high, low in zip(highs, lows, strict=True):
            if high or low:
                slot = self._slot(high, low)[0]
                self._high[slot], self._low[slot] = high, low
                self._used += 1


def _halves(key: bytes) -> tuple[int, int]:
    return int.from_bytes(key[:8], "little"), int.from_bytes(key[8:16], "little")


class NumberFile:
    """An uploaded file, opened and its header read. Unreadable content is 02000008."""

    def __init__(self, file_name: str, content: bytes, limits: FileLimits = DEFAULT_LIMITS) -> None:
        self.kind = _kind(file_name)
        self.limits = limits
        self._raw = _csv_rows(content) if self.kind == "csv" else _xlsx_rows(content, limits)
        self._source = self._guarded()
        self.header_row = 0
        self.columns = self._header()
        self._check = _record_check(frozenset(name for name in self.columns if name))

    def _guarded(self) -> Generator[tuple[int, Sequence[Any]]]:
        try:
            yield from enumerate(self._raw, start=1)
        except InvalidParameter:
            raise
        except Exception as exc:  # csv, codec, zip and XML errors alike
            raise InvalidParameter(
                ErrorCode.CONVERSION, f"the file cannot be read as {self.kind.upper()}: {exc}"
            ) from exc

    def _header(self) -> list[str | None]:
        for number, cells in self._source:
            if all(_blank(cell) for cell in cells):
                continue
            self.header_row = number
            columns: list[str | None] = []
            for cell in cells:
                name = None if _blank(cell) else _BY_LOWER.get(str(cell).strip().lower())
                if name is None and not _blank(cell):
                    raise InvalidParameter(
                        ErrorCode.PARAMETER_ERROR,
                        f"unknown column {str(cell).strip()!r}; the columns are "
                        + ", ".join(COLUMNS),
                    )
                if name is not None and name in columns:
                    raise InvalidParameter(
                        ErrorCode.PARAMETER_ERROR, f"column {name} appears twice in the header"
                    )
                columns.append(name)
            if "called" not in columns:
                raise InvalidParameter(ErrorCode.EMPTY, "the header has no called column")
            return columns
        raise InvalidParameter(ErrorCode.EMPTY, "the file is empty: no header row")

    def rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        """(row number, cells) of every data row that is not all blank, in file order."""
        for number, cells in self._source:
            if not all(_blank(cell) for cell in cells):
                yield number, cells

    def record(self, cells: Sequence[Any]) -> dict[str, Any]:
        """The number record of one row, by the v2 add's rules (raises InvalidParameter)."""
        values: dict[str, Any] = {}
        for index, cell in enumerate(cells):
            if _blank(cell):
                continue
            if index >= len(self.columns) or self.columns[index] is None:
                raise InvalidParameter(
                    ErrorCode.PARAMETER_ERROR,
                    f"a value in column {index + 1}, which has no header",
                )
            values[cast(str, self.columns[index])] = _cell(cell)
        values["called"] = _called(values.get("called"))
        return record_v2(self._check(values, ""), None)

    def close(self) -> None:
        self._source.close()
        self._raw.close()


def count_rows(file_name: str, content: bytes, limits: FileLimits) -> int:
    """Data rows of a readable file; none is 02000001. More than ``limits.rows`` rows after
    the header, blank ones included, is 0200029."""
    number_file = NumberFile(file_name, content, limits)
    try:
        total = 0
        for number, _ in number_file.rows():
            total += 1
            if number - number_file.header_row > limits.rows:
                raise TooManyPerCall(
                    f"the file has more than {limits.rows} rows (blank rows count)"
                )
    finally:
        number_file.close()
    if total == 0:
        raise InvalidParameter(ErrorCode.EMPTY, "the file has no number rows")
    return total


def sheet_rows(
    file_name: str, content: bytes, limits: FileLimits
) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells as the JSON binder sees them) of every row that is not all blank.

    For files with their own column rules (blacklist files); unreadable content is 02000008.
    """
    kind = _kind(file_name)
    raw = _csv_rows(content) if kind == "csv" else _xlsx_rows(content, limits)
    try:
        for number, cells in enumerate(raw, start=1):
            if not all(_blank(cell) for cell in cells):
                yield number, [None if _blank(cell) else _cell(cell) for cell in cells]
    except InvalidParameter:
        raise
    except Exception as exc:  # csv, codec, zip and XML errors alike
        raise InvalidParameter(
            ErrorCode.CONVERSION, f"the file cannot be read as {kind.upper()}: {exc}"
        ) from exc
    finally:
        raw.close()


def mentions(file_name: str, content: bytes, pattern: re.Pattern[str]) -> bool:
    """Whether any cell of the file holds text matching ``pattern`` (erasure).

    A file that cannot be read counts as holding it: erasure must not keep what it
    cannot check.
    """
    try:
        rows = (
            _csv_rows(content) if _kind(file_name) == "csv" else _xlsx_rows(content, DEFAULT_LIMITS)
        )
        return any(pattern.search(str(cell)) for row in rows for cell in row if cell is not None)
    except Exception:  # any parse failure of a damaged upload
        return True
