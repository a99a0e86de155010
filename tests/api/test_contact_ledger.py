"""The contact ledger and the keys on every add path, on both stores
(docs/contact-policies.md, "Keys", "Recording", "Lapsed, skipped and late", "VDN
settings", "Policies")."""

from __future__ import annotations

import base64
from datetime import UTC, timedelta

import pytest

from tests.support.api import (
    OBS,
    MovableClock,
    add_numbers,
    calldata_path,
    campaign_body,
    claim,
    create_campaign,
    report,
    rows,
)

BASE = "/rest/isales/v1/openapi/campaigns/12"


def ledger(server, **where):
    return sorted(rows(server.services, "contact_attempts", **where), key=lambda r: r["placed_at"])


@pytest.fixture
def quiet(make_server):
    clock = MovableClock()
    server = make_server(clock=clock, lease_seconds=60, import_sweep_seconds=3600)
    with server.client() as client:
        yield server, client, clock


def test_every_claim_is_recorded_in_a_vdn_that_configures_nothing(quiet):
    server, client, clock = quiet
    campaign_id = create_campaign(client, init_status=0)
    ids = add_numbers(client, campaign_id, [{"called": "13055550100"}, {"called": "3055550100"}])
    handed = claim(client, campaign_id, 5)
    assert sorted(item["uniqueId"] for item in handed) == sorted(ids)
    # the wire is as before: no contactPolicy, no key properties
    campaign = client.get(f"{BASE}/{campaign_id}").json()["returnObject"]
    assert "contactPolicy" not in campaign
    recorded = ledger(server, campaign_id=campaign_id)
    assert [r["data_id"] for r in recorded] == sorted(int(i) for i in ids)
    assert {r["number_key"] for r in recorded} == {"+13055550100", "3055550100"}
    assert all(
        (r["ended_at"], r["classes"], r["voided"], r["placed_at"], r["origin"])
        == (None, "placed,connected", 0, clock.now, {"kind": "claim"})
        for r in recorded
    )
    clock.advance(20)
    assert report(client, campaign_id, ids[0], status="6")["result"] == "0"
    assert report(client, campaign_id, ids[1], status="5", fail_code="00537")["result"] == "0"
    done = {r["data_id"]: r for r in ledger(server, campaign_id=campaign_id)}
    assert done[int(ids[0])]["classes"] == "placed,connected,conversation"
    assert done[int(ids[1])]["classes"] == "placed"
    assert {r["ended_at"] for r in done.values()} == {clock.now}
    assert done[int(ids[1])]["fail_code"] == "00537"


def test_a_lapsed_claim_is_voided_unless_it_was_dialled_and_a_late_result_completes_it(quiet):
    server, client, clock = quiet
    campaign_id = create_campaign(client, init_status=0)
    ids = add_numbers(client, campaign_id, [{"called": "13055550100"}, {"called": "13055550111"}])
    start = clock.now
    claim(client, campaign_id, 2)
    clock.advance(30)
    mid = {"subCCNo": 1, "vdnId": 12, "serviceId": str(campaign_id), "uniqueId": ids[1]}
    assert client.post(OBS + "/push/midresult", json=mid).json()["result"] == "0"
    clock.advance(100)  # both leases ran out
    server.services.dialer.release_lapsed_claims()
    lapsed = {r["data_id"]: r for r in ledger(server, campaign_id=campaign_id)}
    assert (lapsed[int(ids[0])]["voided"], lapsed[int(ids[0])]["classes"]) == (1, "")
    dialled = lapsed[int(ids[1])]
    assert (dialled["voided"], dialled["classes"]) == (0, "placed,connected")
    assert dialled["ended_at"] == start + timedelta(seconds=90)  # the renewed lease's end
    # the late result is refused (the number is untouched) but completes the attempt
    assert report(client, campaign_id, ids[0], status="6")["result"] == "2"
    late = {r["data_id"]: r for r in ledger(server, campaign_id=campaign_id)}[int(ids[0])]
    assert (late["voided"], late["status"], late["classes"]) == (
        0,
        "6",
        "placed,connected,conversation",
    )
    assert late["ended_at"] == start + timedelta(seconds=60)  # its lease's end


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("personId", "P" * 65, "02000003"),
        ("personId", "P 1", "02000002"),
        ("subjectId", "D" * 65, "02000003"),
        ("subjectId", "D 1", "02000002"),
        ("subjectId", "a|b|c|d|e|f", "02000007"),
        ("subjectId", "a||b", "02000007"),
        ("region", "Florida", "02000003"),
        ("region", "XX", "02000007"),
        ("region", "us-fl", "02000007"),
    ],
)
def test_keys_are_checked_on_the_add(quiet, field, value, code):
    _, client, _ = quiet
    campaign_id = create_campaign(client)
    body = {"callDataList": [{"called": "3055550100", field: value}]}
    assert client.post(calldata_path(campaign_id), json=body).json()["resultCode"] == code


def test_keys_on_every_add_path_with_the_vdns_country(quiet):
    server, client, clock = quiet
    assert client.get(f"{BASE}/contactsettings").json()["defaultCountry"] == ""
    answer = client.put(f"{BASE}/contactsettings", json={"defaultCountry": "US"}).json()
    assert (answer["resultCode"], answer["defaultCountry"]) == ("0200000", "US")
    assert (
        client.put(f"{BASE}/contactsettings", json={"defaultCountry": "XX"}).json()["resultCode"]
        == "02000007"
    )
    campaign_id = create_campaign(client)
    keys = {"personId": "P-1", "subjectId": "D-1|D-2", "region": "US-FL"}
    [v1] = add_numbers(client, campaign_id, [{"called": "3055550100", **keys}])
    v2 = client.post(
        calldata_path(campaign_id, version=2),
        json={"callDataList": [{"called": [{"calledNo": "0013055550111"}], **keys}]},
    ).json()
    assert v2["resultCode"] == "0200000", v2
    csv = b"called,personId,subjectId,region\n3055550122,P-2,S-1,US-NY\n"
    upload = client.post(
        f"{BASE}/calldatafile/upload/{campaign_id}",
        json={"fileName": "n.csv", "fileContent": base64.b64encode(csv).decode()},
    ).json()
    assert upload["resultCode"] == "0200000", upload
    server.services.imports.run_pending()
    stored = {r["called"]: r for r in rows(server.services, "numbers", campaign_id=campaign_id)}
    assert stored["3055550100"]["number_key"] == "+13055550100"
    assert stored["0013055550111"]["number_key"] == "+13055550111"
    assert (stored["0013055550111"]["person_id"], stored["0013055550111"]["subject_ids"]) == (
        "P-1",
        "D-1|D-2",
    )
    assert (stored["3055550122"]["number_key"], stored["3055550122"]["region"]) == (
        "+13055550122",
        "US-NY",
    )
    shown = client.get(f"{calldata_path(campaign_id)}/{v1}").json()
    properties = {p["propCode"]: p["propValue"] for p in shown["data"]["properties"]}
    assert (properties["personId"], properties["subjectId"], properties["region"]) == (
        "P-1",
        "D-1|D-2",
        "US-FL",
    )
    at = clock.now + timedelta(hours=1)
    appoint = client.post(
        f"{BASE}/appoint/create",
        json={
            "callType": 2,
            "calledNo": "3055550199",
            "taskId": str(campaign_id),
            "appointTime": int(at.replace(tzinfo=UTC).timestamp() * 1000),
            "personId": "P-9",
        },
    ).json()
    assert appoint["resultCode"] == "0200000", appoint
    [reserved] = rows(server.services, "reservations", campaign_id=campaign_id)
    assert (reserved["number_key"], reserved["person_id"]) == ("+13055550199", "P-9")


def test_huawei_fields_hold_the_keys_when_the_campaign_says_so(quiet):
    server, client, _ = quiet
    campaign_id = create_campaign(
        client, contactPolicy={"personKey": "sessionId", "subjectKey": "customField"}
    )
    add_numbers(
        client, campaign_id, [{"called": "13055550100", "sessionId": "C-7", "customField": "L-1"}]
    )
    [row] = rows(server.services, "numbers", campaign_id=campaign_id)
    assert (row["person_id"], row["subject_ids"]) == ("C-7", "L-1")
    shown = client.get(f"{BASE}/{campaign_id}").json()["returnObject"]["contactPolicy"]
    assert (shown["personKey"], shown["purpose"], shown["policies"]) == ("sessionId", "other", [])


def test_policies_versions_presets_and_their_refusals(quiet):
    _, client, _ = quiet
    presets = client.get(f"{BASE}/contactpolicies/presets").json()["presets"]
    assert [p["preset"] for p in presets][0] == "us-regf" and len(presets) == 7
    made = client.post(f"{BASE}/contactpolicies", json={"name": "Reg F", "preset": "us-regf"})
    policy_id = made.json()["policyId"]
    assert made.json()["version"] == 1
    both = {"name": "x", "preset": "us-regf", "rules": []}
    assert client.post(f"{BASE}/contactpolicies", json=both).json()["resultCode"] == "02000009"
    again = client.post(f"{BASE}/contactpolicies", json={"name": "Reg F", "preset": "us-regf"})
    assert again.json()["resultCode"] == "02000007"
    cooldown_limit = {
        "name": "c",
        "rules": [
            {
                "kind": "cooldown",
                "unit": "number",
                "counts": "placed",
                "limit": 1,
                "windowSeconds": 60,
            }
        ],
    }
    assert (
        client.post(f"{BASE}/contactpolicies", json=cooldown_limit).json()["resultCode"]
        == "02000009"
    )
    eleven = {"name": "e", "rules": [cooldown_limit["rules"][0] | {"limit": None}] * 11}
    assert client.post(f"{BASE}/contactpolicies", json=eleven).json()["resultCode"] == "02000011"
    custom = {
        "name": "HIPAA daily",
        "purposes": ["healthcare"],
        "rules": [
            {
                "kind": "cap",
                "unit": "person",
                "counts": "placed",
                "limit": 1,
                "windowSeconds": 86400,
            }
        ],
    }
    changed = client.put(f"{BASE}/contactpolicies/{policy_id}", json=custom).json()
    assert (changed["policyId"], changed["version"]) == (policy_id, 2)
    assert client.put(f"{BASE}/contactpolicies/999", json=custom).json()["resultCode"] == "0200033"
    listed = client.post(f"{BASE}/contactpolicies/list", json={"includeVersions": 1}).json()
    versions = [(p["version"], p["name"], p["validTo"] is None) for p in listed["data"]]
    assert versions == [(1, "Reg F", False), (2, "HIPAA daily", True)]
    unknown = campaign_body(contactPolicy={"policies": [999]})
    assert client.post(BASE, json=unknown).json()["resultCode"] == "0209201"
    naming = create_campaign(client, contactPolicy={"policies": [policy_id]})
    assert client.delete(f"{BASE}/contactpolicies/{policy_id}").json()["resultCode"] == "0209202"
    modify = campaign_body(name="renamed")
    assert client.put(f"{BASE}/{naming}", json=modify).json()["resultCode"] == "0200000"
    kept = client.get(f"{BASE}/{naming}").json()["returnObject"]["contactPolicy"]
    assert kept["policies"] == [policy_id]  # a modify without contactPolicy keeps it
    off = campaign_body(name="renamed", contactPolicy={"policies": []})
    assert client.put(f"{BASE}/{naming}", json=off).json()["resultCode"] == "0200000"
    assert client.delete(f"{BASE}/contactpolicies/{policy_id}").json()["resultCode"] == "0200000"
    assert client.post(f"{BASE}/contactpolicies/list", json={}).json()["data"] == []
