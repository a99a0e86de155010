"""Number keys, person and subject keys, jurisdictions and the presets' rules, pure
(docs/contact-policies.md, "Keys" and "Policies")."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from isales.domain import contact_keys as keys
from isales.domain import contact_policies as rules


@pytest.mark.parametrize(
    ("called", "country", "key"),
    [
        ("3055550100", "US", "+13055550100"),
        ("13055550100", "US", "+13055550100"),
        ("0013055550100", "US", "+13055550100"),
        ("13055550100", None, "+13055550100"),
        ("3055550100", None, "3055550100"),
        ("8613800000000", "CN", "+8613800000000"),
        ("13800000000", "CN", "+8613800000000"),
        ("442079460000", "US", "+442079460000"),
        ("02079460000", "GB", "+442079460000"),
        ("*123#", "US", "*123#"),
        ("*123#", None, "*123#"),
        ("12345", "US", "12345"),
        ("12345", "GB", "12345"),
    ],
)
def test_the_key_table(called, country, key):
    found = keys.number_key(called, country, "00")
    assert found.key == key
    assert found.kind == (keys.E164 if key.startswith("+") else keys.RAW)


@pytest.mark.parametrize(
    ("key", "region", "candidates"),
    [
        ("+13055550100", None, ("US", "US-FL")),
        ("+17865550100", None, ("US", "US-FL")),
        ("+12125550100", None, ("US", "US-NY")),
        ("+12125550100", "US-FL", ("US", "US-NY", "US-FL")),
        ("+18885550100", None, ("US", "US-*")),
        ("+442079460000", None, ("GB",)),
        ("3055550100", None, None),
    ],
)
def test_candidate_jurisdictions(key, region, candidates):
    assert keys.candidate_jurisdictions(key, region) == candidates


@pytest.mark.parametrize(
    ("listed", "candidates", "applies"),
    [
        (("US",), ("US", "US-FL"), True),
        (("US-FL",), ("US", "US-FL"), True),
        (("US-FL",), ("US", "US-NY"), False),
        (("US-FL",), ("US", "US-*"), True),  # the strictest candidate wins
        (("US-FL",), ("US", "US-NY", "US-FL"), True),
        (("GB",), ("US", "US-FL"), False),
        (("GB",), None, True),  # raw keys: every jurisdiction
        ((), ("US",), True),
    ],
)
def test_a_policy_applies_when_any_candidate_meets_it(listed, candidates, applies):
    assert keys.jurisdiction_applies(listed, candidates) is applies


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("D-1", None),
        ("D-1|D-2|a.b:c@d_e", None),
        ("a|b|c|d|e", None),
        ("a|b|c|d|e|f", "count"),
        ("a||b", "count"),
        ("x" * 65, "length"),
        ("D 1", "chars"),
    ],
)
def test_subject_ids(text, problem):
    assert keys.subjects_problem(text) == problem


def test_keying_reads_huawei_fields_when_the_campaign_says_so():
    keying = keys.Keying("US", "00", person_key="sessionId", subject_key="customField")
    stored = keying.keys(
        {"called": "3055550100", "session_id": "P-1", "custom_field": "D-1|D-2", "region": None}
    )
    assert stored == {
        "number_key": "+13055550100",
        "person_id": "P-1",
        "subject_ids": "D-1|D-2",
        "region": None,
    }
    assert (
        keys.Keying(None, "00", subject_key="none").keys({"called": "1", "subject_ids": "D-1"})[
            "subject_ids"
        ]
        is None
    )


@pytest.mark.parametrize(
    ("status", "fail_code", "amd", "classes"),
    [
        ("5", "00603", None, {"placed", "connected"}),
        ("5", "00537", None, {"placed"}),
        ("5", "34606", None, {"placed"}),
        ("5", "99999", None, {"placed", "connected"}),  # unknown: connected
        ("6", "00000", None, {"placed", "connected", "conversation"}),
        ("6", "00000", "machine", {"placed", "connected"}),
        ("6", "00263", None, {"placed", "connected"}),
        ("5", "01046", None, {"placed", "connected", "abandoned"}),
        ("5", "00702", None, {"placed", "connected", "abandoned"}),
    ],
)
def test_outcome_classes(status, fail_code, amd, classes):
    assert rules.outcome_classes(status, fail_code, amd) == classes


def test_the_seven_presets_exactly():
    wired = {name: preset.wire() for name, preset in rules.PRESETS.items()}
    assert list(wired) == [
        "us-regf",
        "us-fl-ftsa",
        "us-ok-otsa",
        "us-md-ssca",
        "us-ma-debt",
        "us-tcpa-exempt-prerecorded",
        "uk-ofcom-abandoned",
    ]
    regf = wired["us-regf"]
    assert (regf["purposes"], regf["technologies"], regf["jurisdictions"]) == (
        ["collection"],
        [],
        ["US"],
    )
    assert regf["rules"] == [
        {
            "kind": "cap",
            "unit": "personSubject",
            "counts": "connected",
            "limit": 7,
            "windowSeconds": 604800,
            "channels": ["voice"],
            "exemptWith": ["direct"],
        },
        {
            "kind": "cooldown",
            "unit": "personSubject",
            "counts": "conversation",
            "windowSeconds": 604800,
            "channels": ["voice"],
            "exemptWith": [],
        },
    ]
    assert wired["us-md-ssca"]["rules"][0]["channels"] == ["voice", "sms"]
    assert wired["us-ma-debt"]["rules"][0]["limit"] == 2
    tcpa = wired["us-tcpa-exempt-prerecorded"]
    assert tcpa["purposes"] == ["informational", "collection", "other"]
    assert tcpa["rules"][0]["unit"] == "number"
    assert tcpa["rules"][0]["exemptWith"] == ["pec", "pewc"]
    ofcom = wired["uk-ofcom-abandoned"]
    assert (ofcom["purposes"], ofcom["technologies"]) == ([], ["predictive", "prerecorded"])
    assert ofcom["rules"][0]["windowSeconds"] == 259200


def test_a_cap_releases_when_the_oldest_counted_end_leaves_the_window():
    policy = rules.policy_from_body(1, 1, {"name": "p", "preset": "us-ma-debt"})
    start = datetime(2027, 3, 1, 9)
    attempts = [
        rules.Attempt(
            str(i),
            "+16175550100",
            "P",
            ("D",),
            start + timedelta(days=i),
            start + timedelta(days=i, seconds=40),
            frozenset({"placed", "connected"}),
        )
        for i in range(2)
    ]
    cand = rules.Candidate("+16175550100", "P", ("D",), ("US", "US-MA"), "collection", None)
    verdict = rules.judge([policy], cand, attempts, start + timedelta(days=3))
    assert not verdict.passed
    assert verdict.next_allowed_at == start + timedelta(days=7, seconds=40)
    exempt = rules.Candidate("+16175550100", "P", ("D",), ("US", "US-MA"), "telemarketing", None)
    assert rules.judge([policy], exempt, attempts, start + timedelta(days=3)).passed
