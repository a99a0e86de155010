"""Agents: the public interfaces, the dialer's agent interfaces and the claims that follow
agents (docs/api.md#agents-isales-extension, #dialer-facing-agent-interfaces)."""

from __future__ import annotations

import threading

import httpx
import pytest

from tests.support.agents import (
    AgentDialer,
    agent_call,
    agents_path,
    create_agent,
    list_agents,
    log_in,
    login_in_background,
    state_of,
)
from tests.support.api import (
    OBS,
    SUCCESS,
    MovableClock,
    add_numbers,
    assert_code,
    claim,
    count,
    create_campaign,
    numbers,
    rows,
)

pytestmark = pytest.mark.usefixtures("backend")

PROGRESSIVE, PREVIEW, PREDICTIVE = 6, 5, 2


def agent_row(server, work_no):  # type: ignore[no-untyped-def]
    (row,) = rows(server.services, "agents", work_no=work_no)
    return row


def report(client, campaign_id, data_id, status="6", **extra):  # type: ignore[no-untyped-def]
    body = {
        "subCCNo": 1,
        "vdnId": 12,
        "serviceId": str(campaign_id),
        "uniqueId": str(data_id),
        "status": status,
        "failCode": "00000" if status == "6" else "00603",
        "callId": f"call-{data_id}",
        **extra,
    }
    return client.post(f"{OBS}/call/result", json=body).json()


# --- create, list, delete ----------------------------------------------------------------


def test_create_list_and_delete(server):
    with server.client((12,)) as client:
        first = create_campaign(client, init_status=0, deviceType=PROGRESSIVE)
        second = create_campaign(client, init_status=0, deviceType=PREVIEW)
        answer = create_agent(client, "a100", [first, second])
        assert_code(answer, SUCCESS)
        created = answer["returnObject"]
        assert created["state"] == "LOGGED_OUT" and created["campaignIds"] == [first, second]
        assert_code(create_agent(client, "a101", [second]), SUCCESS)

        everyone = list_agents(client)
        assert {"a100", "a101"} <= set(everyone)
        assert set(list_agents(client, campaignId=first)) == {"a100"}
        assert everyone["a101"]["sipUri"] == "sip:a101@127.0.0.1"

        assert_code(client.delete(f"{agents_path()}/a101").json(), SUCCESS)
        assert "a101" not in list_agents(client)
        assert count(server.services, "agent_campaigns", campaign_id=second) == 1


def test_create_refusals_change_nothing(server):
    with server.client((12,)) as client:
        campaign = create_campaign(client, init_status=0, deviceType=PROGRESSIVE)
        assert_code(create_agent(client, "b1", [campaign]), SUCCESS)
        before = count(server.services, "agents")
        assert_code(create_agent(client, "b1", [campaign]), "0209103")  # workNo taken
        assert_code(create_agent(client, "b2", [campaign, 99999]), "0200007")
        assert_code(create_agent(client, "b-3", [campaign]), "02000002")
        assert_code(create_agent(client, "b4", [campaign], sipUri="http://x"), "02000007")
        assert_code(create_agent(client, "b5", [campaign, campaign]), "02000007")
        assert count(server.services, "agents") == before


def test_unknown_agent_answers_0209102(server):
    with server.client((12,)) as client:
        for action in ("login", "ready", "pause", "logout", "next"):
            assert_code(agent_call(client, "nobody", action), "0209102")
        assert_code(agent_call(client, "nobody", "dial", dataId=1), "0209102")
        assert_code(client.delete(f"{agents_path()}/nobody").json(), "0209102")


def test_agents_are_confined_to_the_keys_vdns(server):
    with server.client((12,)) as client, server.client((13,)) as other:
        campaign = create_campaign(client, init_status=0, deviceType=PROGRESSIVE)
        assert_code(create_agent(client, "c1", [campaign]), SUCCESS)
        response = other.post(f"{agents_path(12)}/list", json={"offset": 0, "limit": 10})
        assert response.status_code == 403
        assert "c1" not in list_agents(other, vdn=13)
        # a campaign of another VDN is unknown here
        assert_code(create_agent(other, "c2", [campaign], vdn=13), "0200007")


# --- login, ready, pause, logout ------------------------------------------------------------


def test_login_answers_ready_when_the_dialer_reports_up(make_server):
    server = make_server(agent_login_timeout_seconds=10)
    with server.client((12,)) as client, server.client((12,)) as dialer_client:
        campaign = create_campaign(client, init_status=0, deviceType=PROGRESSIVE)
        create_agent(client, "d1", [campaign])
        dialer, other = AgentDialer(dialer_client), AgentDialer(dialer_client)
        pending = login_in_background(client, "d1")
        assert dialer.await_login("d1")
        # the lease: no other dialer is given the same login
        assert other.legs()["d1"]["login"] is False
        assert dialer.event("d1", "up", sipCode=200) == {
            "result": "0",
            "resultData": {"state": "READY"},
        }
        pending["thread"].join(10)
        assert pending["answer"]["returnObject"] == {"workNo": "d1", "state": "READY"}
        legs = dialer.legs()["d1"]
        assert legs["holder"] is True and legs["state"] == "READY" and legs["login"] is False
        assert other.legs()["d1"]["holder"] is False
        assert agent_row(server, "d1")["leg_holder"] == dialer.dialer_id


def test_login_answers_0209101_when_the_leg_fails_or_nobody_reports(make_server):
    server = make_server(agent_login_timeout_seconds=0.6)
    with server.client((12,)) as client, server.client((12,)) as dialer_client:
        campaign = create_campaign(client, init_status=0, deviceType=PROGRESSIVE)
        create_agent(client, "e1", [campaign])
        dialer = AgentDialer(dialer_client)
        # nobody takes the login: the wait ends with 0209101, the agent logged out
        assert_code(agent_call(client, "e1", "login"), "0209101")
        assert agent_row(server, "e1")["state"] == "LOGGED_OUT"
        # a dialer reports the leg was not answered
        pending = login_in_background(client, "e1")
        assert dialer.await_login("e1")
        assert dialer.event("e1", "failed", sipCode=480)["resultData"] == {"state": "LOGGED_OUT"}
        pending["thread"].join(10)
        assert_code(pending["answer"], "0209101")
        assert state_of(client, "e1") == "LOGGED_OUT"
        assert agent_row(server, "e1")["leg_holder"] is None


def test_ready_pause_logout_and_their_refusals(server):
    with server.client((12,)) as client, server.client((12,)) as dialer_client:
        campaign = create_campaign(client, init_status=0, deviceType=PROGRESSIVE)
        create_agent(client, "f1", [campaign])
        dialer = AgentDialer(dialer_client)
        # LOGGED_OUT: nothing but login
        for action in ("ready", "pause", "logout"):
            assert_code(agent_call(client, "f1", action), "0209104")
        assert agent_row(server, "f1")["state"] == "LOGGED_OUT"
        log_in(client, dialer, "f1")
        assert_code(agent_call(client, "f1", "ready"), "0209104")  # already READY
        assert_code(agent_call(client, "f1", "login"), "0209104")
        paused = agent_call(client, "f1", "pause")
        assert paused["returnObject"]["state"] == "PAUSED"
        assert_code(agent_call(client, "f1", "pause"), "0209104")
        assert agent_call(client, "f1", "ready")["returnObject"]["state"] == "READY"
        # delete only when logged out
        assert_code(client.delete(f"{agents_path()}/f1").json(), "0209104")
        assert agent_row(server, "f1")["state"] == "READY"
        assert agent_call(client, "f1", "logout")["returnObject"]["state"] == "LOGGED_OUT"
        # the holding dialer sees it logged out (and drops the leg)
        legs = dialer.legs()["f1"]
        assert legs["state"] == "LOGGED_OUT" and legs["holder"] is False
        assert_code(client.delete(f"{agents_path()}/f1").json(), SUCCESS)
        assert count(server.services, "agents", work_no="f1") == 0


def test_events_that_do_not_fit_change_nothing(server):
    with server.client((12,)) as client, server.client((12,)) as dialer_client:
        campaign = create_campaign(client, init_status=0, deviceType=PROGRESSIVE)
        create_agent(client, "g1", [campaign])
        dialer, other = AgentDialer(dialer_client), AgentDialer(dialer_client)
        assert dialer.event("nobody", "up")["result"] == "4"
        assert dialer.event("g1", "up")["result"] == "5"  # no login pending
        assert dialer.event("g1", "down")["result"] == "5"
        assert dialer.event("g1", "talking")["result"] == "1"  # dataId is mandatory
        assert dialer.event("g1", "sleeping")["result"] == "1"
        before = agent_row(server, "g1")
        log_in(client, dialer, "g1")
        assert other.event("g1", "down")["result"] == "5"  # not its leg
        assert dialer.event("g1", "up")["result"] == "5"
        assert dialer.event("g1", "talking", dataId=5)["result"] == "5"  # not reserved
        after = agent_row(server, "g1")
        assert after["state"] == "READY" and before["state"] == "LOGGED_OUT"
        assert after["leg_holder"] == dialer.dialer_id


def test_leg_down_logs_out_from_any_state(server):
    with server.client((12,)) as client, server.client((12,)) as dialer_client:
        campaign = create_campaign(client, init_status=0, deviceType=PROGRESSIVE)
        create_agent(client, "h1", [campaign])
        dialer = AgentDialer(dialer_client)
        log_in(client, dialer, "h1")
        agent_call(client, "h1", "pause")
        assert dialer.event("h1", "down")["resultData"] == {"state": "LOGGED_OUT"}
        assert agent_row(server, "h1")["leg_holder"] is None


# --- progressive -------------------------------------------------------------------------------


def test_progressive_claims_one_number_per_ready_agent_of_this_dialer(server):
    with server.client((12,)) as client, server.client((12,)) as dialer_client:
        campaign = create_campaign(client, init_status=0, deviceType=PROGRESSIVE)
        add_numbers(client, campaign, numbers(10, prefix="1391000"))
        mine, theirs = AgentDialer(dialer_client), AgentDialer(dialer_client)
        for work_no, dialer in (("p1", mine), ("p2", mine), ("p3", mine), ("p4", theirs)):
            create_agent(client, work_no, [campaign])
            log_in(client, dialer, work_no)
        agent_call(client, "p3", "pause")

        items = mine.claim(campaign, 10)
        assert len(items) == 2
        assert sorted(item["workNo"] for item in items) == ["p1", "p2"]
        assert mine.claim(campaign, 10) == []  # no READY agent left on its legs
        states = {a: s["state"] for a, s in list_agents(client, campaignId=campaign).items()}
        assert states == {"p1": "RESERVED", "p2": "RESERVED", "p3": "PAUSED", "p4": "READY"}
        for item in items:
            assert agent_row(server, item["workNo"])["data_id"] == int(item["uniqueId"])

        # the bridged call: TALKING; its result: WRAP_UP (answered) or READY (not)
        answered, unanswered = items
        data_id = int(answered["uniqueId"])
        talking = mine.event(answered["workNo"], "talking", dataId=data_id)
        assert talking["resultData"] == {"state": "TALKING"}
        assert (
            report(dialer_client, campaign, data_id, "6", workNo=answered["workNo"])["result"]
            == "0"
        )
        report(dialer_client, campaign, unanswered["uniqueId"], "5", workNo=unanswered["workNo"])
        assert state_of(client, answered["workNo"]) == "WRAP_UP"
        assert state_of(client, unanswered["workNo"]) == "READY"
        (result,) = rows(server.services, "call_results", data_id=data_id)
        assert result["work_no"] == answered["workNo"]


def test_concurrent_progressive_claims_never_exceed_the_ready_agents(server):
    with server.client((12,)) as client, server.client((12,)) as dialer_client:
        campaign = create_campaign(client, init_status=0, deviceType=PROGRESSIVE)
        add_numbers(client, campaign, numbers(20, prefix="1391500"))
        dialer = AgentDialer(dialer_client)
        agents = ["k1", "k2", "k3"]
        for work_no in agents:
            create_agent(client, work_no, [campaign])
            log_in(client, dialer, work_no)
        got: list[dict] = []
        lock = threading.Lock()

        def claim_some() -> None:
            with server.client((12,)) as own:
                racer = AgentDialer(own)
                racer.dialer_id = dialer.dialer_id
                for _ in range(3):
                    items = racer.claim(campaign, 2)
                    with lock:
                        got.extend(items)

        threads = [threading.Thread(target=claim_some) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(item["workNo"] for item in got) == agents  # one number per agent
        assert len({item["uniqueId"] for item in got}) == 3
        assert count(server.services, "numbers", campaign_id=campaign, state="calling") == 3


def test_progressive_without_ready_agents_claims_nothing_and_ordinary_claims_still_work(server):
    with server.client((12,)) as client, server.client((12,)) as dialer_client:
        campaign = create_campaign(client, init_status=0, deviceType=PROGRESSIVE)
        add_numbers(client, campaign, numbers(3, prefix="1392000"))
        create_agent(client, "q1", [campaign])
        dialer = AgentDialer(dialer_client)
        assert dialer.claim(campaign, 5) == []
        assert count(server.services, "numbers", campaign_id=campaign, state="pending") == 3
        # a dialer without dialerId (a Huawei dialer with its own agents): ordinary claim
        assert len(claim(dialer_client, campaign, 5)) == 3


def test_wrap_up_ends_after_wrap_up_seconds_or_on_the_business_result(make_server):
    clock = MovableClock()
    server = make_server(clock=clock)
    with server.client((12,)) as client, server.client((12,)) as dialer_client:
        campaign = create_campaign(client, init_status=0, deviceType=PROGRESSIVE)
        add_numbers(client, campaign, numbers(2, prefix="1393000"))
        dialer = AgentDialer(dialer_client)
        for work_no in ("w1", "w2"):
            create_agent(client, work_no, [campaign])
            log_in(client, dialer, work_no)
        items = {item["workNo"]: item for item in dialer.claim(campaign, 2)}
        for work_no, item in items.items():
            report(dialer_client, campaign, item["uniqueId"], "6", workNo=work_no)
        assert {state_of(client, "w1"), state_of(client, "w2")} == {"WRAP_UP"}
        # the business result naming w1 ends its wrap-up at once
        write_back = client.post(
            f"/rest/isales/v1/openapi/campaigns/12/callBusiResult/{items['w1']['uniqueId']}",
            json={"busiResult": "ok", "workNo": "w1"},
        ).json()
        assert_code(write_back, SUCCESS)
        assert state_of(client, "w1") == "READY"
        assert state_of(client, "w2") == "WRAP_UP"
        clock.advance(11)  # wrapUpSeconds: 10 by default
        assert state_of(client, "w2") == "READY"
        add_numbers(client, campaign, numbers(2, prefix="1393100"))
        assert len(dialer.claim(campaign, 5)) == 2  # both are READY for claims too


def test_leg_down_releases_a_progressive_reservation(server):
    with server.client((12,)) as client, server.client((12,)) as dialer_client:
        campaign = create_campaign(client, init_status=0, deviceType=PROGRESSIVE)
        add_numbers(client, campaign, numbers(1, prefix="1394000"))
        dialer = AgentDialer(dialer_client)
        create_agent(client, "r1", [campaign])
        log_in(client, dialer, "r1")
        (item,) = dialer.claim(campaign, 1)
        assert dialer.event("r1", "down")["resultData"] == {"state": "LOGGED_OUT"}
        row = agent_row(server, "r1")
        assert (row["state"], row["data_id"], row["leg_holder"]) == ("LOGGED_OUT", None, None)
        # the call's result no longer moves the agent
        report(dialer_client, campaign, item["uniqueId"], "6", workNo="r1")
        assert state_of(client, "r1") == "LOGGED_OUT"


# --- predictive ----------------------------------------------------------------------------


def test_take_gives_the_longest_ready_agent_or_null(server):
    with server.client((12,)) as client, server.client((12,)) as dialer_client:
        campaign = create_campaign(client, init_status=0, deviceType=PREDICTIVE)
        dialer = AgentDialer(dialer_client)
        for work_no in ("t1", "t2"):
            create_agent(client, work_no, [campaign])
            log_in(client, dialer, work_no)
        # predictive claims are ordinary: no workNo
        add_numbers(client, campaign, numbers(3, prefix="1395000"))
        items = dialer.claim(campaign, 3)
        assert len(items) == 3 and all("workNo" not in item for item in items)
        first = dialer.take(campaign, int(items[0]["uniqueId"]))
        assert first == {"result": "0", "resultData": {"workNo": "t1"}}
        assert dialer.take(campaign, int(items[1]["uniqueId"]))["resultData"] == {"workNo": "t2"}
        assert dialer.take(campaign, int(items[2]["uniqueId"]))["resultData"] == {"workNo": None}
        assert state_of(client, "t1") == "TALKING"
        # another dialer never takes agents on this one's legs
        assert AgentDialer(dialer_client).take(campaign, 1)["resultData"] == {"workNo": None}


def test_two_concurrent_takes_never_get_the_same_agent(server):
    with server.client((12,)) as client, server.client((12,)) as dialer_client:
        campaign = create_campaign(client, init_status=0, deviceType=PREDICTIVE)
        dialer = AgentDialer(dialer_client)
        agents = [f"u{i}" for i in range(3)]
        for work_no in agents:
            create_agent(client, work_no, [campaign])
            log_in(client, dialer, work_no)
        taken: list[str | None] = []
        lock = threading.Lock()

        def take_some(offset: int) -> None:
            with server.client((12,)) as own:
                racer = AgentDialer(own)
                racer.dialer_id = dialer.dialer_id
                for i in range(4):
                    answer = racer.take(campaign, offset + i)
                    assert answer["result"] == "0", answer
                    with lock:
                        taken.append(answer["resultData"]["workNo"])

        threads = [threading.Thread(target=take_some, args=(n * 100 + 1,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        got = [work_no for work_no in taken if work_no is not None]
        assert sorted(got) == agents  # each agent exactly once
        assert len(taken) == 8


# --- preview -------------------------------------------------------------------------------


def test_preview_next_dial_and_the_claim_that_hands_it_out(server):
    with server.client((12,)) as client, server.client((12,)) as dialer_client:
        campaign = create_campaign(client, init_status=0, deviceType=PREVIEW)
        ids = add_numbers(client, campaign, numbers(3, prefix="1396000"))
        dialer = AgentDialer(dialer_client)
        create_agent(client, "v1", [campaign])
        assert_code(agent_call(client, "v1", "next"), "0209104")  # logged out
        log_in(client, dialer, "v1")
        assert dialer.claim(campaign, 5) == []  # nobody asked to dial

        held = agent_call(client, "v1", "next")
        assert_code(held, SUCCESS)
        record = held["returnObject"]
        assert record["dataId"] == int(ids[0]) and record["calledNo"] == ["13960000000"]
        assert state_of(client, "v1") == "RESERVED"
        assert dialer.claim(campaign, 5) == []  # held, not yet dialled
        ordinary = [item["uniqueId"] for item in claim(dialer_client, campaign, 5)]
        assert ordinary == ids[1:]  # an ordinary claim never gets the held record
        assert_code(agent_call(client, "v1", "dial", dataId=int(ids[1])), "0209106")
        assert agent_call(client, "v1", "dial", dataId=record["dataId"])["returnObject"] == {
            "workNo": "v1",
            "state": "RESERVED",
        }
        assert_code(agent_call(client, "v1", "skip", dataId=record["dataId"]), "0209104")
        (item,) = dialer.claim(campaign, 5)
        assert (item["uniqueId"], item["workNo"]) == (ids[0], "v1")
        assert dialer.claim(campaign, 5) == []  # handed out once
        assert report(dialer_client, campaign, ids[0], "6", workNo="v1")["result"] == "0"
        assert state_of(client, "v1") == "WRAP_UP"


def test_preview_skip_gives_the_record_back(server):
    with server.client((12,)) as client, server.client((12,)) as dialer_client:
        campaign = create_campaign(client, init_status=0, deviceType=PREVIEW)
        other = create_campaign(client, init_status=0, deviceType=PROGRESSIVE)
        ids = add_numbers(client, campaign, numbers(2, prefix="1397000"))
        dialer = AgentDialer(dialer_client)
        create_agent(client, "s1", [campaign, other])
        log_in(client, dialer, "s1")
        assert_code(agent_call(client, "s1", "next", campaignId=other), "0209107")
        assert_code(agent_call(client, "s1", "next", campaignId=99999), "0200007")
        third = create_campaign(client, init_status=0, deviceType=PREVIEW)
        assert_code(agent_call(client, "s1", "next", campaignId=third), "0209105")
        first = agent_call(client, "s1", "next", campaignId=campaign)["returnObject"]
        assert first["dataId"] == int(ids[0])
        skipped = agent_call(client, "s1", "skip", dataId=first["dataId"])
        assert skipped["returnObject"]["state"] == "READY"
        number = rows(server.services, "numbers", id=int(ids[0]))[0]
        assert (number["state"], number["lease_owner"], number["attempts"]) == ("pending", None, 0)
        # the skipped record went behind the others
        assert agent_call(client, "s1", "next")["returnObject"]["dataId"] == int(ids[1])


def test_leg_down_releases_a_held_preview_record(server):
    with server.client((12,)) as client, server.client((12,)) as dialer_client:
        campaign = create_campaign(client, init_status=0, deviceType=PREVIEW)
        (data_id,) = add_numbers(client, campaign, numbers(1, prefix="1398000"))
        dialer = AgentDialer(dialer_client)
        create_agent(client, "x1", [campaign])
        log_in(client, dialer, "x1")
        agent_call(client, "x1", "next")
        assert dialer.event("x1", "down")["resultData"] == {"state": "LOGGED_OUT"}
        number = rows(server.services, "numbers", id=int(data_id))[0]
        assert number["state"] == "pending" and number["lease_owner"] is None


# --- statistics and /metrics ------------------------------------------------------------------


def test_statistics_and_metrics_count_agents_by_state(server):
    with server.client((12,)) as client, server.client((12,)) as dialer_client:
        campaign = create_campaign(client, init_status=0, deviceType=PREDICTIVE)
        dialer = AgentDialer(dialer_client)
        for work_no in ("m1", "m2", "m3"):
            create_agent(client, work_no, [campaign])
        log_in(client, dialer, "m1")
        log_in(client, dialer, "m2")
        agent_call(client, "m2", "pause")
        answer = client.get(
            "/rest/isales/v2/openapi/campaigns/12/statistics", params={"campaignId": campaign}
        ).json()
        (entry,) = answer["countDetail"]
        assert entry["agentCount"] == {
            "LOGGED_OUT": 1,
            "READY": 1,
            "RESERVED": 0,
            "TALKING": 0,
            "WRAP_UP": 0,
            "PAUSED": 1,
        }
        text = httpx.get(f"{server.base_url}/metrics").text
        for state, n in (("READY", 1), ("PAUSED", 1), ("LOGGED_OUT", 1)):
            line = f'isales_agents{{campaign="{campaign}",state="{state}",vdn="12"}} {float(n)}'
            assert line in text, text


def test_a_preview_hold_lapses_after_max_alerting_time_plus_60_seconds(make_server):
    clock = MovableClock()
    server = make_server(clock=clock)
    with server.client((12,)) as client, server.client((12,)) as dialer_client:
        campaign = create_campaign(client, init_status=0, deviceType=PREVIEW, maxAlertingTime=30)
        (data_id,) = add_numbers(client, campaign, numbers(1, prefix="1399000"))
        dialer = AgentDialer(dialer_client)
        create_agent(client, "y1", [campaign])
        log_in(client, dialer, "y1")
        held = agent_call(client, "y1", "next")["returnObject"]
        assert held["dataId"] == int(data_id)
        clock.advance(89)
        assert state_of(client, "y1") == "RESERVED"
        clock.advance(2)  # 30 s + 60 s have passed
        assert state_of(client, "y1") == "READY"
        assert_code(agent_call(client, "y1", "dial", dataId=int(data_id)), "0209104")
        # the lapsed hold is released like any lapsed claim: the record is offered again
        again = agent_call(client, "y1", "next")["returnObject"]
        assert again["dataId"] == int(data_id)


def snapshot(server):  # type: ignore[no-untyped-def]
    return {
        table: sorted(rows(server.services, table), key=repr)
        for table in ("agents", "agent_campaigns", "numbers")
    }


def test_every_refusal_changes_nothing(server):
    with server.client((12,)) as client, server.client((12,)) as dialer_client:
        campaign = create_campaign(client, init_status=0, deviceType=PREVIEW)
        ids = add_numbers(client, campaign, numbers(2, prefix="1399500"))
        dialer, other = AgentDialer(dialer_client), AgentDialer(dialer_client)
        create_agent(client, "z1", [campaign])
        create_agent(client, "z2", [campaign])
        log_in(client, dialer, "z1")
        held = agent_call(client, "z1", "next")["returnObject"]["dataId"]
        agent_call(client, "z1", "dial", dataId=held)
        before = snapshot(server)
        refusals = [
            (lambda: agent_call(client, "z2", "pause"), "0209104"),
            (lambda: agent_call(client, "z2", "ready"), "0209104"),
            (lambda: agent_call(client, "z2", "logout"), "0209104"),
            (lambda: agent_call(client, "z2", "next"), "0209104"),
            (lambda: agent_call(client, "z1", "logout"), "0209104"),  # a call is being placed
            (lambda: agent_call(client, "z1", "next"), "0209104"),
            (lambda: agent_call(client, "z1", "login"), "0209104"),
            (lambda: agent_call(client, "z1", "dial", dataId=held), "0209104"),
            (lambda: agent_call(client, "z1", "skip", dataId=held), "0209104"),
            (lambda: agent_call(client, "z1", "skip", dataId=int(ids[1])), "0209106"),
            (lambda: client.delete(f"{agents_path()}/z1").json(), "0209104"),
            (lambda: create_agent(client, "z2", [campaign]), "0209103"),
            (lambda: create_agent(client, "z3", [campaign, 99999]), "0200007"),
        ]
        for request, code in refusals:
            assert_code(request(), code)
        for work_no, event, extra, result in (
            ("z1", "up", {}, "5"),
            ("z2", "down", {}, "5"),
            ("z2", "failed", {}, "5"),
            ("z1", "talking", {"dataId": int(ids[1])}, "5"),
            ("nobody", "down", {}, "4"),
        ):
            assert dialer.event(work_no, event, **extra)["result"] == result
        assert other.event("z1", "down")["result"] == "5"
        assert other.take(campaign, int(ids[1]))["resultData"] == {"workNo": None}
        assert other.claim(campaign, 5) == []
        assert snapshot(server) == before


def test_a_deleted_campaign_leaves_its_agents(server):
    with server.client((12,)) as client:
        kept = create_campaign(client, init_status=0, deviceType=PROGRESSIVE)
        deleted = create_campaign(client, init_status=1, deviceType=PROGRESSIVE)
        create_agent(client, "cd1", [kept, deleted])
        answer = client.delete(f"/rest/isales/v1/openapi/campaigns/12/{deleted}").json()
        assert_code(answer, SUCCESS)
        assert list_agents(client)["cd1"]["campaignIds"] == [kept]
