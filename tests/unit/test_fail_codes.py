"""failCodes in words: one table, read by the interface's list and by what people see."""

from __future__ import annotations

from isales.domain.fail_codes import FAIL_CODES, described, label
from isales.wire.schemas.definitions import OBS_CODES


def test_a_known_code_reads_as_code_and_words():
    assert described("00603") == "00603 No answer"
    assert label("00537") == "Busy"


def test_a_code_outside_the_table_stays_a_code_and_none_is_empty():
    assert described("00147") == "00147"
    assert label("00147") == ""
    assert described(None) == "" and described("") == ""


def test_the_interface_lists_the_same_codes_with_their_sentences():
    assert [code for code, _ in OBS_CODES] == [entry.code for entry in FAIL_CODES]
    assert dict(OBS_CODES)["00603"] == "The called party does not answer the call."
    assert all(entry.label and len(entry.label) <= 25 for entry in FAIL_CODES)
