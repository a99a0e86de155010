"""``isales hold``, ``isales audit`` and ``isales erase`` in real subprocesses, on both
stores (docs/api.md#data-lifecycle-isales-extensions)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from isales.store.engine import make_engine
from tests.support.api import add_numbers, create_campaign
from tests.support.processes import ok, run
from tests.support.servers import start_server

pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture
def store_url(backend, templates) -> str:
    return templates.url(backend)


@pytest.fixture
def campaign(store_url):  # type: ignore[no-untyped-def]
    """(store URL, a campaign of VDN 12 in it)."""
    server = start_server(store_url)
    try:
        with server.client() as client:
            yield store_url, create_campaign(client)
    finally:
        server.stop()


def test_hold_set_list_release(campaign, tmp_path):
    url, campaign_id = campaign
    db = ("--db", url)
    result = ok(
        run(
            "hold",
            "set",
            "--vdn",
            "12",
            "--campaign",
            str(campaign_id),
            "--reason",
            "case 7",
            *db,
            cwd=tmp_path,
        )
    )
    assert f"campaign {campaign_id}" in result.stdout
    listed = json.loads(ok(run("hold", "list", "--json", *db, cwd=tmp_path)).stdout)
    assert [(h["vdnId"], h["campaignId"], h["reason"]) for h in listed] == [
        (12, campaign_id, "case 7")
    ]
    assert "case 7" in ok(run("hold", "list", *db, cwd=tmp_path)).stdout
    ok(run("hold", "release", "--vdn", "12", "--campaign", str(campaign_id), *db, cwd=tmp_path))
    assert json.loads(ok(run("hold", "list", "--json", *db, cwd=tmp_path)).stdout) == []
    again = run("hold", "release", "--vdn", "12", "--campaign", str(campaign_id), *db, cwd=tmp_path)
    assert again.returncode == 1 and "not held" in again.stderr


def test_hold_on_an_unknown_campaign_exits_non_zero(store_url, tmp_path):
    result = run(
        "hold", "set", "--vdn", "12", "--campaign", "987654", "--db", store_url, cwd=tmp_path
    )
    assert result.returncode == 1
    assert "does not exist" in result.stderr


def test_audit_list_and_verify(campaign, tmp_path):
    url, campaign_id = campaign
    db = ("--db", url)
    ok(run("hold", "set", "--vdn", "12", "--campaign", str(campaign_id), *db, cwd=tmp_path))
    lines = ok(run("audit", "list", "--json", *db, cwd=tmp_path)).stdout.splitlines()
    entries = [json.loads(line) for line in lines]
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)
    assert {"key-create", "hold-set"} <= {e["operation"] for e in entries}
    assert all(e["actor"] for e in entries)
    only_vdn = [
        json.loads(line)
        for line in ok(
            run("audit", "list", "--vdn", "12", "--json", *db, cwd=tmp_path)
        ).stdout.splitlines()
    ]
    assert {e["operation"] for e in only_vdn} == {"hold-set"}
    worded = ok(run("audit", "list", "--vdn", "12", *db, cwd=tmp_path)).stdout
    assert f"set a legal hold on campaign {campaign_id}" in worded, worded
    assert "{" not in worded  # the detail in words, not as JSON
    future = ok(run("audit", "list", "--since", "2999-01-01", *db, cwd=tmp_path))
    assert future.stdout == ""
    bad_since = run("audit", "list", "--since", "yesterday", *db, cwd=tmp_path)
    assert bad_since.returncode != 0

    verified = ok(run("audit", "verify", *db, cwd=tmp_path))
    assert verified.stdout.strip() == f"audit log intact: {len(entries)} entries"


def test_audit_verify_fails_after_a_row_is_edited_in_the_store(campaign, tmp_path):
    url, campaign_id = campaign
    db = ("--db", url)
    ok(run("hold", "set", "--vdn", "12", "--campaign", str(campaign_id), *db, cwd=tmp_path))
    ok(run("hold", "release", "--vdn", "12", "--campaign", str(campaign_id), *db, cwd=tmp_path))
    entries = [
        json.loads(line)
        for line in ok(run("audit", "list", "--json", *db, cwd=tmp_path)).stdout.splitlines()
    ]
    target = next(e for e in entries if e["operation"] == "hold-set")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_log SET detail = :d WHERE id = :id"),
            {"d": '{"campaignId":1}', "id": target["id"]},
        )
    engine.dispose()
    result = run("audit", "verify", *db, cwd=tmp_path)
    assert result.returncode == 1
    assert f"entry {target['id']}" in result.stdout


def test_erase_prints_a_receipt_without_the_number(store_url, tmp_path):
    server = start_server(store_url)
    try:
        with server.client() as client:
            campaign_id = create_campaign(client)
            add_numbers(client, campaign_id, [{"called": "8613911112222"}])
            held = create_campaign(client)
            add_numbers(client, held, [{"called": "8613933334444"}])
    finally:
        server.stop()
    db = ("--db", store_url)
    result = ok(
        run("erase", "--vdn", "12", "--called", "8613911112222", "--json", *db, cwd=tmp_path)
    )
    receipt = json.loads(result.stdout)
    assert receipt["resultCode"] == "0200000"
    assert receipt["removed"]["numbers"] == 1
    assert "8613911112222" not in result.stdout
    audit_lines = ok(run("audit", "list", "--json", *db, cwd=tmp_path)).stdout
    assert receipt["erasureId"] in audit_lines and "8613911112222" not in audit_lines

    ok(run("hold", "set", "--vdn", "12", "--campaign", str(held), *db, cwd=tmp_path))
    refused = run("erase", "--vdn", "12", "--called", "8613933334444", *db, cwd=tmp_path)
    assert refused.returncode == 1
    assert "0209004" in refused.stderr and "legal hold" in refused.stderr
    bad = run("erase", "--vdn", "12", "--called", "12a", *db, cwd=tmp_path)
    assert bad.returncode != 0
