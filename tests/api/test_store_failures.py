"""A real store failure answers 0200006 on every interface and changes nothing.

The failure is made in the real database: a trigger that refuses a write, or a table
renamed away under a read.
"""

from __future__ import annotations

import pytest

from tests.support.api import (
    add_numbers,
    assert_code,
    calldata_path,
    campaign_body,
    campaigns_path,
    count,
    create_campaign,
    execute_sql,
    numbers,
    rows,
)
from tests.support.stores import refuse

pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture
def setup(make_server):
    server = make_server()
    client = server.client()
    campaign_id = create_campaign(client)
    add_numbers(client, campaign_id, numbers(3, customField="keep"))
    yield server, client, campaign_id
    client.close()


def test_create_campaign(setup, backend):
    server, client, _ = setup
    refuse(server, backend, "campaigns", "INSERT")
    assert_code(client.post(campaigns_path(), json=campaign_body()).json(), "0200006")
    assert count(server.services, "campaigns") == 1


def test_modify_pause_resume_campaign(setup, backend):
    server, client, campaign_id = setup
    before = rows(server.services, "campaigns", id=campaign_id)[0]
    refuse(server, backend, "campaigns", "UPDATE")
    body = campaign_body(name="renamed")
    assert_code(client.put(f"{campaigns_path()}/{campaign_id}", json=body).json(), "0200006")
    assert_code(client.put(f"{campaigns_path()}/{campaign_id}/resume").json(), "0200006")
    assert rows(server.services, "campaigns", id=campaign_id)[0] == before


def test_delete_campaign(setup, backend):
    server, client, campaign_id = setup
    refuse(server, backend, "campaigns", "DELETE")
    answer = client.request(
        "DELETE", f"{campaigns_path()}/{campaign_id}", json={"archiveHistory": 1}
    )
    assert_code(answer.json(), "0200006")
    assert count(server.services, "numbers", campaign_id=campaign_id) == 3
    assert count(server.services, "number_history") == 0


@pytest.mark.parametrize("version", [1, 2])
def test_add_numbers(setup, backend, version):
    server, client, campaign_id = setup
    refuse(server, backend, "numbers", "INSERT")
    record = {"called": "7001"} if version == 1 else {"called": [{"calledNo": "7001"}]}
    answer = client.post(
        calldata_path(campaign_id, version=version), json={"callDataList": [record]}
    )
    assert_code(answer.json(), "0200006")
    assert count(server.services, "numbers", campaign_id=campaign_id) == 3


def test_delete_numbers_hard(setup, backend):
    server, client, campaign_id = setup
    refuse(server, backend, "numbers", "DELETE")
    answer = client.post(
        calldata_path(campaign_id) + "/delete", json={"customField": "keep"}
    ).json()
    assert_code(answer, "0200006")
    assert answer["successCount"] == 0
    assert count(server.services, "numbers", campaign_id=campaign_id) == 3


@pytest.mark.parametrize(
    "request_",
    [
        ("GET", "{campaigns}/{id}", None, None),
        ("GET", "{campaigns}", None, {"status": 0, "deviceType": 0}),
        ("GET", "{calldata}/1", None, None),
        ("POST", "{calldata}/history", {}, None),
    ],
)
def test_reads(setup, request_):
    server, client, campaign_id = setup
    method, template, body, params = request_
    path = template.format(
        campaigns=campaigns_path(), calldata=calldata_path(campaign_id), id=campaign_id
    )
    execute_sql(server.services, "ALTER TABLE campaigns RENAME TO campaigns_away")
    execute_sql(server.services, "ALTER TABLE number_history RENAME TO number_history_away")
    try:
        assert_code(client.request(method, path, json=body, params=params).json(), "0200006")
    finally:
        execute_sql(server.services, "ALTER TABLE campaigns_away RENAME TO campaigns")
        execute_sql(server.services, "ALTER TABLE number_history_away RENAME TO number_history")
