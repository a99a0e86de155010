"""Contact-policy scenarios over real HTTP on a pinned clock (docs/contact-policies.md).

A :class:`Scenario` is one VDN of a server whose clock the test sets: it configures the
VDN (its default country, a preset), creates campaigns, places attempts (add a record,
claim it at one time, report it at another) and probes: a record added to a campaign
made for the probe alone, claimed once, so the answer is exactly "handed out or not".
A probe's campaign is paused afterwards; a probe that was handed out is never reported
(its claim lapses unreported and is voided), so it does not count afterwards.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from .api import OBS, SUCCESS, MovableClock, set_status

BASE = "/rest/isales/v1/openapi/campaigns"
TIME = "%Y-%m-%d %H:%M:%S"
#: deviceType by technology
DEVICE = {"prerecorded": 3, "predictive": 2, "progressive": 6, "preview": 5}


def ok(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer.get("resultCode") == SUCCESS, answer
    return answer


class Scenario:
    def __init__(self, server: Any, clock: MovableClock, vdn: int, country: str = "US") -> None:
        self.server, self.clock, self.vdn = server, clock, vdn
        self.client = server.client((vdn,))
        self.client.__enter__()
        if country:
            self.put_settings(defaultCountry=country)

    def close(self) -> None:
        self.client.__exit__(None, None, None)

    def at(self, text: str) -> None:
        self.clock.now = datetime.strptime(text, TIME)

    # --- configuration ------------------------------------------------------------------

    def put_settings(self, **fields: Any) -> dict[str, Any]:
        return self.client.put(f"{BASE}/{self.vdn}/contactsettings", json=fields).json()

    def add_policy(self, **policy: Any) -> int:
        body = {"name": policy.pop("name", f"policy-{uuid.uuid4().hex[:8]}"), **policy}
        answer = ok(self.client.post(f"{BASE}/{self.vdn}/contactpolicies", json=body).json())
        return int(answer["policyId"])

    def campaign(self, purpose: str, technology: str, **contact: Any) -> int:
        device = DEVICE[technology]
        begin = self.clock()
        body: dict[str, Any] = {
            "name": f"c-{uuid.uuid4().hex[:12]}",
            "strBeginTime": begin.replace(hour=0, minute=0, second=0).strftime(TIME),
            "strEndTime": (begin + timedelta(days=120)).strftime(TIME),
            "deviceType": device,
            "callerNo": "10086",
            "maxAlertingTime": 30,
            "scheduleParam": {"workdayBeginTime1": "00:00", "workdayEndTime1": "23:59"},
            "initStatus": 0,
            "contactPolicy": {"purpose": purpose, **contact},
        }
        if device in (1, 3):
            body["ivrParam"] = {"flowAccessCode": "1"}
        else:
            body["skillParam"] = {"skillId": 1}
        answer = ok(self.client.post(f"{BASE}/{self.vdn}", json=body).json())
        return int(answer["returnObject"]["id"])

    def add(self, campaign_id: int, called: str, **keys: Any) -> str:
        record = {"called": called, **{k: v for k, v in keys.items() if v is not None}}
        answer = ok(
            self.client.post(
                f"{BASE}/{self.vdn}/calldata/{campaign_id}", json={"callDataList": [record]}
            ).json()
        )
        return str(answer["returnObject"]["dataIdList"][0]["dataId"])

    # --- calls ----------------------------------------------------------------------------

    def claim(self, campaign_id: int, count: int = 10) -> list[dict[str, Any]]:
        answer = self.client.post(
            f"{OBS}/callnos",
            json={"subCCNo": 1, "vdnId": self.vdn, "serviceId": campaign_id, "batchCount": count},
        ).json()
        assert answer["result"] == "0", answer
        return list(answer["resultData"])

    def report(self, campaign_id: int, data_id: str, fail_code: str, **extra: Any) -> None:
        status = "6" if fail_code == "00000" else "5"
        answer = self.client.post(
            f"{OBS}/call/result",
            json={
                "subCCNo": 1,
                "vdnId": self.vdn,
                "serviceId": str(campaign_id),
                "uniqueId": data_id,
                "status": status,
                "failCode": fail_code,
                "callId": f"call-{data_id}",
                **extra,
            },
        ).json()
        assert answer["result"] == "0", answer

    def attempt(
        self,
        campaign_id: int,
        called: str,
        claimed: str,
        reported: str,
        fail_code: str,
        **keys: Any,
    ) -> str:
        """One call: a record added and claimed at ``claimed``, reported at ``reported``."""
        self.at(claimed)
        data_id = self.add(campaign_id, called, **keys)
        handed = [item["uniqueId"] for item in self.claim(campaign_id)]
        assert handed == [data_id], (claimed, handed)
        self.at(reported)
        self.report(campaign_id, data_id, fail_code)
        return data_id

    def allowed(self, when: str, called: str, purpose: str, technology: str, **keys: Any) -> bool:
        """Whether a claim at ``when`` hands out a record of ``called`` (with ``keys``) in a
        new campaign of that purpose and technology."""
        self.at(when)
        campaign_id = self.campaign(purpose, technology)
        data_id = self.add(campaign_id, called, **keys)
        handed = [item["uniqueId"] for item in self.claim(campaign_id)]
        assert set(handed) <= {data_id}, handed
        set_status(self.client, campaign_id, "pause", vdn=self.vdn)
        return handed == [data_id]

    def explain(self, **body: Any) -> dict[str, Any]:
        return ok(self.client.post(f"{BASE}/{self.vdn}/contacts/explain", json=body).json())

    def ledger_row(self, **values: Any) -> str:
        """An attempt written straight into the ledger, as an import of another system's
        call or text would record it (the import interface is not built yet)."""
        from isales.store import schema

        placed = datetime.strptime(values.pop("placed"), TIME)
        row = {
            "id": str(uuid.uuid4()),
            "vdn_id": self.vdn,
            "campaign_id": None,
            "data_id": None,
            "person_id": None,
            "subject_ids": None,
            "channel": "voice",
            "direction": "outbound",
            "purpose": None,
            "technology": None,
            "placed_at": placed,
            "ended_at": placed,
            "dialled": 0,
            "voided": 0,
            "origin": {"kind": "import", "at": placed.strftime(TIME), "sha256": "0" * 64},
            **values,
        }
        with self.server.services.store.write() as conn:
            conn.execute(schema.contact_attempts.insert().values(**row))
        return str(row["id"])
