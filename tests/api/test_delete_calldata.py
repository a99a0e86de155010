"""The seed interface, rule by rule, on SQLite and PostgreSQL
(docs/api.md#deleting-outbound-numbers)."""

from __future__ import annotations

import pytest

from tests.support.api import (
    SUCCESS,
    add_numbers,
    assert_code,
    claim,
    count,
    create_campaign,
    delete,
    delete_path,
    execute_sql,
    numbers,
    report,
    rows,
    set_status,
)

pytestmark = pytest.mark.usefixtures("backend")


def codes(answer: dict) -> tuple[str, str]:
    return answer["resultCode"], answer["returnCode"]


def assert_error(answer: dict, code: str) -> None:
    assert_code(answer, code)
    assert answer["successCount"] == 0


@pytest.fixture
def campaign(client):
    """A paused campaign with five numbers of batch b7 (sessions s0..s4)."""
    campaign_id = create_campaign(client)
    add_numbers(
        client,
        campaign_id,
        [
            {"called": f"1380000{i:04d}", "customField": "b7", "sessionId": f"s{i}"}
            for i in range(5)
        ],
    )
    return campaign_id


# --- method, envelope, path ---


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_only_post(client, campaign, method):
    response = client.request(method, delete_path(campaign), json={"sessionId": "s1"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_success_envelope_has_every_field(client, campaign):
    answer = delete(client, campaign, {"sessionId": "s1"})
    assert answer == {
        "resultCode": SUCCESS,
        "resultDesc": "",
        "returnCode": SUCCESS,
        "returnDesc": "",
        "successCount": 1,
    }


@pytest.mark.parametrize(
    ("vdn", "campaign_id", "code"),
    [
        ("abc", "1", "02000006"),
        ("1.5", "1", "02000006"),
        ("0", "1", "02000007"),
        ("10000", "1", "02000007"),
        ("12", "x", "02000006"),
        ("12", "0", "02000007"),
        ("12", "-3", "02000007"),
        ("12", "99999999999", "02000007"),
    ],
)
def test_path_parameters(client, vdn, campaign_id, code):
    path = f"/rest/isales/v1/openapi/campaigns/{vdn}/calldata/{campaign_id}/delete"
    answer = client.post(path, json={"sessionId": "s1"}).json()
    assert_error(answer, code)


# --- headers and body ---


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/json; charset=GBK", "application/xml"]
)
def test_content_type_must_be_json_utf8(client, campaign, content_type, server):
    answer = client.post(
        delete_path(campaign), content=b'{"sessionId":"s1"}', content_type=content_type
    ).json()
    assert_error(answer, "0200001")
    assert count(server.services, "numbers", campaign_id=campaign) == 5


@pytest.mark.parametrize("content_type", ["application/json", "application/json;charset=utf-8"])
def test_content_type_variants_accepted(client, campaign, content_type):
    answer = client.post(
        delete_path(campaign), content=b'{"sessionId":"s1"}', content_type=content_type
    ).json()
    assert answer["resultCode"] == SUCCESS and answer["successCount"] == 1


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"", "02000001"),
        (b"   ", "02000001"),
        (b"{bad json", "02000008"),
        (b"\xff\xfe", "02000008"),
        (b"[]", "02000006"),
        (b'"s1"', "02000006"),
        (b"7", "02000006"),
        (b"null", "02000006"),
        (b'{"sessionId": NaN}', "02000008"),
    ],
)
def test_body_must_be_a_json_object(client, campaign, raw, code):
    answer = client.post(delete_path(campaign), content=raw).json()
    assert_error(answer, code)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"sessionId": "s" * 33}, "02000003"),
        ({"called": "1" * 25}, "02000003"),
        ({"called": "138-0000"}, "02000002"),
        ({"called": "13800000000 "}, "02000002"),
        ({"customField": "x" * 201}, "02000003"),
        ({"recycleTime": "2020-12-04"}, "0200030"),
        ({"recycleTime": "2020-12-04T17:57:00"}, "0200030"),
        ({"recycleTime": "2021-02-29 10:00:00"}, "0200030"),
        ({"recycleTime": "2020-12-04 24:00:00"}, "0200030"),
        ({"recycleTime": "2020-12-04 17:57:00", "recycleType": "4"}, "02000007"),
        ({"recycleTime": "2020-12-04 17:57:00", "recycleType": "0"}, "02000007"),
        ({"sessionId": "s1", "archiveHistory": 2}, "02000007"),
        ({"sessionId": "s1", "archiveHistory": -1}, "02000007"),
        ({"sessionId": "s1", "archiveHistory": True}, "02000006"),
        ({"sessionId": "s1", "archiveHistory": "abc"}, "02000006"),
        ({"sessionId": "s1", "archiveHistory": 1.5}, "02000006"),
        ({"sessionId": "s1", "archiveHistory": [1]}, "02000006"),
        ({"sessionId": True}, "02000006"),
        ({"called": {"n": 1}}, "02000006"),
        ({"customField": ["b7"]}, "02000006"),
        ({"recycleType": "1"}, "02000009"),
        ({"recycleType": "1", "sessionId": "s1"}, "02000009"),
        ({}, "02000001"),
        ({"archiveHistory": 1}, "02000001"),
        ({"sessionId": None, "called": "", "customField": None, "recycleTime": ""}, "02000001"),
        ({"sessionId": "s1", "filter": "x"}, "0200001"),
        ({"custom_field": "b7"}, "0200001"),
    ],
)
def test_body_rules(client, campaign, body, code, server):
    answer = delete(client, campaign, body)
    assert_error(answer, code)
    assert count(server.services, "numbers", campaign_id=campaign) == 5


def test_unknown_field_is_named(client, campaign):
    answer = delete(client, campaign, {"customfield": "b7"})
    assert "customfield" in answer["resultDesc"]


def test_number_taken_as_string(client, server):
    campaign_id = create_campaign(client)
    add_numbers(client, campaign_id, [{"called": "8613800000000"}, {"called": "8613800000001"}])
    answer = delete(client, campaign_id, {"called": 8613800000000})
    assert answer["successCount"] == 1
    assert [r["called"] for r in rows(server.services, "numbers", campaign_id=campaign_id)] == [
        "8613800000001"
    ]


def test_digit_string_taken_as_integer(client, campaign, server):
    answer = delete(client, campaign, {"sessionId": "s1", "archiveHistory": "1"})
    assert answer["successCount"] == 1
    assert count(server.services, "number_history", campaign_id=campaign) == 1


def test_null_and_empty_string_mean_not_given(client, campaign, server):
    answer = delete(
        client,
        campaign,
        {
            "sessionId": "",
            "called": None,
            "customField": "b7",
            "recycleTime": None,
            "archiveHistory": None,
        },
    )
    assert answer["successCount"] == 5
    assert count(server.services, "number_history", campaign_id=campaign) == 0


# --- filters ---


def test_filters_combine_with_and(client, server):
    campaign_id = create_campaign(client)
    add_numbers(
        client,
        campaign_id,
        [
            {"called": "1001", "sessionId": "a", "customField": "x"},
            {"called": "1002", "sessionId": "a", "customField": "y"},
        ],
    )
    add_numbers(client, campaign_id, [{"called": "1001", "sessionId": "b", "customField": "x"}])
    assert delete(client, campaign_id, {"sessionId": "a", "called": "1001"})["successCount"] == 1
    remaining = {
        (r["called"], r["session_id"])
        for r in rows(server.services, "numbers", campaign_id=campaign_id)
    }
    assert remaining == {("1002", "a"), ("1001", "b")}


def test_match_is_exact_and_case_sensitive(client, server):
    campaign_id = create_campaign(client)
    add_numbers(
        client,
        campaign_id,
        [
            {"called": "2001", "customField": "batch"},
            {"called": "2002", "customField": "Batch"},
            {"called": "2003", "customField": "batch-7"},
            {"called": "2004", "customField": "%"},
        ],
    )
    assert delete(client, campaign_id, {"customField": "batch"})["successCount"] == 1
    assert delete(client, campaign_id, {"customField": "batch%"})["successCount"] == 0
    assert delete(client, campaign_id, {"customField": "%"})["successCount"] == 1
    left = sorted(
        r["custom_field"] for r in rows(server.services, "numbers", campaign_id=campaign_id)
    )
    assert left == ["Batch", "batch-7"]


RECYCLE_TIMES = [
    "2020-12-03 10:00:00",
    "2020-12-04 00:00:00",
    "2020-12-04 17:57:00",
    "2020-12-04 23:59:59",
    "2020-12-05 00:00:00",
    None,
]


def _recycle_campaign(client) -> int:
    campaign_id = create_campaign(client)
    records = [
        {"called": f"300{i}", **({"recycleTime": t} if t else {})}
        for i, t in enumerate(RECYCLE_TIMES)
    ]
    add_numbers(client, campaign_id, records)
    return campaign_id


def _left_recycle(client, campaign_id, server) -> list[str]:
    found = rows(server.services, "numbers", campaign_id=campaign_id)
    return sorted(
        r["recycle_time"].strftime("%Y-%m-%d %H:%M:%S") if r["recycle_time"] else "-" for r in found
    )


@pytest.mark.parametrize(
    ("recycle_type", "deleted"),
    [
        ("1", RECYCLE_TIMES[:4]),
        ("2", RECYCLE_TIMES[1:4]),
        ("3", [RECYCLE_TIMES[2]]),
        (None, [RECYCLE_TIMES[2]]),
        ("", [RECYCLE_TIMES[2]]),
    ],
)
def test_recycle_types(client, server, recycle_type, deleted):
    campaign_id = _recycle_campaign(client)
    body = {"recycleTime": "2020-12-04 17:57:00"}
    if recycle_type is not None:
        body["recycleType"] = recycle_type
    answer = delete(client, campaign_id, body)
    assert answer["successCount"] == len(deleted)
    expected = sorted(t or "-" for t in RECYCLE_TIMES if t not in deleted)
    assert _left_recycle(client, campaign_id, server) == expected


def test_numbers_without_recycle_time_never_match(client, server):
    campaign_id = _recycle_campaign(client)
    answer = delete(client, campaign_id, {"recycleTime": "2999-12-31 23:59:59", "recycleType": "1"})
    assert answer["successCount"] == 5
    assert _left_recycle(client, campaign_id, server) == ["-"]


def test_recycle_day_boundaries_follow_the_configured_zone(make_server):
    # 2020-12-04 17:57:00 UTC is 2020-12-05 01:57 in Shanghai (UTC+8): that local day is
    # 2020-12-04 16:00:00 .. 2020-12-05 15:59:59 UTC.
    server = make_server(timezone="Asia/Shanghai")
    with server.client() as signed:
        campaign_id = _recycle_campaign(signed)
        answer = delete(
            signed, campaign_id, {"recycleTime": "2020-12-04 17:57:00", "recycleType": "2"}
        )
        assert answer["successCount"] == 3
        left = rows(server.services, "numbers", campaign_id=campaign_id)
        assert sorted(r["called"] for r in left) == ["3000", "3001", "3005"]


# --- campaign existence and state ---


def test_unknown_campaign(client):
    assert_error(delete(client, 987654, {"sessionId": "s1"}), "0200007")


def test_campaign_of_another_vdn_is_not_found(client, server):
    other = create_campaign(client, vdn=13)
    add_numbers(client, other, [{"called": "4001", "sessionId": "s1"}], vdn=13)
    assert_error(delete(client, other, {"sessionId": "s1"}, vdn=12), "0200007")
    assert count(server.services, "numbers", campaign_id=other) == 1


def test_executing_campaign_refuses_and_deletes_nothing(client, campaign, server):
    assert set_status(client, campaign, "resume")["resultCode"] == SUCCESS
    assert_error(delete(client, campaign, {"customField": "b7"}), "0200028")
    assert count(server.services, "numbers", campaign_id=campaign) == 5
    assert set_status(client, campaign, "pause")["resultCode"] == SUCCESS
    assert delete(client, campaign, {"customField": "b7"})["successCount"] == 5


def test_completed_campaign_allows_deleting(client, server):
    campaign_id = create_campaign(client, init_status=0)
    add_numbers(client, campaign_id, numbers(2, customField="old"))
    execute_sql(
        server.services,
        f"UPDATE campaigns SET end_time = '2000-01-01 00:00:00' WHERE id = {campaign_id}",
    )
    assert delete(client, campaign_id, {"customField": "old"})["successCount"] == 2


# --- restrictions and partial success ---


def _calling_and_completed(client, campaign_id) -> tuple[str, str]:
    """Claim two numbers while executing; report one; pause. Returns (calling, completed) ids."""
    set_status(client, campaign_id, "resume")
    claimed = claim(client, campaign_id, 2)
    assert len(claimed) == 2
    assert report(client, campaign_id, claimed[1]["uniqueId"])["result"] == "0"
    set_status(client, campaign_id, "pause")
    return claimed[0]["uniqueId"], claimed[1]["uniqueId"]


def test_calling_and_completed_numbers_are_kept(client, server, campaign):
    calling, completed = _calling_and_completed(client, campaign)
    results_before = count(server.services, "call_results")
    answer = delete(client, campaign, {"customField": "b7", "archiveHistory": 1})
    assert codes(answer) == (SUCCESS, SUCCESS)
    assert answer["successCount"] == 3
    assert "2 matched numbers were kept" in answer["resultDesc"]
    assert (
        "1 call in progress" in answer["resultDesc"] and "1 call completed" in answer["resultDesc"]
    )
    assert answer["returnDesc"] == answer["resultDesc"]
    left = {
        str(r["id"]): r["state"] for r in rows(server.services, "numbers", campaign_id=campaign)
    }
    assert left == {calling: "calling", completed: "completed"}
    assert count(server.services, "call_results") == results_before


def test_number_awaiting_retry_is_kept(client, server, campaign):
    first = rows(server.services, "numbers", campaign_id=campaign)[0]["id"]
    # set the state in the store: the shortest way to a number awaiting a retry
    execute_sql(
        server.services, f"UPDATE numbers SET state = 'retry', attempts = 1 WHERE id = {first}"
    )
    answer = delete(client, campaign, {"customField": "b7"})
    assert answer["successCount"] == 4
    assert "1 call attempted, awaiting retry" in answer["resultDesc"]


def test_only_undeletable_matches_answer_0200028(client, server, campaign):
    calling, completed = _calling_and_completed(client, campaign)
    calling_session = rows(server.services, "numbers", id=int(calling))[0]["session_id"]
    answer = delete(client, campaign, {"sessionId": calling_session})
    assert_error(answer, "0200028")
    assert "call in progress" in answer["resultDesc"]
    assert count(server.services, "numbers", campaign_id=campaign) == 5


def test_nothing_matched_is_success_with_zero(client, campaign):
    answer = delete(client, campaign, {"sessionId": "nobody"})
    assert codes(answer) == (SUCCESS, SUCCESS) and answer["successCount"] == 0


# --- history ---


def test_archive_moves_every_field_with_stamps(client, server):
    campaign_id = create_campaign(client)
    add_numbers(
        client,
        campaign_id,
        [
            {
                "called": "5001",
                "sessionId": "cust-1",
                "caller": "10010",
                "customField": "b9",
                "recycleTime": "2030-01-02 03:04:05",
                "callData": '{"k":"v"}',
            }
        ],
    )
    before = rows(server.services, "numbers", campaign_id=campaign_id)[0]
    response = client.post(delete_path(campaign_id), json={"called": "5001", "archiveHistory": 1})
    assert response.json()["successCount"] == 1
    archived = rows(server.services, "number_history", campaign_id=campaign_id)
    assert len(archived) == 1
    moved = archived[0]
    for column in (
        "id",
        "campaign_id",
        "vdn_id",
        "session_id",
        "called",
        "caller",
        "custom_field",
        "recycle_time",
        "call_data",
        "state",
        "attempts",
        "created_at",
    ):
        assert moved[column] == before[column], column
    assert moved["archived_by"] == client.access_key
    assert moved["request_id"] == response.headers["x-request-id"]
    assert moved["reason"] == "number-delete"
    assert moved["archived_at"] is not None
    assert count(server.services, "numbers", campaign_id=campaign_id) == 0


def test_hard_delete_leaves_no_history(client, server, campaign):
    assert delete(client, campaign, {"customField": "b7", "archiveHistory": 0})["successCount"] == 5
    assert count(server.services, "number_history", campaign_id=campaign) == 0
    assert count(server.services, "numbers", campaign_id=campaign) == 0


# --- store failure ---


def test_store_failure_answers_0200006_and_deletes_nothing(make_server, backend, server):
    server = make_server()
    with server.client() as signed:
        campaign_id = create_campaign(signed)
        add_numbers(signed, campaign_id, numbers(3, customField="f"))
        # a real failure inside the transaction, after the archive copy was written
        if backend == "sqlite":
            execute_sql(
                server.services,
                "CREATE TRIGGER refuse BEFORE DELETE ON numbers "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END",
            )
        else:
            execute_sql(
                server.services,
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql "
                "AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$",
            )
            execute_sql(
                server.services,
                "CREATE TRIGGER refuse BEFORE DELETE ON numbers "
                "FOR EACH ROW EXECUTE FUNCTION refuse()",
            )
        answer = delete(signed, campaign_id, {"customField": "f", "archiveHistory": 1})
        assert_error(answer, "0200006")
        assert count(server.services, "numbers", campaign_id=campaign_id) == 3
        assert count(server.services, "number_history") == 0


# --- precedence ---


def test_signature_is_checked_before_the_path(server):
    import httpx

    response = httpx.post(
        server.base_url + "/rest/isales/v1/openapi/campaigns/abc/calldata/x/delete",
        json={"sessionId": "s1"},
    )
    assert response.status_code == 401


def test_path_is_checked_before_the_vdn_grant(server):
    with server.client((12,)) as only_12:
        answer = only_12.post(
            "/rest/isales/v1/openapi/campaigns/99999/calldata/1/delete", json={"sessionId": "s1"}
        ).json()
        assert answer["resultCode"] == "02000007"
        response = only_12.post(delete_path(1, vdn=13), json={"sessionId": "s1"})
        assert response.status_code == 403


def test_vdn_grant_is_checked_before_the_content_type(server):
    with server.client((12,)) as only_12:
        response = only_12.post(delete_path(1, vdn=13), content=b"x", content_type="text/plain")
        assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{bad", "02000008"),  # content type ok -> parse
        (b'{"bogus": 1, "called": "x!"}', "0200001"),  # unknown field before field rules
        (b'{"sessionId": "' + b"s" * 40 + b'", "called": "x!"}', "02000003"),  # table order
        (b'{"called": "x!", "customField": "' + b"c" * 300 + b'"}', "02000002"),
        (b'{"recycleType": "9"}', "02000007"),  # field rule before the combination rule
        (b'{"recycleType": "1"}', "02000009"),  # combination before at-least-one
        (b'{"archiveHistory": 1}', "02000001"),
    ],  # at-least-one before campaign existence
)
def test_rule_precedence(client, body, code):
    answer = client.post(delete_path(987654), content=body).json()
    assert_error(answer, code)


def test_content_type_is_checked_before_the_body(client):
    answer = client.post(delete_path(987654), content=b"{bad", content_type="text/plain").json()
    assert_error(answer, "0200001")


def test_existence_is_checked_before_state(client):
    assert_error(delete(client, 987654, {"sessionId": "s"}), "0200007")
