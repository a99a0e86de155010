"""A file's rules decided once for its columns (``compile_object(schema, given)``,
src/isales/wire/validation.py) against the full field list (``validate_object``): the same
value or the same refusal (code and message), field by field and for the file import's
rows (``NumberFile.record``, docs/api.md#file-import); the import's fingerprint table
against a ``set``; the upload's base64 decoding against ``base64.b64decode(validate=True)``.
The rules themselves: tests/unit/test_validation.py."""

from __future__ import annotations

import base64
import binascii
import hashlib
import random

import pytest

from isales.errors import InvalidParameter
from isales.imports_format import RECORD, FingerprintSet, NumberFile, _called, _cell
from isales.wire.schemas.imports import file_content
from isales.wire.schemas.numbers import record_v2
from isales.wire.validation import (
    _JsonFloat,
    compile_object,
    validate_object,
)

#: values every field sees: absent, wrong types, edges of length, charset, ranges, formats
COMMON = [
    None,
    "",
    " ",
    0,
    -1,
    7,
    32767,
    32768,
    True,
    1.5,
    _JsonFloat("1.5"),
    _JsonFloat("1e3"),
    "1",
    "-7",
    "abc",
    "138 0013 8000",
    "13800138000",
    "+8613800138000",
    "*#0",
    "a\x00b",
    "batch-7",
    "batch.7",
    "（全角）",
    "x" * 24,
    "1" * 24,
    "1" * 25,
    "x" * 32,
    "x" * 33,
    "y" * 200,
    "y" * 201,
    "z" * 1025,
    "2026-12-01 09:00:00",
    "2026-13-01 09:00:00",
    "2026-12-01",
    "Asia/Shanghai",
    "Mars/Olympus",
    [],
    {},
    [{"calledNo": "1"}],
    [{"calledNo": "1", "delayTime": 30, "type": "home"}],
    [{"calledNo": "1", "delayTime": 7201}],
    [{"calledNo": ""}],
    [{"calledNo": "1", "other": 1}],
    [{"calledNo": str(n)} for n in range(21)],
    ["1"],
    {"calledNo": "1"},
]


def outcome(rule, *args):
    """The value, or the refusal's code and message."""
    try:
        return ("ok", rule(*args))
    except InvalidParameter as exc:
        return ("refused", str(exc.code), exc.message)


def test_a_compiled_object_for_given_members_answers_as_the_generic_walk():
    rng = random.Random(11)
    names = [spec.name for spec in RECORD]
    for _ in range(300):
        given = frozenset(rng.sample(names, rng.randint(1, len(names))))
        compiled = compile_object(RECORD, given)
        data = {name: rng.choice(COMMON) for name in given if rng.random() < 0.7}
        if rng.random() < 0.2:  # a member outside those promised, known or not
            data[rng.choice([*names, "nosuch"])] = "1"
        assert outcome(compiled, data, "") == outcome(validate_object, data, RECORD, "")


def generic_record(number_file: NumberFile, cells) -> dict:
    """A file row judged by the generic walk: what ``NumberFile.record`` did before it
    compiled the rules."""
    values = {}
    for index, cell in enumerate(cells):
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        if index >= len(number_file.columns) or number_file.columns[index] is None:
            raise InvalidParameter("0200001", "no header")
        values[number_file.columns[index]] = _cell(cell)
    values["called"] = _called(values.get("called"))
    return record_v2(validate_object(values, RECORD, ""), None)


ROWS = [
    "s1,13800138000,10086,data,batch-1,2026-12-01 09:00:00,3,Asia/Shanghai",
    ",13800138000,,,,,,",
    "s2,\"[{'calledNo': '1', 'delayTime': 5, 'type': 'home'}, '2']\",,,,,,",
    's3,"[1,2,3]",,,,,,',
    "s4,,,,,,,",  # called missing
    "s5,138a,,,,,,",
    "s6,1,10086a,,,,,",
    "s7,1,," + "z" * 1025 + ",,,,",
    "s8,1,,,batch.1,,,",
    "s9,1,,,,2026-13-01 00:00:00,,",
    "s10,1,,,,,-1,",
    "s11,1,,,,,x,",
    "s12,1,,,,,,Mars/Olympus",
    "s" + "x" * 40 + ",1,,,,,,",
    's13,"[' + ",".join(str(n) for n in range(21)) + ']",,,,,,',
    "s14,1,,,,,,,extra",
    "s15,1,,,,,32768,",
    "s16,*#1,,,,,,",
]


@pytest.mark.parametrize(
    "header",
    [
        "sessionId,called,caller,callData,customField,recycleTime,priority,timeZone",
        "sessionId,called,,callData,customField,,priority,",
    ],
    ids=["every-column", "some-columns"],
)
def test_file_rows_are_judged_by_the_compiled_rules_as_by_the_generic_walk(header):
    number_file = NumberFile("numbers.csv", ("\n".join([header, *ROWS]) + "\n").encode())
    judged = 0
    for _, cells in number_file.rows():
        fast = outcome(number_file.record, cells)
        slow = outcome(generic_record, number_file, cells)
        if slow[0] == "refused" and slow[1] == "0200001":  # the message of the stand-in above
            assert fast[:2] == slow[:2]
        else:
            assert fast == slow
        judged += 1
    assert judged == len(ROWS)


def test_fingerprint_table_answers_as_a_set():
    rng = random.Random(3)
    table, reference = FingerprintSet(expected=10), set()
    keys = [hashlib.blake2b(str(n).encode(), digest_size=16).digest() for n in range(20_000)]
    keys.append(bytes(16))  # the all-zero fingerprint, kept aside
    for _ in range(30_000):
        key = rng.choice(keys)
        assert (key in table) == (key in reference)
        table.add(key)
        reference.add(key)
        assert len(table) == len(reference)
    assert all((key in table) == (key in reference) for key in keys)


def _decoded(text: str):
    try:
        return file_content({"fileContent": text})
    except InvalidParameter as exc:
        return ("refused", str(exc.code))


def _reference(text: str):
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return ("refused", "02000008")


def test_upload_content_is_decoded_as_b64decode_validate_decodes_it():
    texts = ["", "=", "==", "QQ==", "QQ=", "QQ", "Q", "QUJD", "QUJD\nRA==", "QU JD", "QQ==QQ=="]
    texts += ["é", "QUJ*", "QQ===", "QQ==\u3000", "Q\u2028Q==", "A" * 4096 + "==", "A" * 4097]
    rng = random.Random(5)
    for size in (0, 1, 2, 3, 5, 1000, 65_536, 200_001):
        text = base64.b64encode(rng.randbytes(size)).decode()
        texts += [text, text[:-1], text + "=", text + "\n", text + "A", text + "==", text + "AAA"]
        texts.append(text.replace("A", "é", 1))
        texts.append("\n".join(text[i : i + 76] for i in range(0, len(text), 76)))
    for text in texts:
        assert _decoded(text) == _reference(text), (text[:20], len(text))
