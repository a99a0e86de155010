"""The keys contact policies count by: a number's key (E.164 or its raw string), a person,
the subjects a call is about, and a number's candidate jurisdictions
(docs/contact-policies.md, "Keys").

A number key is computed once, when the number is stored, and kept: a ``phonenumbers``
upgrade does not move stored rows under another key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from .us_area_states import AREA_STATES

E164 = "e164"
RAW = "raw"

#: person and subject ids: 1-64 of these characters
_ID_RE = re.compile(r"^[A-Za-z0-9\-_.:@]{1,64}\Z")
ID_MAX = 64
ID_CHARS = "A-Za-z0-9\\-_.:@"
MAX_SUBJECTS = 5
#: ISO 3166 ``CC`` or ``CC-SS`` (a subdivision of up to three letters or digits)
_REGION_RE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?\Z")

#: every state of the US (a US number whose area code names none has each as candidate)
US_EVERY_STATE = "US-*"


@dataclass(frozen=True)
class NumberKey:
    key: str
    kind: str  # E164 or RAW
    country: str | None  # the phonenumbers region of an E.164 key (US, GB, ...)


def known_country(code: str) -> bool:
    """An ISO 3166-1 alpha-2 region ``phonenumbers`` has metadata for."""
    return code in phonenumbers.SUPPORTED_REGIONS


def _valid(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_valid_number(parsed) else None


@lru_cache(maxsize=65536)
def number_key(called: str, default_country: str | None, international_prefix: str) -> NumberKey:
    """The key of a stored number: the first valid E.164 reading of (a) the international
    prefix replaced by ``+``, (b) the number in ``default_country``, (c) ``+`` and the number;
    else its raw string (which never starts with ``+``, so it cannot meet an E.164 key).
    A number with ``*`` or ``#`` is always raw."""
    if "*" in called or "#" in called or not called:
        return NumberKey(called, RAW, None)
    tries: list[tuple[str, str | None]] = []
    if international_prefix and called.startswith(international_prefix):
        tries.append(("+" + called[len(international_prefix) :], None))
    if default_country:
        tries.append((called, default_country))
    tries.append(("+" + called, None))
    for text, region in tries:
        parsed = _valid(text, region)
        if parsed is not None:
            key = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
            return NumberKey(key, E164, phonenumbers.region_code_for_number(parsed))
    return NumberKey(called, RAW, None)


def key_kind(key: str) -> str:
    """The kind of a stored key (E.164 keys, and only they, start with ``+``)."""
    return E164 if key.startswith("+") else RAW


@lru_cache(maxsize=65536)
def jurisdictions_of_key(key: str) -> tuple[str, ...] | None:
    """A stored key's own candidate jurisdictions: its country, and for a US number the
    state of its area code (``US-*`` when the area code names no state); None: every
    jurisdiction (a raw key)."""
    if not key.startswith("+"):
        return None
    parsed = _valid(key, None)
    if parsed is None:
        return None
    country = phonenumbers.region_code_for_number(parsed)
    if country is None:
        return None
    if country != "US":
        return (country,)
    national = phonenumbers.national_significant_number(parsed)
    state = AREA_STATES.get(national[:3])
    return ("US", f"US-{state}" if state else US_EVERY_STATE)


def candidate_jurisdictions(key: str, region: str | None) -> tuple[str, ...] | None:
    """The number's candidates plus the record's ``region``; None: every jurisdiction."""
    own = jurisdictions_of_key(key)
    if own is None:
        return None
    if region and region not in own:
        return (*own, region)
    return own


def _meets(listed: str, candidate: str) -> bool:
    """``US`` meets every ``US-…``; ``US-FL`` meets ``US-FL`` and ``US-*``."""
    if listed == candidate:
        return True
    country, _, state = candidate.partition("-")
    if listed == country:
        return True
    return state == "*" and listed.startswith(country + "-")


def jurisdiction_applies(listed: tuple[str, ...], candidates: tuple[str, ...] | None) -> bool:
    """A policy's ``jurisdictions`` (empty: all) meet any candidate: it applies. The
    strictest candidate wins, since every applicable policy must pass."""
    if not listed or candidates is None:
        return True
    return any(_meets(entry, candidate) for entry in listed for candidate in candidates)


# --- a record's keys, as stored ------------------------------------------------------------

PERSON_KEYS = ("personId", "sessionId", "customField")
SUBJECT_KEYS = ("subjectId", "sessionId", "customField", "none")
#: the record field a Huawei field choice reads
_SOURCE = {
    "personId": "person_id",
    "subjectId": "subject_ids",
    "sessionId": "session_id",
    "customField": "custom_field",
}


@dataclass(frozen=True)
class Keying:
    """How a VDN and campaign key the records added to it: the VDN's ``defaultCountry``,
    the international prefix, and which field holds the person and the subject
    (``personKey``, ``subjectKey``: a Huawei client cannot send ``personId``)."""

    default_country: str | None
    international_prefix: str
    person_key: str = "personId"
    subject_key: str = "subjectId"

    def keys(self, record: dict[str, object]) -> dict[str, str | None]:
        """The key columns of a record (``called`` is its first number)."""
        called = str(record["called"])
        person = _id_from(record.get(_SOURCE[self.person_key]))
        subjects = (
            None
            if self.subject_key == "none"
            else _subjects_from(record.get(_SOURCE[self.subject_key]))
        )
        return {
            "number_key": number_key(called, self.default_country, self.international_prefix).key,
            "person_id": person,
            "subject_ids": subjects,
            "region": str(record["region"]) if record.get("region") else None,
        }


def _id_from(value: object) -> str | None:
    """A person key read from a field; a Huawei field's value that is not a valid id is
    cut to its valid characters (never refused: the Huawei field has its own rules)."""
    if not value:
        return None
    text = re.sub(r"[^A-Za-z0-9\-_.:@]", "", str(value))[:ID_MAX]
    return text or None


def _subjects_from(value: object) -> str | None:
    if not value:
        return None
    text = str(value)
    if subjects_problem(text) is None:
        return text
    return _id_from(text)


# --- person, subjects, region: the checks the wire maps to result codes ---------------------


def valid_id(text: str) -> bool:
    return bool(_ID_RE.match(text))


def subject_ids(text: str) -> tuple[str, ...]:
    """``D-1|D-2`` → ("D-1", "D-2"); the caller has checked :func:`subjects_problem`."""
    return tuple(text.split("|")) if text else ()


def subjects_problem(text: str) -> str | None:
    """Why a ``subjectId`` value is refused, or None, in the order the codes are checked:
    ``length`` (an id over 64), ``chars``, ``count`` (an empty id, or more than 5)."""
    parts = text.split("|")
    if any(len(part) > ID_MAX for part in parts):
        return "length"
    if any(part and not _ID_RE.match(part) for part in parts):
        return "chars"
    if len(parts) > MAX_SUBJECTS or any(not part for part in parts):
        return "count"
    return None


def valid_region(text: str) -> bool:
    """ISO 3166 ``CC`` (known to phonenumbers) or ``CC-SS``."""
    return bool(_REGION_RE.match(text)) and known_country(text[:2])
