"""The audit log in words (domain/audit_sentences.py): every operation the services write
reads as a sentence, and an unknown one is shown, never dropped."""

from __future__ import annotations

import json
import re
from pathlib import Path

from isales.domain.audit import canonical_detail
from isales.domain.audit_sentences import SENTENCES, sentence

SERVICES = Path(__file__).resolve().parents[2] / "src" / "isales" / "services"


def written_operations() -> set[str]:
    """The operation names the services pass to the audit log (literals and Removals)."""
    found: set[str] = set()
    for path in SERVICES.glob("*.py"):
        text = path.read_text()
        found |= set(re.findall(r'operation="([a-z]+(?:-[a-z]+)*)"', text))
        found |= set(re.findall(r'Removal\(\s*"([a-z]+(?:-[a-z]+)*)"', text))
        found |= set(re.findall(r'^[A-Z_]+ = "([a-z]+(?:-[a-z]+)+)"$', text, re.M))
    return found


def test_every_operation_the_services_write_has_a_sentence():
    written = written_operations()
    assert {"number-delete", "restore", "erasure", "hold-set"} <= written  # the scan works
    assert written <= set(SENTENCES), written - set(SENTENCES)


def test_removals_say_what_went_where_and_what_was_kept():
    detail = {
        "campaignId": 7,
        "filter": {"customField": "batch-7"},
        "archiveHistory": 1,
        "deleted": 3,
        "kept": {"calling": 2},
    }
    assert sentence("number-delete", canonical_detail(detail)) == (
        "deleted 3 numbers matching customField of campaign 7 (moved to history); "
        "kept 2: 2 call in progress"
    )
    batch = {"campaignId": 7, "batchId": "b1", "archiveHistory": 0, "deleted": 1, "kept": {}}
    assert sentence("batch-delete", batch) == (
        "deleted batch b1: 1 number of campaign 7 deleted for good"
    )
    rollback = {"campaignId": 7, "taskId": 4, "archiveHistory": 1, "deleted": 0, "kept": {}}
    assert sentence("import-rollback", rollback).startswith("rolled back import task 4: 0 numbers")


def test_the_other_operations_read_as_sentences():
    cases = {
        ("restore", json.dumps({"campaignId": 7, "by": "dataIds", "restored": 2})): (
            "restored 2 numbers to campaign 7, chosen by number ID"
        ),
        ("hold-set", json.dumps({"campaignId": 7, "reason": "case 12", "new": True})): (
            "set a legal hold on campaign 7: case 12"
        ),
        ("hold-release", json.dumps({"campaignId": 7})): "released the legal hold on campaign 7",
        ("key-create", json.dumps({"accessKey": "AK1", "vdnIds": [12, 13]})): (
            "created access key AK1 for VDN 12, 13"
        ),
        ("blacklist-delete", json.dumps({"all": True, "removed": 4})): (
            "emptied the blacklist (4 numbers)"
        ),
        ("purge", json.dumps({"history": 10, "olderThan": "2026-01-01T00:00:00"})): (
            "purged 10 archived numbers older than 2026-01-01T00:00:00"
        ),
        ("erasure", json.dumps({"erasureId": "E1", "removed": {"numbers": 1, "results": 0}})): (
            "erased a person's number (erasure E1): removed 1 from numbers"
        ),
    }
    for (operation, detail), expected in cases.items():
        assert sentence(operation, detail) == expected


def test_an_unknown_operation_or_detail_is_shown_not_dropped():
    assert sentence("something-new", '{"a":1}') == 'something-new: {"a":1}'
    assert sentence("restore", "not json") == "restore: not json"
