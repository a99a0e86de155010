"""Request validation (src/isales/wire/validation.py): coercion, absence, order of rules."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from isales.errors import ErrorCode, InvalidParameter
from isales.wire.schemas.numbers import DELETE
from isales.wire.validation import (
    PHONE_CHARS,
    Field,
    json_schema,
    path_integer,
    validate_body,
    validate_query,
)

STRING = (Field("text"),)
INTEGER = (Field("count", "integer"),)
REQUIRED_STRING = (Field("text", required=True),)
REQUIRED_INTEGER = (Field("count", "integer", required=True),)


def run(body, schema, optional: bool = False) -> dict:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return validate_body(raw, schema, optional=optional)


def code_of(body, schema, optional: bool = False) -> str:
    with pytest.raises(InvalidParameter) as caught:
        run(body, schema, optional)
    return str(caught.value.code)


def message_of(body, schema) -> str:
    with pytest.raises(InvalidParameter) as caught:
        run(body, schema)
    return caught.value.message


# --- the body as a whole --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"", "02000001"),
        (b" \n\t", "02000001"),
        (b"{", "02000008"),
        (b"\xff", "02000008"),
        (b'{"text": NaN}', "02000008"),
        (b'{"text": Infinity}', "02000008"),
        (b"[]", "02000006"),
        (b"1", "02000006"),
        (b'"x"', "02000006"),
        (b"null", "02000006"),
        (b"true", "02000006"),
    ],
)
def test_body_shape(raw, code):
    assert code_of(raw, STRING) == code


def test_optional_body_may_be_empty():
    assert run(b"", STRING, optional=True) == {"text": None}
    assert run(b"  ", INTEGER, optional=True) == {"count": None}


def test_optional_body_still_validated():
    assert code_of(b'{"count": "x"}', INTEGER, optional=True) == "02000006"


# --- coercion: String -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"text": 8613800000000}', "8613800000000"),
        (b'{"text": 0}', "0"),
        (b'{"text": -42}', "-42"),
        (b'{"text": 12345678901234567890123}', "12345678901234567890123"),
        (b'{"text": 1.5}', "1.5"),
        (b'{"text": "abc"}', "abc"),
        (b'{"text": " "}', " "),
    ],
)
def test_string_takes_json_numbers_as_their_text(raw, expected):
    assert run(raw, STRING) == {"text": expected}


def test_number_for_a_phone_string_is_checked_as_text():
    schema = (Field("called", max_length=24, charset=PHONE_CHARS),)
    assert run({"called": 8613800000000}, schema) == {"called": "8613800000000"}
    assert code_of({"called": -8613800000000}, schema) == "02000002"
    assert code_of({"called": 10**25}, schema) == "02000003"


@pytest.mark.parametrize("value", [True, False, {"a": 1}, {}, [1], [], ["x"]])
def test_string_refuses_other_types(value):
    assert code_of({"text": value}, STRING) == "02000006"


# --- coercion: Integer ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1),
        (0, 0),
        (-7, -7),
        ("1", 1),
        ("0", 0),
        ("-3", -3),
        ("007", 7),
        ("123456789012", 123456789012),
    ],
)
def test_integer_takes_digit_strings(value, expected):
    assert run({"count": value}, INTEGER) == {"count": expected}


@pytest.mark.parametrize(
    "value",
    [
        True,
        False,
        1.5,
        1.0,
        0.0,
        1e3,
        "abc",
        "1.5",
        "1e3",
        " 1",
        "1 ",
        "+1",
        "0x10",
        "1\n",
        {"a": 1},
        {},
        [1],
        [],
    ],
)
def test_integer_refuses_other_types(value):
    assert code_of({"count": value}, INTEGER) == "02000006"


def test_integer_refuses_json_float_text_even_when_whole():
    assert code_of(b'{"count": 1.0}', INTEGER) == "02000006"
    assert code_of(b'{"count": 1E2}', INTEGER) == "02000006"


# --- absence --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "schema",
    [STRING, INTEGER, (Field("obj", "object"),), (Field("items", "list", item=Field("i")),)],
)
@pytest.mark.parametrize("absent", ["missing", None, ""])
def test_null_and_empty_string_are_absent(schema, absent):
    name = schema[0].name
    body = {} if absent == "missing" else {name: absent}
    assert run(body, schema) == {name: None}


@pytest.mark.parametrize("schema", [REQUIRED_STRING, REQUIRED_INTEGER])
@pytest.mark.parametrize("body", [{}, {"text": None, "count": None}, {"text": "", "count": ""}])
def test_required_missing(schema, body):
    body = {k: v for k, v in body.items() if k == schema[0].name}
    assert code_of(body, schema) == "02000001"


def test_required_is_named():
    assert "text" in message_of({}, REQUIRED_STRING)


def test_whitespace_is_not_absent():
    assert run({"text": " "}, REQUIRED_STRING) == {"text": " "}
    assert code_of({"count": " "}, REQUIRED_INTEGER) == "02000006"


def test_zero_and_false_like_values_are_present():
    assert run({"count": 0}, REQUIRED_INTEGER) == {"count": 0}
    assert run({"text": 0}, REQUIRED_STRING) == {"text": "0"}
    assert run({"count": "0"}, REQUIRED_INTEGER) == {"count": 0}


def test_required_list_must_not_be_empty():
    schema = (Field("items", "list", required=True, item=Field("i")),)
    assert code_of({"items": []}, schema) == "02000001"


# --- unknown fields -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["custom_field", "customfield", "CustomField", "filter", ""])
def test_unknown_field_is_refused_and_named(name):
    body = {"customField": "b7", name: "x"}
    with pytest.raises(InvalidParameter) as caught:
        run(body, DELETE)
    assert caught.value.code == "0200001"
    assert caught.value.message.endswith(f"unknown parameter: {name}")


def test_unknown_field_even_when_null():
    assert code_of({"text": "a", "other": None}, STRING) == "0200001"


def test_unknown_nested_field_is_named_with_its_path():
    schema = (
        Field(
            "callDataList",
            "list",
            item=Field("callDataList[]", "object", fields=(Field("called"),)),
        ),
    )
    with pytest.raises(InvalidParameter) as caught:
        run({"callDataList": [{"called": "1"}, {"called": "2", "caled": "3"}]}, schema)
    assert caught.value.code == "0200001"
    assert "callDataList[1].caled" in caught.value.message


def test_unknown_field_wins_over_broken_known_fields():
    assert code_of({"sessionId": "s" * 99, "archiveHistory": "x", "zzz": 1}, DELETE) == "0200001"


# --- order of rules -------------------------------------------------------------------------------

ORDERED = (
    Field("first", max_length=3, charset="0-9"),
    Field("second", "integer", minimum=1, maximum=5),
    Field("third", format="time"),
)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"first": "12345", "second": 9, "third": "x"}, "02000003"),
        ({"third": "x", "second": 9, "first": "12345"}, "02000003"),  # JSON order is irrelevant
        ({"third": "x", "second": "y", "first": "ab"}, "02000002"),
        ({"third": "x", "second": 9, "first": "12"}, "02000007"),
        ({"third": "x", "second": "y", "first": "12"}, "02000006"),
        ({"third": "x", "second": 3, "first": "12"}, "0200030"),
        ({"first": "abcdef"}, "02000003"),  # too long is judged before the characters
    ],
)
def test_first_broken_rule_wins(body, code):
    assert code_of(body, ORDERED) == code


def test_order_within_one_string_field():
    schema = (Field("f", max_length=3, charset="a-c", choices=("ab", "bc")),)
    assert code_of({"f": "zzzz"}, schema) == "02000003"
    assert code_of({"f": "zz"}, schema) == "02000002"
    assert code_of({"f": "ca"}, schema) == "02000007"
    assert run({"f": "bc"}, schema) == {"f": "bc"}


def test_delete_schema_order():
    """The seed interface's table order: sessionId, called, customField, recycleTime, recycleType,
    archiveHistory."""
    body = {
        "archiveHistory": 5,
        "recycleType": "9",
        "recycleTime": "bad",
        "customField": "c" * 201,
        "called": "x",
        "sessionId": "s" * 33,
    }
    assert code_of(body, DELETE) == "02000003"
    body.pop("sessionId")
    assert code_of(body, DELETE) == "02000002"
    body.pop("called")
    assert code_of(body, DELETE) == "02000003"
    body.pop("customField")
    assert code_of(body, DELETE) == "0200030"
    body.pop("recycleTime")
    assert code_of(body, DELETE) == "02000007"
    body.pop("recycleType")
    assert code_of(body, DELETE) == "02000007"


def test_integer_choices_and_range():
    schema = (Field("n", "integer", choices=(0, 1)), Field("m", "integer", minimum=-1, maximum=1))
    assert run({"n": "1", "m": "-1"}, schema) == {"n": 1, "m": -1}
    assert code_of({"n": 2}, schema) == "02000007"
    assert code_of({"m": 2}, schema) == "02000007"
    assert code_of({"m": -2}, schema) == "02000007"


def test_key_renames_the_output():
    schema = (Field("customField", key="custom_field"),)
    assert run({"customField": "b7"}, schema) == {"custom_field": "b7"}


def test_forbidden_characters():
    schema = (Field("f", forbidden="@#"),)
    assert run({"f": "ab"}, schema) == {"f": "ab"}
    assert code_of({"f": "a@b"}, schema) == "02000002"


def test_nested_object_is_validated():
    schema = (Field("o", "object", fields=(Field("x", "integer", required=True),)),)
    assert run({"o": {"x": "2"}}, schema) == {"o": {"x": 2}}
    assert code_of({"o": {}}, schema) == "02000001"
    assert code_of({"o": [1]}, schema) == "02000006"
    assert code_of({"o": "x"}, schema) == "02000006"


def test_free_object_is_kept_as_given():
    schema = (Field("o", "object"),)
    assert run({"o": {"anything": [1, {"b": None}]}}, schema) == {
        "o": {"anything": [1, {"b": None}]}
    }


# --- time formats ---------------------------------------------------------------------------------

TIME = (Field("t", format="time"),)


@pytest.mark.parametrize(
    "text",
    [
        "2020-12-04",
        "2020-12-04T17:57:00",
        "2020-12-04 17:57",
        "2020-12-04 17:57:00.000",
        "2020-12-04 7:57:00",
        "2020/12/04 17:57:00",
        " 2020-12-04 17:57:00",
        "2020-12-04 17:57:00 ",
        "2020-12-04  17:57:00",
        "2020-12-04 17:57:00\n",
        "2020-12-04 17:57:00Z",
        "2021-02-29 10:00:00",
        "2100-02-29 00:00:00",
        "2020-04-31 00:00:00",
        "2020-13-01 00:00:00",
        "2020-00-10 00:00:00",
        "2020-12-00 00:00:00",
        "2020-12-04 24:00:00",
        "2020-12-04 23:60:00",
        "2020-12-04 23:59:60",
        "abc",
        "0",
    ],
)
def test_time_format_refused(text):
    assert code_of({"t": text}, TIME) == "0200030"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-12-04 17:57:00", datetime(2020, 12, 4, 17, 57)),
        ("2024-02-29 23:59:59", datetime(2024, 2, 29, 23, 59, 59)),
        ("2000-02-29 00:00:00", datetime(2000, 2, 29)),
        ("2020-12-31 00:00:00", datetime(2020, 12, 31)),
    ],
)
def test_time_format_accepted(text, expected):
    assert run({"t": text}, TIME) == {"t": expected}


def test_time_given_as_number_is_a_format_error():
    assert code_of({"t": 20201204}, TIME) == "0200030"


def test_date_and_hhmm_formats():
    date = (Field("d", format="date"),)
    hhmm = (Field("h", format="hhmm"),)
    assert run({"d": "2024-02-29"}, date) == {"d": datetime(2024, 2, 29)}
    assert code_of({"d": "2023-02-29"}, date) == "0200030"
    assert code_of({"d": "2023-02-01 00:00:00"}, date) == "0200030"
    assert run({"h": "23:59"}, hhmm) == {"h": "23:59"}
    for bad in ("24:00", "9:00", "09:60", "0900", "09:00:00", "09:00\n"):
        assert code_of({"h": bad}, hhmm) == "0200030", bad


def test_query_validated_like_a_body():
    schema = (Field("status", "integer", required=True), Field("name"))
    assert validate_query([("status", "2"), ("name", "spring sale")], schema) == {
        "status": 2,
        "name": "spring sale",
    }
    with pytest.raises(InvalidParameter) as caught:
        validate_query([("status", "2"), ("nmae", "x")], schema)
    assert caught.value.code == "0200001" and "nmae" in caught.value.message
    with pytest.raises(InvalidParameter) as caught:
        validate_query([("status", "")], schema)
    assert caught.value.code == "02000001"


# --- path parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("abc", "02000006"),
        ("1.5", "02000006"),
        ("", "02000006"),
        ("+1", "02000006"),
        (" 12", "02000006"),
        ("12 ", "02000006"),
        ("12\n", "02000006"),
        ("1e3", "02000006"),
        ("0", "02000007"),
        ("-3", "02000007"),
        ("10000", "02000007"),
        ("99999999999", "02000007"),
        ("9" * 30, "02000007"),
        ("9" * 31, "02000006"),
    ],
)
def test_path_integer_refused(text, code):
    with pytest.raises(InvalidParameter) as caught:
        path_integer("vdnId", text, 1, 9999)
    assert caught.value.code == code
    assert "vdnId" in caught.value.message


@pytest.mark.parametrize(("text", "expected"), [("1", 1), ("12", 12), ("9999", 9999), ("0012", 12)])
def test_path_integer_accepted(text, expected):
    assert path_integer("vdnId", text, 1, 9999) == expected


# --- lists ----------------------------------------------------------------------------------------


def test_list_max_items_default_code():
    schema = (Field("items", "list", max_items=2, item=Field("i")),)
    assert run({"items": ["a", 1]}, schema) == {"items": ["a", "1"]}
    assert code_of({"items": ["a", "b", "c"]}, schema) == "02000011"


def test_list_max_items_custom_code():
    schema = (
        Field("items", "list", max_items=2, too_many=ErrorCode.TOO_MANY_PER_CALL, item=Field("i")),
    )
    assert code_of({"items": ["a", "b", "c"]}, schema) == "0200029"


def test_list_too_many_wins_over_broken_items():
    schema = (Field("items", "list", max_items=1, item=Field("i", "integer")),)
    assert code_of({"items": ["x", "y"]}, schema) == "02000011"
    assert code_of({"items": ["x"]}, schema) == "02000006"


def test_list_items_are_named_by_index():
    schema = (Field("items", "list", item=Field("i", "integer")),)
    with pytest.raises(InvalidParameter) as caught:
        run({"items": [1, 2, "x"]}, schema)
    assert "items[2]" in caught.value.message


@pytest.mark.parametrize("value", ["abc", 1, {"a": 1}, True])
def test_list_refuses_non_lists(value):
    schema = (Field("items", "list", item=Field("i")),)
    assert code_of({"items": value}, schema) == "02000006"


def test_list_item_required_refuses_null_items():
    schema = (Field("items", "list", item=Field("i", "object", required=True)),)
    assert code_of({"items": [None]}, schema) == "02000001"


# --- the OpenAPI form -----------------------------------------------------------------------------


def test_json_schema_shape():
    schema = (
        Field("name", required=True, max_length=30, description="the name"),
        Field("called", max_length=24, charset=PHONE_CHARS),
        Field("kind", choices=("1", "2")),
        Field("when", format="time"),
        Field("day", format="date"),
        Field("at", format="hhmm"),
        Field("url", format="url"),
        Field("n", "integer", required=True, minimum=1, maximum=9),
        Field("flag", "integer", choices=(0, 1)),
        Field("free", "object"),
        Field("obj", "object", fields=(Field("x", "integer", required=True),)),
        Field("list", "list", max_items=3, item=Field("i", max_length=2)),
    )
    assert json_schema(schema) == {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "n"],
        "properties": {
            "name": {"type": "string", "maxLength": 30, "description": "the name"},
            "called": {"type": "string", "maxLength": 24, "pattern": "^[0-9*#]*$"},
            "kind": {"type": "string", "enum": ["1", "2"]},
            "when": {
                "type": "string",
                "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$",
                "example": "2026-12-01 09:00:00",
            },
            "day": {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
            "at": {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$"},
            "url": {"type": "string", "format": "uri"},
            "n": {"type": "integer", "minimum": 1, "maximum": 9},
            "flag": {"type": "integer", "enum": [0, 1]},
            "free": {"type": "object"},
            "obj": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"x": {"type": "integer"}},
                "required": ["x"],
            },
            "list": {"type": "array", "maxItems": 3, "items": {"type": "string", "maxLength": 2}},
        },
    }


def test_json_schema_of_delete_lists_its_fields_in_order():
    produced = json_schema(DELETE)
    assert list(produced["properties"]) == [
        "sessionId",
        "called",
        "customField",
        "recycleTime",
        "recycleType",
        "archiveHistory",
        "batchId",
        "expectedCount",  # isales extension (docs/api.md, "Count guard")
    ]
    assert produced["required"] == []
    assert produced["additionalProperties"] is False
    assert produced["properties"]["archiveHistory"]["enum"] == [0, 1]
    assert produced["properties"]["recycleType"]["enum"] == ["1", "2", "3"]


def test_field_problems_name_every_broken_field_with_the_code_validation_answers():
    from isales.wire.schemas.campaigns import CREATE_V2
    from isales.wire.validation import field_problems, validate_object

    body = {
        "name": "x" * 101,
        "strBeginTime": "2030-01-01 00:00:00",
        "strEndTime": "tomorrow",
        "deviceType": 2,
        "callerNo": [{"accessCode": "10086"}],
        "maxAlertingTime": 30,
        "scheduleParam": {"workdayBeginTime1": "9 am", "workdayEndTime1": "18:00"},
        "colour": "blue",
    }
    problems = field_problems(body, CREATE_V2)
    assert {path: p.code for path, p in problems.items()} == {
        "name": ErrorCode.TOO_LONG,
        "strEndTime": ErrorCode.TIME_FORMAT,
        "scheduleParam.workdayBeginTime1": ErrorCode.TIME_FORMAT,
        "colour": ErrorCode.PARAMETER_ERROR,
    }
    # each is the problem the interface answers when that field alone is wrong
    with pytest.raises(InvalidParameter) as first:
        validate_object(body, CREATE_V2, "")
    assert first.value.code == ErrorCode.PARAMETER_ERROR  # unknown fields are checked first
    assert field_problems({**body, "name": "ok", "colour": None}, CREATE_V2).keys() == {
        "strEndTime",
        "scheduleParam.workdayBeginTime1",
        "colour",
    }
