"""Hostile XLSX workbooks written byte by byte: giant cells, rows far away."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"


_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>called</t></is></c></row>'
)


_TAIL = b"</sheetData></worksheet>"


def workbook(sheet_parts: Iterable[bytes], extra: dict[str, bytes] | None = None) -> bytes:
    """A real workbook whose first sheet is ``sheet_parts``, written as a stream."""

    def stream_sheet(target: zipfile.ZipFile) -> None:
        with target.open(SHEET, "w", force_zip64=True) as sheet:
            for part in sheet_parts:
                sheet.write(part)

    return _rewritten(lambda name, data: None if name == SHEET else data, extra or {}, stream_sheet)


def giant_cell(size: int) -> bytes:
    """One cell of ``size`` characters (a few hundred KB compressed for 400 MB)."""

    def parts() -> Iterable[bytes]:
        yield _HEAD + b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
        chunk = b"1" * (1024 * 1024)
        for _ in range(size // len(chunk)):
            yield chunk
        yield b"</t></is></c></row>" + _TAIL

    return workbook(parts())


def row_far_away(row: int) -> bytes:
    return workbook([_HEAD, f'<row r="{row}"><c r="A{row}"><v>1</v></c></row>'.encode(), _TAIL])


def _rewritten(
    change: Callable[[str, bytes], bytes | None],
    added: dict[str, bytes],
    then: Callable[[zipfile.ZipFile], None] | None = None,
) -> bytes:
    """A real (openpyxl) workbook with each part passed through ``change`` (None drops the
    part), the parts ``added``, and whatever ``then`` writes last."""
    template = io.BytesIO()
    openpyxl.Workbook().save(template)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = change(info.filename, source.read(info))
            if data is not None:
                target.writestr(info.filename, data)
        for name, data in added.items():
            target.writestr(name, data)
        if then is not None:
            then(target)
    return out.getvalue()


def moved_sheet(sheet: bytes, path: str = "xl/data/s1.xml") -> bytes:
    """A real workbook whose first sheet is ``sheet`` stored at ``path``: the workbook's
    relationships and content types name it there, so the reader reads it there."""
    old, new = SHEET.removeprefix("xl/").encode(), path.removeprefix("xl/").encode()
    return _rewritten(
        lambda name, data: None if name == SHEET else data.replace(old, new), {path: sheet}
    )


def sheet_xml(rows: Iterable[bytes]) -> bytes:
    """A sheet: the header row ``called`` then ``rows`` (each a whole ``<row>`` element)."""
    return _HEAD + b"".join(rows) + _TAIL


def moved_shared_strings(text: bytes, path: str = "xl/strings.xml") -> bytes:
    """A real workbook whose shared strings live at ``path`` (named by the content types),
    the data row's cell being string 0: ``text``."""
    strings_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    override = f'<Override PartName="/{path}" ContentType="{strings_type}"/>'.encode()

    def change(name: str, data: bytes) -> bytes:
        if name == SHEET:
            return sheet_xml([b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>'])
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", override + b"</Types>")
        return data

    strings = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        b' count="1" uniqueCount="1"><si><t>' + text + b"</t></si></sst>"
    )
    return _rewritten(change, {path: strings})
