"""Uploaded XLSX bounds (docs/api.md#limits-and-protections): the
workbook is scanned as a stream and refused with 02000008 before anything reads it."""

from __future__ import annotations

import random
import string

import pytest

from isales.errors import AppError
from isales.imports_format import COLUMNS, MAX_CELL_CHARS, FileLimits, NumberFile, count_rows
from tests.support.xlsx import (
    _HEAD,
    _TAIL,
    giant_cell,
    moved_shared_strings,
    moved_sheet,
    row_far_away,
    sheet_xml,
    workbook,
)


def refusal(content: bytes, limits: FileLimits | None = None) -> str:
    with pytest.raises(AppError) as caught:
        count_rows("n.xlsx", content, limits or FileLimits())
    return f"{caught.value.code} {caught.value.message}"


def test_a_workbook_unpacking_past_the_ratio_is_refused():
    assert refusal(giant_cell(400 * 1024 * 1024)).startswith("02000008 the workbook unpacks")


def test_a_workbook_unpacking_past_the_cap_is_refused():
    content = giant_cell(2 * 1024 * 1024)
    assert "unpacks" in refusal(content, FileLimits(unpacked_bytes=1024 * 1024))


def test_a_cell_longer_than_64_kib_is_refused():
    noise = "".join(random.Random(7).choices(string.ascii_letters, k=MAX_CELL_CHARS + 1))
    content = workbook(
        [
            _HEAD,
            f'<row r="2"><c r="A2" t="inlineStr"><is><t>{noise}</t></is></c></row>'.encode(),
            _TAIL,
        ]
    )
    assert refusal(content) == f"02000008 a cell is longer than {MAX_CELL_CHARS} characters"


def test_a_long_shared_string_is_refused():
    noise = "".join(random.Random(8).choices(string.ascii_letters, k=MAX_CELL_CHARS // 2 + 1))
    strings = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<si><r><t>{noise}</t></r><r><t>{noise}</t></r></si></sst>"  # two runs of one string
    )
    content = workbook(
        [_HEAD, b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>', _TAIL],
        {"xl/sharedStrings.xml": strings.encode()},
    )
    assert "longer than" in refusal(content)


def test_a_row_index_beyond_the_row_limit_is_refused_at_once():
    assert refusal(row_far_away(20_000_000)).startswith("02000008 row 20000000 is beyond")
    assert refusal(row_far_away(12), FileLimits(rows=10)).startswith("02000008 row 12")
    assert count_rows("n.xlsx", row_far_away(11), FileLimits(rows=10)) == 1


def test_a_cell_beyond_the_format_columns_is_refused():
    beyond = len(COLUMNS) + 1
    cell = f'<row r="2"><c r="{chr(ord("A") + beyond - 1)}2"><v>1</v></c></row>'.encode()
    content = workbook([_HEAD, cell, _TAIL])
    assert refusal(content) == (
        f"02000008 a cell in column {beyond}: the format has {len(COLUMNS)} columns"
    )


def test_the_import_job_checks_the_same_bounds():
    with pytest.raises(AppError) as caught:
        NumberFile("n.xlsx", row_far_away(50), FileLimits(rows=10))
    assert caught.value.code == "02000008"


@pytest.mark.parametrize(
    "reference", ["2e7", "2E7", "2.0e7", " 20000000", "+20000000", "1_0", "0", "٢"]
)
def test_a_row_reference_not_written_as_plain_digits_is_refused(reference):
    """The reader takes int() or an integral float() of ``r``: "2e7" is row 20,000,000."""
    row = f'<row r="{reference}"><c><v>1</v></c></row>'.encode()
    assert "is not a row number" in refusal(workbook([_HEAD, row, _TAIL]))


@pytest.mark.parametrize("reference", ["A2e7", "a2", "$A$2", "A 2", "A02", "AAAA2", "A"])
def test_a_cell_reference_not_written_plainly_is_refused(reference):
    cell = f'<row r="2"><c r="{reference}"><v>1</v></c></row>'.encode()
    assert "is not a cell of the sheet" in refusal(workbook([_HEAD, cell, _TAIL]))


def test_a_cell_reference_far_away_is_refused():
    cell = b'<row r="2"><c r="A20000000"><v>1</v></c></row>'
    assert refusal(workbook([_HEAD, cell, _TAIL])).startswith("02000008 row 20000000 is beyond")


def test_plain_references_and_none_are_read():
    rows = [
        b'<row r="2"><c r="A2"><v>1380000001</v></c></row>',
        b"<row><c><v>1380000002</v></c></row>",
    ]
    assert count_rows("n.xlsx", workbook([sheet_xml(rows)]), FileLimits()) == 2


def test_a_sheet_under_another_name_is_scanned():
    beyond = len(COLUMNS) + 1
    cells = "".join(f'<c r="{chr(ord("A") + i)}2"><v>1</v></c>' for i in range(26))
    content = moved_sheet(sheet_xml([f'<row r="2">{cells}</row>'.encode()]))
    assert refusal(content) == (
        f"02000008 a cell in column {beyond}: the format has {len(COLUMNS)} columns"
    )
    far = moved_sheet(sheet_xml([b'<row r="2e7"><c><v>1</v></c></row>']))
    assert "is not a row number" in refusal(far)
    binary_name = moved_sheet(sheet_xml([b'<row r="2e7"><c><v>1</v></c></row>']), "xl/s1.bin")
    assert "is not a row number" in refusal(binary_name)
    utf16 = (
        '<?xml version="1.0" encoding="UTF-16"?>'
        + sheet_xml([b'<row r="2e7"><c><v>1</v></c></row>']).decode().split("?>", 1)[1]
    )
    assert "is not a row number" in refusal(moved_sheet(utf16.encode("utf-16")))
    fine = moved_sheet(sheet_xml([b'<row r="2"><c r="A2"><v>1380000001</v></c></row>']))
    assert count_rows("n.xlsx", fine, FileLimits()) == 1


def test_shared_strings_under_another_name_are_scanned():
    assert count_rows("n.xlsx", moved_shared_strings(b"1380000001"), FileLimits()) == 1
    long = moved_shared_strings(b"1" * (MAX_CELL_CHARS + 1))
    assert refusal(long) == f"02000008 a cell is longer than {MAX_CELL_CHARS} characters"
