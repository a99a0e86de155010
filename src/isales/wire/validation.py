"""Request validation: one declarative field list per interface, one mapping to result codes.

Rules (docs/api.md#validation, applied to every interface):

* a body is a JSON object: empty body 02000001, unparseable 02000008, not an object 02000006;
* unknown fields 0200001 (a misspelt filter must never widen an operation);
* ``null`` and ``""`` mean "not given"; a missing mandatory field is 02000001;
* scalars are read the way a Java JSON binder reads them: a JSON number where a String is
  expected is its decimal text, a string of digits where an Integer is expected is that
  integer; anything else of the wrong type is 02000006;
* then, per field and in declaration order: too long 02000003, characters outside the
  allowed set 02000002, value outside its range or choices 02000007, time format 0200030,
  too many list items (02000011, or the interface's own code such as 0200029).

The first broken rule wins, so answers are deterministic. A form that shows every broken
rule at once asks :func:`field_problems`, which applies the same field lists field by field.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from ..domain import contact_keys
from ..errors import ErrorCode, InvalidParameter

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"
_TIME_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\Z")
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_HHMM_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]\Z")
_INTEGER_RE = re.compile(r"^-?[0-9]{1,30}\Z")
_DECIMAL_RE = re.compile(r"^-?[0-9]{1,30}(\.[0-9]{1,30})?\Z")
#: a \uD800-\uDFFF escape: the parsed text may then hold a lone surrogate, which is not Unicode
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")

PHONE_CHARS = "0-9*#"
DIGITS = "0-9"
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


class _JsonFloat(str):
    """A JSON number with a fraction or exponent, kept as its original text."""


def _known_zone(name: str) -> bool:
    from ..domain.time_zones import is_known

    return is_known(name)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class DuplicateKey(ValueError):
    """A JSON object names a member twice."""


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members: dict[str, Any] = {}
    for name, value in pairs:
        if name in members:
            raise DuplicateKey(name)
        members[name] = value
    return members


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = "string"  # string | integer | number (decimals allowed) | object | list
    required: bool = False
    max_length: int | None = None
    charset: str | None = None  # regex character-class body of the allowed characters
    forbidden: str | None = None  # characters that are not allowed
    choices: tuple | None = None
    minimum: float | None = None
    maximum: float | None = None
    format: str | None = None  # time | date | hhmm | url
    fields: tuple[Field, ...] | None = None  # object members (None: any JSON object)
    item: Field | None = None  # list item
    max_items: int | None = None
    too_many: ErrorCode = ErrorCode.TOO_MANY_PARAMETERS
    key: str | None = None  # name in the validated result (default: name)
    description: str = ""
    #: ``""`` is a value ("clear it"), not "not given" (a settings PUT: defaultCountry)
    empty_is_value: bool = False

    @property
    def out(self) -> str:
        return self.key or self.name


Schema = tuple[Field, ...]


#: field formats whose broken rule answers 0200030
_TIME_FORMATS = frozenset({"time", "date", "hhmm"})


def schema_codes(schema: Schema) -> set[ErrorCode]:
    """The codes beyond the field codes that breaking ``schema``'s rules answers."""
    codes: set[ErrorCode] = set()
    for spec in schema:
        if spec.format in _TIME_FORMATS:
            codes.add(ErrorCode.TIME_FORMAT)
        if spec.max_items is not None:
            codes.add(spec.too_many)
        codes |= schema_codes(tuple(spec.fields or ()) + ((spec.item,) if spec.item else ()))
    return codes


def fail(code: ErrorCode, message: str) -> InvalidParameter:
    return InvalidParameter(code, message)


def parse_json_body(raw: bytes) -> Any:
    if not raw.strip():
        raise fail(ErrorCode.EMPTY, "the request body is empty")
    try:
        text = raw.decode("utf-8")
        data = json.loads(
            text,
            parse_float=_JsonFloat,
            parse_constant=_reject_constant,
            object_pairs_hook=_unique_members,
        )
        if _SURROGATE_ESCAPE.search(raw):
            json.dumps(data, ensure_ascii=False).encode("utf-8")  # raises on a lone surrogate
        return data
    except DuplicateKey as exc:
        raise fail(
            ErrorCode.CONVERSION, f"the member {str(exc)[:64]!r} appears twice in an object"
        ) from exc
    except (UnicodeError, ValueError, RecursionError) as exc:
        raise fail(ErrorCode.CONVERSION, "the request body is not valid UTF-8 JSON") from exc


def validate_body(raw: bytes, schema: Schema, optional: bool = False) -> dict[str, Any]:
    """Validate a JSON object body; ``optional`` lets an empty body stand for ``{}``."""
    if optional and not raw.strip():
        return validate_object({}, schema, "")
    data = parse_json_body(raw)
    if not isinstance(data, dict):
        raise fail(ErrorCode.WRONG_TYPE, "the request body must be a JSON object")
    return validate_object(data, schema, "")


def validate_object(data: Mapping[str, Any], schema: Schema, path: str) -> dict[str, Any]:
    """The object's fields by ``schema``: unknown members refused, each field by its rules
    (``compile_object``, made once per schema)."""
    return compile_object(schema)(data, path)


def field_problems(
    data: Mapping[str, Any], schema: Schema, path: str = ""
) -> dict[str, InvalidParameter]:
    """Every field's first broken rule, by its path (``scheduleParam.workdayEndTime1``).

    The same rules as :func:`validate_object`, applied to each field on its own instead of
    stopping at the first, so a form can show all its problems next to their fields.
    """
    problems: dict[str, InvalidParameter] = {}
    known = {f.name for f in schema}
    for name in data:
        if name not in known:
            problems[path + name] = fail(
                ErrorCode.PARAMETER_ERROR, f"unknown parameter: {path}{name}"
            )
    for spec in schema:
        value = data.get(spec.name)
        if spec.kind == "object" and spec.fields is not None and isinstance(value, dict):
            problems.update(field_problems(value, spec.fields, f"{path}{spec.name}."))
            continue
        try:
            validate_value(spec, value, path + spec.name)
        except InvalidParameter as exc:
            problems[path + spec.name] = exc
    return problems


def validate_query(params: list[tuple[str, str]], schema: Schema) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, value in params:
        data[name] = value
    return validate_object(data, schema, "")


def _as_string(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise fail(ErrorCode.WRONG_TYPE, f"{where}: must be a String")
    return str(value)


def _as_integer(value: Any, where: str) -> int:
    if isinstance(value, bool) or isinstance(value, _JsonFloat):
        raise fail(ErrorCode.WRONG_TYPE, f"{where}: must be an Integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INTEGER_RE.match(value):
        return int(value)
    raise fail(ErrorCode.WRONG_TYPE, f"{where}: must be an Integer")


def _as_number(value: Any, where: str) -> float:
    """A JSON number (with or without a fraction) or its decimal text, as a finite float."""
    if isinstance(value, bool):
        raise fail(ErrorCode.WRONG_TYPE, f"{where}: must be a Number")
    if isinstance(value, int):
        return float(value)
    # a float: a body parsed by the standard json module (the console's forms)
    if isinstance(value, float | _JsonFloat) or (
        isinstance(value, str) and _DECIMAL_RE.match(value)
    ):
        number = float(value)
        if math.isfinite(number):
            return number
        raise fail(ErrorCode.WRONG_VALUE, f"{where}: out of range")
    raise fail(ErrorCode.WRONG_TYPE, f"{where}: must be a Number")


def _parse_format(spec: Field, text: str, where: str) -> Any:
    if spec.format == "time":
        try:
            if not _TIME_RE.match(text):
                raise ValueError(text)
            return datetime.strptime(text, TIME_FORMAT)
        except ValueError as exc:
            raise fail(
                ErrorCode.TIME_FORMAT, f"{where}: must be a real time as yyyy-MM-dd HH:mm:ss"
            ) from exc
    if spec.format == "date":
        try:
            if not _DATE_RE.match(text):
                raise ValueError(text)
            return datetime.strptime(text, DATE_FORMAT)
        except ValueError as exc:
            raise fail(
                ErrorCode.TIME_FORMAT, f"{where}: must be a real date as yyyy-MM-dd"
            ) from exc
    if spec.format == "hhmm" and not _HHMM_RE.match(text):
        raise fail(ErrorCode.TIME_FORMAT, f"{where}: must be a time of day as HH:mm")
    if spec.format == "zone" and not _known_zone(text):
        raise fail(ErrorCode.WRONG_VALUE, f"{where}: not an IANA time zone name")
    if spec.format == "subjects":
        problem = contact_keys.subjects_problem(text)
        if problem == "length":
            raise fail(ErrorCode.TOO_LONG, f"{where}: an id longer than {contact_keys.ID_MAX}")
        if problem == "chars":
            raise fail(
                ErrorCode.INVALID_CHARACTERS, f"{where}: only {contact_keys.ID_CHARS} are allowed"
            )
        if problem == "count":
            raise fail(
                ErrorCode.WRONG_VALUE,
                f"{where}: 1 to {contact_keys.MAX_SUBJECTS} ids joined by |, none empty",
            )
    if spec.format == "region" and not contact_keys.valid_region(text):
        raise fail(ErrorCode.WRONG_VALUE, f"{where}: must be an ISO 3166 code CC or CC-SS")
    if spec.format == "country" and text and not contact_keys.known_country(text):
        raise fail(ErrorCode.WRONG_VALUE, f"{where}: not an ISO 3166-1 alpha-2 country")
    if spec.format == "url" and not re.match(r"^https?://[^\s/]+", text):
        raise fail(ErrorCode.WRONG_VALUE, f"{where}: must be an http:// or https:// URL")
    return text


def _mandatory(where: str) -> InvalidParameter:
    return fail(ErrorCode.EMPTY, f"{where}: is mandatory")


def _too_long(spec: Field, where: str) -> InvalidParameter:
    return fail(ErrorCode.TOO_LONG, f"{where}: longer than {spec.max_length} characters")


def _outside_charset(spec: Field, where: str) -> InvalidParameter:
    return fail(ErrorCode.INVALID_CHARACTERS, f"{where}: only {spec.charset} are allowed")


def _holds_nul(where: str) -> InvalidParameter:
    # PostgreSQL cannot store it; refused on every back end alike
    return fail(ErrorCode.INVALID_CHARACTERS, f"{where}: must not contain the NUL character")


def _holds_forbidden(spec: Field, where: str) -> InvalidParameter:
    return fail(ErrorCode.INVALID_CHARACTERS, f"{where}: must not contain any of {spec.forbidden}")


def _not_a_choice(spec: Field, where: str) -> InvalidParameter:
    allowed = ", ".join(str(c) for c in spec.choices or ())
    return fail(ErrorCode.WRONG_VALUE, f"{where}: must be one of {allowed}")


def _out_of_range(spec: Field, where: str) -> InvalidParameter:
    return fail(
        ErrorCode.WRONG_VALUE, f"{where}: must be between {spec.minimum} and {spec.maximum}"
    )


def _below_or_above(spec: Field, number: float) -> bool:
    return (spec.minimum is not None and number < spec.minimum) or (
        spec.maximum is not None and number > spec.maximum
    )


@cache
def _charset_pattern(charset: str) -> re.Pattern[str]:
    return re.compile(f"[{charset}]+")


def validate_value(spec: Field, value: Any, where: str) -> Any:
    """One value by its field's rules (``compile_value``, made once per field)."""
    return compile_value(spec)(value, where)


# --- the rules of a field, decided once per field ------------------------------------------
#
# Every value is checked by a function made once per ``Field`` (and per field list): which
# kind, which of the optional rules apply, the charset's pattern and the set of known names
# are decided when it is made, not per value, so a bulk reader (the number file import:
# every row by the same field list) and every request pay only for the rules a field has.
# The order of the rules is the order of the answers: the first broken one is the code.

#: a compiled field check: (value, where) -> the validated value, or InvalidParameter
Check = Callable[[Any, str], Any]
#: a compiled object check: (mapping, path) -> the validated object
ObjectCheck = Callable[[Mapping[str, Any], str], dict[str, Any]]


@cache
def compile_value(spec: Field) -> Check:
    """The check of one field's values: (value, where) -> the value, or InvalidParameter."""
    required, empty_is_value = spec.required, spec.empty_is_value
    inner = _compile_present(spec)

    def check(value: Any, where: str) -> Any:
        if empty_is_value and value == "":
            return ""
        # absent: null, or an empty string (a JSON number kept as text is never empty)
        if value is None or (
            isinstance(value, str) and value == "" and not isinstance(value, _JsonFloat)
        ):
            if required:
                raise _mandatory(where)
            return None
        return inner(value, where)

    return check


def _compile_present(spec: Field) -> Check:
    if spec.kind == "string":
        max_length, forbidden, choices = spec.max_length, spec.forbidden, spec.choices
        pattern = _charset_pattern(spec.charset) if spec.charset is not None else None
        banned = re.compile(f"[{re.escape(forbidden)}]") if forbidden is not None else None
        formatted = spec.format is not None

        def string(value: Any, where: str) -> Any:
            text = value if value.__class__ is str else _as_string(value, where)
            if max_length is not None and len(text) > max_length:
                raise _too_long(spec, where)
            if pattern is not None and not pattern.fullmatch(text):
                raise _outside_charset(spec, where)
            if "\x00" in text:
                raise _holds_nul(where)
            if banned is not None and banned.search(text):
                raise _holds_forbidden(spec, where)
            if choices is not None and text not in choices:
                raise _not_a_choice(spec, where)
            return _parse_format(spec, text, where) if formatted else text

        return string
    if spec.kind == "integer":

        def integer(value: Any, where: str) -> Any:
            number = _as_integer(value, where)
            if spec.choices is not None and number not in spec.choices:
                raise _not_a_choice(spec, where)
            if _below_or_above(spec, number):
                raise _out_of_range(spec, where)
            return number

        return integer
    if spec.kind == "object":
        members = compile_object(spec.fields) if spec.fields is not None else None

        def obj(value: Any, where: str) -> Any:
            if not isinstance(value, dict):
                raise fail(ErrorCode.WRONG_TYPE, f"{where}: must be a JSON object")
            return value if members is None else members(value, f"{where}.")

        return obj
    if spec.kind == "list":
        assert spec.item is not None
        item = compile_value(spec.item)

        def items(value: Any, where: str) -> Any:
            if not isinstance(value, list):
                raise fail(ErrorCode.WRONG_TYPE, f"{where}: must be a list")
            if not value and spec.required:
                raise fail(ErrorCode.EMPTY, f"{where}: must not be empty")
            if spec.max_items is not None and len(value) > spec.max_items:
                raise fail(spec.too_many, f"{where}: more than {spec.max_items} items")
            return [item(each, f"{where}[{i}]") for i, each in enumerate(value)]

        return items
    if spec.kind == "number":

        def number(value: Any, where: str) -> Any:
            decimal = _as_number(value, where)
            if _below_or_above(spec, decimal):
                raise _out_of_range(spec, where)
            return decimal

        return number
    raise AssertionError(spec.kind)


@cache
def compile_object(schema: Schema, given: frozenset[str] | None = None) -> ObjectCheck:
    """The check of an object by ``schema``: (data, path) -> the validated object.

    ``given``: the only members the objects checked can hold (a file's columns); every other
    field is absent from all of them, so its outcome (``None``, or 02000001 if it is
    mandatory) is decided here once. Members outside ``given`` are still refused as
    ``validate_object`` refuses them."""
    known = frozenset(f.name for f in schema)
    checks = tuple(
        (f.name, f.out, compile_value(f))
        for f in schema
        if given is None or f.name in given or f.required
    )
    # every output key in the schema's order; absent fields keep None
    template = dict.fromkeys(f.out for f in schema)

    def check(data: Mapping[str, Any], path: str) -> dict[str, Any]:
        for name in data:
            if name not in known or (given is not None and name not in given):
                if name in known:  # a member the caller promised never to pass: the slow way
                    return validate_object(data, schema, path)
                raise fail(ErrorCode.PARAMETER_ERROR, f"unknown parameter: {path}{name}")
        result = template.copy()
        get = data.get
        for name, out, rule in checks:
            result[out] = rule(get(name), path + name)
        return result

    return check


def path_integer(name: str, value: str, minimum: int, maximum: int) -> int:
    """Path parameters: not an integer 02000006, out of range 02000007."""
    if not _INTEGER_RE.match(value):
        raise fail(ErrorCode.WRONG_TYPE, f"{name}: must be an Integer")
    number = int(value)
    if not minimum <= number <= maximum:
        raise fail(ErrorCode.WRONG_VALUE, f"{name}: must be between {minimum} and {maximum}")
    return number


def json_schema(schema: Schema) -> dict[str, Any]:
    """The OpenAPI (JSON Schema) form of a field list, for the documentation."""
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {f.name: _field_schema(f) for f in schema},
        "required": [f.name for f in schema if f.required],
    }


def _field_schema(spec: Field) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if spec.description:
        result["description"] = spec.description
    if spec.kind == "string":
        result["type"] = "string"
        if spec.max_length is not None:
            result["maxLength"] = spec.max_length
        if spec.charset is not None:
            result["pattern"] = f"^[{spec.charset}]*$"
        if spec.choices is not None:
            result["enum"] = list(spec.choices)
        if spec.format == "time":
            result["pattern"] = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
            result["example"] = "2026-12-01 09:00:00"
        elif spec.format == "date":
            result["pattern"] = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
        elif spec.format == "hhmm":
            result["pattern"] = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
        elif spec.format == "url":
            result["format"] = "uri"
    elif spec.kind == "integer":
        result["type"] = "integer"
        if spec.choices is not None:
            result["enum"] = list(spec.choices)
        if spec.minimum is not None:
            result["minimum"] = spec.minimum
        if spec.maximum is not None:
            result["maximum"] = spec.maximum
    elif spec.kind == "number":
        result["type"] = "number"
        if spec.minimum is not None:
            result["minimum"] = spec.minimum
        if spec.maximum is not None:
            result["maximum"] = spec.maximum
    elif spec.kind == "object":
        result.update(json_schema(spec.fields) if spec.fields is not None else {"type": "object"})
    elif spec.kind == "list":
        result["type"] = "array"
        assert spec.item is not None
        result["items"] = _field_schema(spec.item)
        if spec.max_items is not None:
            result["maxItems"] = spec.max_items
    return result
