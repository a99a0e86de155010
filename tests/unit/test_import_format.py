"""Number files: CSV and XLSX rows into number records (isales.imports_format)."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest

from isales.errors import AppError
from isales.imports_format import FileLimits, NumberFile, count_rows, fingerprints


def csv_file(text: str, name: str = "numbers.csv") -> NumberFile:
    return NumberFile(name, text.encode("utf-8"))


def xlsx_bytes(*rows: list, sheets: int = 1) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "numbers"
    for row in rows:
        book.active.append(row)
    for n in range(1, sheets):
        book.create_sheet(f"other{n}").append(["not", "read"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def records(number_file: NumberFile) -> list[tuple[int, dict]]:
    return [(row, number_file.record(cells)) for row, cells in number_file.rows()]


def code_of(number_file: NumberFile) -> str:
    """The code of the first row's refusal."""
    (_, cells), *_ = number_file.rows()
    with pytest.raises(AppError) as caught:
        number_file.record(cells)
    return caught.value.code


def test_csv_rows_become_v2_records_with_file_row_numbers():
    number_file = csv_file(
        "\ufeffSessionId, CALLED ,caller,callData,customField,recycleTime,priority\n"
        's1,13800000001,10086,"{""k"":1}",b7,2026-12-01 09:00:00,3\n'
        ",,,,,,\n"
        "\n"
        "s2,13800000002,,,,,\n"
    )
    got = records(number_file)
    assert [row for row, _ in got] == [2, 5]
    first = got[0][1]
    assert first == {
        "session_id": "s1",
        "called": "13800000001",
        "called_nos": [{"calledNo": "13800000001"}],
        "called_all": ["13800000001"],
        "caller": "10086",
        "call_data": '{"k":1}',
        "custom_field": "b7",
        "recycle_time": datetime(2026, 12, 1, 9, 0, 0),
        "priority": 3,
        "batch_id": None,
        "time_zone": None,
        # the contact-policy keys (docs/contact-policies.md, "Keys"): columns not given
        "person_id": None,
        "subject_ids": None,
        "region": None,
    }
    assert got[1][1]["caller"] is None and got[1][1]["priority"] is None


@pytest.mark.parametrize(
    ("cell", "numbers"),
    [
        ("13800000001", [{"calledNo": "13800000001"}]),
        (" 13800000001 ", [{"calledNo": "13800000001"}]),
        ("[{'calledNo':1234566}]", [{"calledNo": "1234566"}]),
        ('[{"calledNo":"1234566"}]', [{"calledNo": "1234566"}]),
        ("{'calledNo':1234566}", [{"calledNo": "1234566"}]),
        ("[1234566, '7654321']", [{"calledNo": "1234566"}, {"calledNo": "7654321"}]),
        (
            "[{'calledNo':'111','delayTime':30,'type':'mobile'},{'calledNo':222}]",
            [{"calledNo": "111", "delayTime": 30, "type": "mobile"}, {"calledNo": "222"}],
        ),
    ],
)
def test_called_forms(cell, numbers):
    quoted = '"' + cell.replace('"', '""') + '"'
    (_, record), *_ = records(csv_file(f"sessionId,called\ns1,{quoted}\n"))
    assert record["called_nos"] == numbers
    assert record["called"] == numbers[0]["calledNo"]
    assert record["called_all"] == [n["calledNo"] for n in numbers]


@pytest.mark.parametrize(
    ("row", "code"),
    [
        ("s1,", "02000001"),  # called missing
        ("s1,\"[{'calledNo':12\"", "02000008"),  # neither a number nor a list
        ('s1,"[]"', "02000001"),
        ("s1,\"[{'calledNo':'12a'}]\"", "02000002"),
        ("s1,\"[{'calledNo':1,'ring':2}]\"", "0200001"),  # unknown member
        ("s1,\"[{'calledNo':1,'delayTime':7201}]\"", "02000007"),
        ('s1,"{1, 2}"', "02000006"),  # a set is not a list
        ('s1,"{[1]: 2}"', "02000008"),  # unhashable key
        ("s1," + "[" * 1000 + "]" * 1000, "02000008"),  # too deep for the parsers
        ("s1," + "[" * 50 + "1" + "]" * 50, "02000006"),
        ('s1,"[1.5]"', "02000006"),
        ('s1,"[' + "1," * 2100 + '1]"', "02000003"),  # longer than 4096 characters
        ("s1,+8613800000001", "02000002"),
        ("s1,1234567890123456789012345", "02000003"),
        ("s1," + '"[' + ",".join(str(n) for n in range(21)) + ']"', "02000011"),
        ("s" + "x" * 32 + ",1", "02000003"),
    ],
)
def test_called_and_session_rules(row, code):
    assert code_of(csv_file(f"sessionId,called\n{row}\n")) == code


@pytest.mark.parametrize(
    ("header", "row", "code"),
    [
        ("called,recycleTime", "1,2026-13-01 00:00:00", "0200030"),
        ("called,recycleTime", "1,2026-12-01", "0200030"),
        ("called,customField", "1,batch.7", "02000002"),  # the v2 rule: no punctuation
        ("called,caller", "1,10086a", "02000002"),
        ("called,priority", "1,x", "02000006"),
        ("called,priority", "1,-1", "02000007"),
        ("called,callData", "1," + "x" * 1025, "02000003"),
        ("called", "1,extra", "0200001"),  # a value in a column without a header
    ],
)
def test_field_rules_are_the_v2_add_rules(header, row, code):
    assert code_of(csv_file(f"{header}\n{row}\n")) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("sessionId,phone\ns1,1\n", "0200001"),
        ("called,Called\n1,2\n", "0200001"),
        ("sessionId,caller\ns1,1\n", "02000001"),
        ("", "02000001"),
        ("\n\n", "02000001"),
    ],
)
def test_header_rules(text, code):
    with pytest.raises(AppError) as caught:
        csv_file(text)
    assert caught.value.code == code


def test_columns_without_a_header_are_allowed_when_empty():
    (_, record), *_ = records(csv_file("called,,sessionId\n1,,s1\n"))
    assert record["session_id"] == "s1"


@pytest.mark.parametrize("name", ["numbers.txt", "numbers.xls", "numbers", "csv"])
def test_unknown_extension(name):
    with pytest.raises(AppError) as caught:
        NumberFile(name, b"called\n1\n")
    assert caught.value.code == "02000007"


def test_csv_that_is_not_utf8_is_unreadable():
    content = "called,callData\n1,caf\u00e9\n".encode("latin-1")
    with pytest.raises(AppError) as caught:
        count_rows("numbers.csv", content, FileLimits(rows=10))
    assert caught.value.code == "02000008"


@pytest.mark.parametrize("content", [b"not a zip", b"PK\x03\x04broken", b""])
def test_xlsx_that_is_not_a_workbook_is_unreadable(content):
    with pytest.raises(AppError) as caught:
        NumberFile("numbers.xlsx", content)
    assert caught.value.code == "02000008"


def test_count_rows_and_its_limit():
    # blank rows count toward the limit (docs/api.md#limits-and-protections), trailing ones aside
    text = "called\n" + "".join(f"{n}\n\n" for n in range(1, 6))
    assert count_rows("n.csv", text.encode(), FileLimits(rows=9)) == 5
    with pytest.raises(AppError) as caught:
        count_rows("n.csv", text.encode(), FileLimits(rows=8))
    assert caught.value.code == "0200029"
    with pytest.raises(AppError) as caught:
        count_rows("n.csv", b"called\n\n,\n", FileLimits(rows=4))
    assert caught.value.code == "02000001"


def test_xlsx_first_sheet_cells_as_text():
    content = xlsx_bytes(
        ["sessionId", "called", "recycleTime", "priority", None, "callData"],
        [1001, 13800000001, datetime(2026, 12, 1, 9, 30, 0), 2.0, None, 12.5],
        [],
        ["s2", "[{'calledNo':13800000002}]", "2026-12-02 10:00:00"],
        sheets=2,
    )
    number_file = NumberFile("Numbers.XLSX", content)
    got = records(number_file)
    number_file.close()
    assert [row for row, _ in got] == [2, 4]
    first, second = got[0][1], got[1][1]
    assert first["session_id"] == "1001"
    assert first["called"] == "13800000001"
    assert first["recycle_time"] == datetime(2026, 12, 1, 9, 30, 0)
    assert first["priority"] == 2
    assert first["call_data"] == "12.5"
    assert second["called_nos"] == [{"calledNo": "13800000002"}]
    assert count_rows("n.xlsx", content, FileLimits(rows=3)) == 2


def test_xlsx_bad_cell_is_a_row_error():
    content = xlsx_bytes(["called", "caller"], [13800000001, 1.5])
    assert code_of(NumberFile("n.xlsx", content)) == "02000002"


def test_fingerprints_follow_the_v2_uniqueness_rule():
    def keys(session, *called):
        record = {"session_id": session, "called_all": list(called)}
        return fingerprints(record)

    assert keys("s1", "1") == keys("s1", "1")
    assert keys("s1", "1") != keys("s2", "1")
    assert keys(None, "1") == keys("", "1")
    assert len(set(keys("s1", "1", "2"))) == 2
