"""The agent campaigns' dialing settings, the no-redial rule after an abandoned call and the
abandon figures (docs/api.md, "Dialing settings of agent campaigns"), on both stores."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.api import (
    SUCCESS,
    MovableClock,
    add_numbers,
    assert_code,
    campaign_body,
    campaigns_path,
    claim,
    count,
    ok_json,
    report,
    rows,
)

pytestmark = pytest.mark.usefixtures("backend")

TIME = "%Y-%m-%d %H:%M:%S"
WHOLE_DAY = {"workdayBeginTime1": "00:00", "workdayEndTime1": "23:59"}
MANUAL = {"callback_sweep_seconds": 3600, "lease_seconds": 7 * 24 * 3600}
DEFAULTS = {
    "abandonTarget": 2.5,
    "abandonCap": 3.0,
    "abandonWindow": "24h",
    "minAgentsPredictive": 8,
    "agentWaitSeconds": 1.0,
    "wrapUpSeconds": 10,
    "abandonRedialHours": 72,
}
GIVEN = {
    "abandonTarget": 1.5,
    "abandonCap": 2.75,
    "abandonWindow": "30d",
    "minAgentsPredictive": 3,
    "agentWaitSeconds": 2.5,
    "wrapUpSeconds": 45,
    "abandonRedialHours": 24,
}
COLUMNS = {
    "abandonTarget": "abandon_target",
    "abandonCap": "abandon_cap",
    "abandonWindow": "abandon_window",
    "minAgentsPredictive": "min_agents_predictive",
    "agentWaitSeconds": "agent_wait_seconds",
    "wrapUpSeconds": "wrap_up_seconds",
    "abandonRedialHours": "abandon_redial_hours",
}
#: a by-result retry policy that retries an abandoned call and a busy one after a minute
RETRY_POLICY = {
    "policyType": 0,
    "policyJson": json.dumps(
        [
            {
                "type": 1,
                "policy": [
                    {"result": "01046", "retryNumber": 3, "callInterval": 60},
                    {"result": "00603", "retryNumber": 3, "callInterval": 60},
                ],
            }
        ]
    ),
}


@pytest.fixture
def dialing(make_server):
    clock = MovableClock(datetime(2031, 5, 20, 9, 0, 0))
    server = make_server(clock=clock, **MANUAL)
    client = server.client((12,))
    yield server, client, clock
    client.close()


def body_on(clock: MovableClock, version: int = 2, **overrides: Any) -> dict[str, Any]:
    start = clock().replace(hour=0, minute=0, second=0, microsecond=0)
    return campaign_body(
        version,
        strBeginTime=start.strftime(TIME),
        strEndTime=(start + timedelta(days=60)).strftime(TIME),
        scheduleParam=WHOLE_DAY,
        initStatus=0,
        **overrides,
    )


def create(client, clock, version: int = 2, **overrides: Any) -> int:  # type: ignore[no-untyped-def]
    answer = ok_json(
        client.post(campaigns_path(12, version), json=body_on(clock, version, **overrides))
    )
    assert_code(answer, SUCCESS)
    return answer["returnObject"]["id"]


def query(client, campaign_id: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    answer = ok_json(client.get(f"{campaigns_path(12)}/{campaign_id}"))
    assert_code(answer, SUCCESS)
    return answer["returnObject"]


def settings_of(campaign: dict[str, Any]) -> dict[str, Any]:
    return {name: campaign[name] for name in DEFAULTS}


def stored(services, campaign_id: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    [row] = rows(services, "campaigns", id=campaign_id)
    return {name: row[column] for name, column in COLUMNS.items()}


# --- the settings -----------------------------------------------------------------------------


@pytest.mark.parametrize("version", [1, 2])
def test_a_campaign_without_settings_answers_the_defaults_and_stores_none(dialing, version):
    server, client, clock = dialing
    campaign_id = create(client, clock, version)
    assert settings_of(query(client, campaign_id)) == DEFAULTS
    assert stored(server.services, campaign_id) == dict.fromkeys(COLUMNS)


def test_given_settings_are_stored_answered_and_cleared_by_a_modify_without_them(dialing):
    server, client, clock = dialing
    campaign_id = create(client, clock, **GIVEN)
    assert settings_of(query(client, campaign_id)) == GIVEN
    assert stored(server.services, campaign_id) == GIVEN
    # decimals as text, integers as text: read as a Java binder reads them
    body = body_on(clock, abandonTarget="2", agentWaitSeconds="0.25", wrapUpSeconds="0")
    assert_code(ok_json(client.put(f"{campaigns_path(12, 2)}/{campaign_id}", json=body)), SUCCESS)
    expected = {**DEFAULTS, "abandonTarget": 2.0, "agentWaitSeconds": 0.25, "wrapUpSeconds": 0}
    assert settings_of(query(client, campaign_id)) == expected
    body = body_on(clock)
    assert_code(ok_json(client.put(f"{campaigns_path(12, 2)}/{campaign_id}", json=body)), SUCCESS)
    assert settings_of(query(client, campaign_id)) == DEFAULTS
    assert stored(server.services, campaign_id) == dict.fromkeys(COLUMNS)


def test_the_boundaries_are_accepted(dialing):
    _, client, clock = dialing
    edges = {
        "abandonTarget": 99.5,
        "abandonCap": 99.5,
        "abandonWindow": "30d",
        "minAgentsPredictive": 1,
        "agentWaitSeconds": 10,
        "wrapUpSeconds": 3600,
        "abandonRedialHours": 720,
    }
    campaign_id = create(client, clock, **edges)
    assert settings_of(query(client, campaign_id)) == {**edges, "agentWaitSeconds": 10.0}
    low = {"agentWaitSeconds": 0, "wrapUpSeconds": 0, "abandonRedialHours": 0}
    campaign_id = create(client, clock, abandonTarget=0.01, abandonCap=0.01, **low)
    answered = settings_of(query(client, campaign_id))
    assert (answered["abandonTarget"], answered["abandonCap"]) == (0.01, 0.01)
    assert (answered["agentWaitSeconds"], answered["abandonRedialHours"]) == (0.0, 0)


BAD = [
    ({"abandonTarget": 0}, "02000007"),
    ({"abandonTarget": -1}, "02000007"),
    ({"abandonTarget": 3.5}, "02000009"),  # above the default cap
    ({"abandonTarget": 5, "abandonCap": 4}, "02000009"),
    ({"abandonTarget": "x"}, "02000006"),
    ({"abandonTarget": True}, "02000006"),
    ({"abandonCap": 100}, "02000007"),
    ({"abandonCap": 100.5}, "02000007"),
    ({"abandonCap": 2}, "02000009"),  # below the default target
    ({"abandonWindow": "7d"}, "02000007"),
    ({"abandonWindow": 24}, "02000007"),
    ({"minAgentsPredictive": 0}, "02000007"),
    ({"minAgentsPredictive": 1.5}, "02000006"),
    ({"agentWaitSeconds": 10.01}, "02000007"),
    ({"agentWaitSeconds": -0.5}, "02000007"),
    ({"agentWaitSeconds": [1]}, "02000006"),
    ({"wrapUpSeconds": 3601}, "02000007"),
    ({"wrapUpSeconds": -1}, "02000007"),
    ({"wrapUpSeconds": 2.5}, "02000006"),
    ({"abandonRedialHours": 721}, "02000007"),
    ({"abandonRedialHours": -1}, "02000007"),
]


@pytest.mark.parametrize(("fields", "code"), BAD)
def test_a_bad_value_answers_its_code_and_changes_nothing(dialing, fields, code):
    server, client, clock = dialing
    before = count(server.services, "campaigns")
    answer = ok_json(client.post(campaigns_path(12, 2), json=body_on(clock, **fields)))
    assert_code(answer, code)
    assert count(server.services, "campaigns") == before
    campaign_id = create(client, clock, **GIVEN)
    put = client.put(f"{campaigns_path(12, 2)}/{campaign_id}", json=body_on(clock, **fields))
    assert_code(ok_json(put), code)
    assert stored(server.services, campaign_id) == GIVEN


def test_skill_param_predict_param_is_kept_and_answered(dialing):
    _, client, clock = dialing
    skill = {"skillId": 3, "predictParam": {"predictMode": 1, "callRatio": "1.5", "x": [1, 2]}}
    campaign_id = create(client, clock, skillParam=skill)
    assert query(client, campaign_id)["skillParam"] == skill


# --- an abandoned call holds its number back ----------------------------------------------------


def test_an_abandoned_number_is_not_claimed_until_abandon_redial_hours_after_the_call(dialing):
    server, client, clock = dialing
    campaign_id = create(client, clock, retryPolicy=RETRY_POLICY, abandonRedialHours=5)
    abandoned, busy = add_numbers(client, campaign_id, [{"called": "9001"}, {"called": "9002"}])
    assert [item["uniqueId"] for item in claim(client, campaign_id, 5)] == [abandoned, busy]
    ended = clock()
    assert report(client, campaign_id, abandoned, status="5", fail_code="01046") == {"result": "0"}
    assert report(client, campaign_id, busy, status="5", fail_code="00603") == {"result": "0"}
    [row] = rows(server.services, "numbers", id=int(abandoned))
    assert (row["state"], row["next_due_at"]) == ("retry", ended + timedelta(hours=5))
    clock.advance(60)  # the busy number's retry interval has passed; the abandoned one's has not
    assert [item["uniqueId"] for item in claim(client, campaign_id, 5)] == [busy]
    clock.now = ended + timedelta(hours=5) - timedelta(seconds=1)
    assert claim(client, campaign_id, 5) == []
    clock.advance(1)  # exactly abandonRedialHours after the call
    assert [item["uniqueId"] for item in claim(client, campaign_id, 5)] == [abandoned]


def test_abandon_redial_hours_zero_leaves_the_retry_policy_alone(dialing):
    server, client, clock = dialing
    campaign_id = create(client, clock, retryPolicy=RETRY_POLICY, abandonRedialHours=0)
    [abandoned] = add_numbers(client, campaign_id, [{"called": "9001"}])
    claim(client, campaign_id, 1)
    assert report(client, campaign_id, abandoned, status="5", fail_code="01046") == {"result": "0"}
    clock.advance(59)
    assert claim(client, campaign_id, 1) == []
    clock.advance(1)
    assert [item["uniqueId"] for item in claim(client, campaign_id, 1)] == [abandoned]


def test_the_default_holds_an_abandoned_number_for_72_hours(dialing):
    _, client, clock = dialing
    campaign_id = create(client, clock, retryPolicy=RETRY_POLICY)
    [abandoned] = add_numbers(client, campaign_id, [{"called": "9001"}])
    claim(client, campaign_id, 1)
    ended = clock()
    assert report(client, campaign_id, abandoned, status="5", fail_code="01046") == {"result": "0"}
    clock.now = ended + timedelta(hours=72) - timedelta(seconds=1)
    assert claim(client, campaign_id, 1) == []
    clock.advance(1)
    assert [item["uniqueId"] for item in claim(client, campaign_id, 1)] == [abandoned]


# --- the abandon figures ------------------------------------------------------------------------


def statistics(client, campaign_id: int | None = None) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    params = {} if campaign_id is None else {"campaignId": campaign_id}
    answer = ok_json(client.get("/rest/isales/v2/openapi/campaigns/12/statistics", params=params))
    assert_code(answer, SUCCESS)
    return answer["countDetail"]


def figures(entry: dict[str, Any]) -> tuple[int, int, float]:
    return entry["liveAnswerCount"], entry["abandonCount"], entry["abandonRate"]


def call_each(client, campaign_id: int, outcomes: list[dict[str, Any]]) -> None:  # type: ignore[no-untyped-def]
    """Add one number per outcome, claim them all and report each outcome."""
    records = [{"called": f"97{i:03d}"} for i in range(len(outcomes))]
    ids = add_numbers(client, campaign_id, records)
    assert len(claim(client, campaign_id, len(ids))) == len(ids)
    for data_id, outcome in zip(ids, outcomes, strict=True):
        assert report(client, campaign_id, data_id, **outcome) == {"result": "0"}


CONNECTED: dict[str, Any] = {}
MACHINE = {"amd": "machine"}
HUMAN = {"amd": "human"}
NOT_SURE = {"amd": "notsure"}
ABANDONED = {"status": "5", "fail_code": "01046"}
BUSY = {"status": "5"}


def test_live_answers_count_people_and_abandons_not_machines(dialing):
    _, client, clock = dialing
    campaign_id = create(client, clock)
    other = create(client, clock)
    # live: 2 connected, 1 human, 1 not sure, 2 abandoned; not live: 2 machines, 1 busy
    outcomes = [CONNECTED, CONNECTED, HUMAN, NOT_SURE, ABANDONED, ABANDONED, MACHINE, MACHINE, BUSY]
    call_each(client, campaign_id, outcomes)
    [entry] = statistics(client, campaign_id)
    assert figures(entry) == (6, 2, 33.3333)
    assert figures(statistics(client, other)[0]) == (0, 0, 0.0)
    by_campaign = {e["campaignId"]: figures(e) for e in statistics(client)}
    assert by_campaign == {str(campaign_id): (6, 2, 33.3333), str(other): (0, 0, 0.0)}


def test_each_campaign_counts_over_its_own_window(dialing):
    _, client, clock = dialing
    day = create(client, clock, abandonWindow="24h")
    month = create(client, clock, abandonWindow="30d")
    for campaign_id in (day, month):
        call_each(client, campaign_id, [CONNECTED, ABANDONED])
    clock.advance(24 * 3600)  # the first calls are exactly 24 hours old: still in both windows
    assert figures(statistics(client, day)[0]) == (2, 1, 50.0)
    clock.advance(1)
    for campaign_id in (day, month):
        call_each(client, campaign_id, [CONNECTED, CONNECTED, CONNECTED])
    assert figures(statistics(client, day)[0]) == (3, 0, 0.0)
    assert figures(statistics(client, month)[0]) == (5, 1, 20.0)
    clock.advance(30 * 24 * 3600 - 24 * 3600)  # the first calls have left the 30-day window
    assert figures(statistics(client, month)[0]) == (3, 0, 0.0)
    clock.advance(24 * 3600 + 1)  # and so have the second ones
    assert figures(statistics(client, month)[0]) == (0, 0, 0.0)


def metric(text: str, name: str) -> float:
    [line] = [line for line in text.splitlines() if line.startswith(name + " ")]
    return float(line.split()[1])


def labelled(text: str, name: str, campaign_id: int) -> float:
    [line] = [
        line
        for line in text.splitlines()
        if line.startswith(name + "{") and f'campaign="{campaign_id}"' in line
    ]
    return float(line.split()[-1])


def test_metrics_give_each_agent_campaigns_figures(dialing):
    server, client, clock = dialing
    capped = create(client, clock, abandonTarget=1, abandonCap=2)
    fine = create(client, clock)
    notification = create(client, clock, deviceType=3, skillParam=None, ivrParam={"flowId": 1})
    call_each(client, capped, [CONNECTED] * 9 + [ABANDONED])  # 10 %
    call_each(client, fine, [CONNECTED] * 4)
    call_each(client, notification, [CONNECTED, ABANDONED])  # not an agent campaign
    text = httpx.get(f"{server.base_url}/metrics").text
    assert labelled(text, "isales_campaign_live_answers", capped) == 10
    assert labelled(text, "isales_campaign_abandoned_calls", capped) == 1
    assert labelled(text, "isales_campaign_abandon_rate_percent", capped) == 10.0
    assert labelled(text, "isales_campaign_live_answers", fine) == 4
    assert labelled(text, "isales_campaign_abandon_rate_percent", fine) == 0.0
    assert f'campaign="{notification}"' not in text
    assert metric(text, "isales_abandon_campaigns_over_cap") == 1
