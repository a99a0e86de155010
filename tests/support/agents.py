"""Agents over real HTTP: the public interfaces, and a test dialer speaking the dialer's
agent interfaces (legs, event, take) the way the SIP dialer does."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

from isales.client import IsalesClient

from .api import OBS, campaigns_path


def agents_path(vdn: int = 12) -> str:
    return campaigns_path(vdn) + "/agents"


def create_agent(
    client: IsalesClient, work_no: str, campaign_ids: list[int], vdn: int = 12, **extra: Any
) -> dict[str, Any]:
    body = {"workNo": work_no, "sipUri": f"sip:{work_no}@127.0.0.1", "campaignIds": campaign_ids}
    return client.post(agents_path(vdn), json={**body, **extra}).json()


def agent_call(
    client: IsalesClient, work_no: str, action: str, vdn: int = 12, **body: Any
) -> dict[str, Any]:
    return client.post(f"{agents_path(vdn)}/{work_no}/{action}", json=body).json()


def list_agents(client: IsalesClient, vdn: int = 12, **body: Any) -> dict[str, dict[str, Any]]:
    answer = client.post(
        f"{agents_path(vdn)}/list", json={"offset": 0, "limit": 100, **body}
    ).json()
    assert answer["resultCode"] == "0200000", answer
    return {agent["workNo"]: agent for agent in answer["returnObject"]["data"]}


def state_of(client: IsalesClient, work_no: str, vdn: int = 12) -> str:
    return list_agents(client, vdn)[work_no]["state"]


class AgentDialer:
    """A dialer process as the server sees it: its own dialerId and signed client."""

    def __init__(self, client: IsalesClient, vdn: int = 12) -> None:
        self.client, self.vdn, self.dialer_id = client, vdn, str(uuid.uuid4())

    def legs(self) -> dict[str, dict[str, Any]]:
        answer = self.client.post(
            f"{OBS}/agents/legs", json={"vdnId": self.vdn, "dialerId": self.dialer_id}
        ).json()
        assert answer["result"] == "0", answer
        return {agent["workNo"]: agent for agent in answer["resultData"]["agents"]}

    def event(self, work_no: str, event: str, **extra: Any) -> dict[str, Any]:
        body = {"vdnId": self.vdn, "dialerId": self.dialer_id, "workNo": work_no, "event": event}
        return self.client.post(f"{OBS}/agents/event", json={**body, **extra}).json()

    def take(self, campaign_id: int, data_id: int) -> dict[str, Any]:
        body = {
            "vdnId": self.vdn,
            "dialerId": self.dialer_id,
            "serviceId": campaign_id,
            "dataId": data_id,
        }
        return self.client.post(f"{OBS}/agents/take", json=body).json()

    def claim(self, campaign_id: int, count: int) -> list[dict[str, Any]]:
        body = {
            "subCCNo": 1,
            "vdnId": self.vdn,
            "serviceId": campaign_id,
            "batchCount": count,
            "dialerId": self.dialer_id,
        }
        answer = self.client.post(f"{OBS}/callnos", json=body).json()
        assert answer["result"] == "0", answer
        return answer["resultData"]

    def await_login(self, work_no: str, timeout: float = 10.0) -> bool:
        """Poll ``legs`` until this dialer is given the agent's pending login."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.legs().get(work_no, {}).get("login"):
                return True
            time.sleep(0.05)
        return False


def login_in_background(client: IsalesClient, work_no: str, vdn: int = 12) -> dict[str, Any]:
    """Start a login (it waits for a dialer's report); ``result["answer"]`` once it returns."""
    result: dict[str, Any] = {}

    def run() -> None:
        result["answer"] = agent_call(client, work_no, "login", vdn)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    result["thread"] = thread
    return result


def log_in(client: IsalesClient, dialer: AgentDialer, work_no: str) -> None:
    """Log an agent in with ``dialer`` answering its leg: the agent is READY on that dialer."""
    pending = login_in_background(client, work_no, dialer.vdn)
    assert dialer.await_login(work_no)
    assert dialer.event(work_no, "up", sipCode=200)["result"] == "0"
    pending["thread"].join(10)
    answer = pending["answer"]
    assert answer["resultCode"] == "0200000", answer
    assert answer["returnObject"]["state"] == "READY"
