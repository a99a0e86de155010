"""Contact-policy caps under racing claims: two campaigns sharing persons and numbers,
claimed by four dialers on two ``isales serve`` processes over one store
(docs/contact-policies.md, "Never over a cap, across campaigns and servers").

Every person has more due records than their cap allows, spread over both campaigns and
two shared numbers. The cap's window (a day) covers the whole race, so the invariant is
exact and needs no clock: the records of one person handed out to all the dialers
together never exceed the cap, counted from the dialers' own answers; and no record is
handed out twice.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from isales.client import IsalesClient
from isales.config import Settings
from isales.services import Services
from tests.support.api import OBS, SUCCESS, create_campaign
from tests.support.processes import start_serve

pytestmark = [
    pytest.mark.usefixtures("backend"),
    pytest.mark.concurrency,
    pytest.mark.timeout(1500),
]

PERSONS = 2500
CAP = 4
#: records per person per campaign (two campaigns: 6 records per person, 4 may be called)
PER_CAMPAIGN = 3
BATCH = 50
BASE = "/rest/isales/v1/openapi/campaigns/12"


@pytest.fixture(scope="module")
def services(db_url: str) -> Iterator[Services]:
    built = Services.build(Settings(db=db_url))
    yield built
    built.close()


@dataclass
class Handed:
    lock: threading.Lock = field(default_factory=threading.Lock)
    data_ids: list[str] = field(default_factory=list)
    persons: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    #: when any dialer was last handed something: all stop after QUIET seconds without
    last_progress: float = field(default_factory=time.monotonic)
    #: dialers with a claim or its reports under way (a loaded machine can take seconds)
    busy: int = 0


#: seconds without any claim handing anything out after which the race is over (every
#: record left is refused by its person's cap)
QUIET = 3.0


def claim_and_report(
    client: IsalesClient, campaign_id: int, person_of: dict[str, str], handed: Handed
) -> list | None:
    """One claim and a result for each record it handed out; None after a refusal."""
    answer = client.post(
        f"{OBS}/callnos",
        json={"subCCNo": 1, "vdnId": 12, "serviceId": campaign_id, "batchCount": BATCH},
    ).json()
    if answer["result"] != "0":
        handed.errors.append(str(answer))
        return None
    items = answer["resultData"]
    with handed.lock:
        if items:
            handed.last_progress = time.monotonic()
        for item in items:
            handed.data_ids.append(item["uniqueId"])
            handed.persons[person_of[item["uniqueId"]]] += 1
    for item in items:
        result = client.post(
            f"{OBS}/call/result",
            json={
                "subCCNo": 1,
                "vdnId": 12,
                "serviceId": str(campaign_id),
                "uniqueId": item["uniqueId"],
                "status": "5",
                "failCode": "00603",
                "callId": f"c-{item['uniqueId']}",
            },
        ).json()
        if result["result"] != "0":
            handed.errors.append(str(result))
    return items


def dialer(client: IsalesClient, campaign_id: int, person_of: dict[str, str], handed: Handed):
    """Claims and reports until the race is over: nobody was handed anything for QUIET
    seconds while no dialer was claiming or reporting (a report can give a person's turn
    to another campaign; on a loaded machine one batch's reports take seconds)."""
    try:
        while True:
            with handed.lock:
                handed.busy += 1
            items = None
            try:
                items = claim_and_report(client, campaign_id, person_of, handed)
            finally:
                with handed.lock:
                    handed.busy -= 1
                    idle = time.monotonic() - handed.last_progress > QUIET
                    over = items is None or (not items and not handed.busy and idle)
            if over:
                return
            if not items:  # near the end most claims are refused whole: space them out
                time.sleep(1.0)
    except Exception as exc:  # a dialer that died must fail the test, not hang it
        handed.errors.append(repr(exc))


def test_no_person_is_called_over_the_cap_by_racing_campaigns_and_servers(
    db_url, services, tmp_path
):
    key = services.access.create_key([12])
    servers = [start_serve(db_url, tmp_path) for _ in range(2)]
    try:
        clients = [IsalesClient(s.url, key.access_key, key.secret_key) for s in servers]
        admin = clients[0]
        put = admin.put(f"{BASE}/contactsettings", json={"defaultCountry": "US"}).json()
        assert put["resultCode"] == SUCCESS, put
        policy = {
            "name": "tight",
            "rules": [
                {
                    "kind": "cap",
                    "unit": "person",
                    "counts": "placed",
                    "limit": CAP,
                    "windowSeconds": 86400,
                }
            ],
        }
        assert admin.post(f"{BASE}/contactpolicies", json=policy).json()["resultCode"] == SUCCESS
        campaigns = [create_campaign(admin, init_status=0) for _ in range(2)]
        person_of: dict[str, str] = {}
        for campaign_id in campaigns:
            records = [
                {
                    # two numbers per person, shared by both campaigns
                    "called": [{"calledNo": f"3125{p:06d}" if r % 2 else f"2125{p:06d}"}],
                    "personId": f"P-{p}",
                    "sessionId": f"s-{p}-{r}",
                }
                for p in range(PERSONS)
                for r in range(PER_CAMPAIGN)
            ]
            for start in range(0, len(records), 20):
                chunk = records[start : start + 20]
                answer = admin.post(
                    f"/rest/isales/v2/openapi/campaigns/12/calldata/{campaign_id}",
                    json={"callDataList": chunk},
                ).json()
                assert answer["resultCode"] == SUCCESS, answer
                for record, item in zip(chunk, answer["returnObject"]["dataIdList"], strict=True):
                    person_of[str(item["dataId"])] = record["personId"]
        handed = Handed()
        threads = [
            threading.Thread(
                target=dialer,
                args=(
                    IsalesClient(server.url, key.access_key, key.secret_key),
                    campaign_id,
                    person_of,
                    handed,
                ),
            )
            for server in servers
            for campaign_id in campaigns
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert handed.errors == []
        # no double claims, and nobody over the cap, counted from what the dialers got
        assert len(handed.data_ids) == len(set(handed.data_ids))
        over = {person: n for person, n in handed.persons.items() if n > CAP}
        assert over == {}
        # the race was real: at least 10,000 claims, each person's cap reached
        assert len(handed.data_ids) >= 10_000
        assert len(handed.data_ids) == PERSONS * CAP
    finally:
        for server in servers:
            server.stop()
