"""Request builders shared by the tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from isales.client import IsalesClient

TIME = "%Y-%m-%d %H:%M:%S"
SUCCESS = "0200000"


def ok_json(response: Any) -> dict[str, Any]:
    """Every business or validation outcome is HTTP 200 with a JSON envelope."""
    assert response.status_code == 200, response.text
    return response.json()


def assert_code(answer: dict[str, Any], code: str) -> None:
    """Both code fields carry ``code``; an error says why and carries no payload."""
    assert (answer["resultCode"], answer["returnCode"]) == (code, code), answer
    assert answer["resultDesc"] == answer["returnDesc"]
    if code != SUCCESS:
        assert answer["resultDesc"] != ""
        assert "returnObject" not in answer and "data" not in answer


def campaigns_path(vdn: int = 12, version: int = 1) -> str:
    return f"/rest/isales/v{version}/openapi/campaigns/{vdn}"


def calldata_path(campaign_id: int, vdn: int = 12, version: int = 1) -> str:
    return f"/rest/isales/v{version}/openapi/campaigns/{vdn}/calldata/{campaign_id}"


def delete_path(campaign_id: int, vdn: int = 12) -> str:
    return calldata_path(campaign_id, vdn) + "/delete"


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def campaign_body(version: int = 1, **overrides: Any) -> dict[str, Any]:
    now = utc_now()
    body: dict[str, Any] = {
        "name": f"campaign-{uuid.uuid4().hex[:12]}",
        "strBeginTime": now.replace(hour=0, minute=0, second=0).strftime(TIME),
        "strEndTime": (now + timedelta(days=30)).strftime(TIME),
        "deviceType": 2,
        "callerNo": "10086" if version == 1 else [{"accessCode": "10086", "priority": 1}],
        "maxAlertingTime": 30,
        "scheduleParam": {"workdayBeginTime1": "00:00", "workdayEndTime1": "23:59"},
        "skillParam": {"skillId": 1},
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def template_body(**overrides: Any) -> dict[str, Any]:
    """A valid campaign-template body (create, update) but for ``overrides``."""
    body: dict[str, Any] = {
        "name": f"template-{uuid.uuid4().hex[:12]}",
        "description": "a template",
        "deviceType": 2,
        "callerNo": [{"accessCode": "10086", "priority": 1}],
        "maxAlertingTime": 30,
        "priority": 2,
        "scheduleParam": {"workdayBeginTime1": "00:00", "workdayEndTime1": "23:59"},
        "skillParam": {"skillId": 1},
    }
    body.update(overrides)
    return body


def create_campaign(
    client: IsalesClient, vdn: int = 12, init_status: int = 1, **overrides: Any
) -> int:
    body = campaign_body(initStatus=init_status, **overrides)
    answer = client.post(campaigns_path(vdn), json=body).json()
    assert answer["resultCode"] == SUCCESS, answer
    return answer["returnObject"]["id"]


def add_numbers(
    client: IsalesClient, campaign_id: int, records: list[dict[str, Any]], vdn: int = 12
) -> list[str]:
    """Add in chunks of 20 (the v1 maximum); return the dataIds."""
    ids: list[str] = []
    for start in range(0, len(records), 20):
        answer = client.post(
            calldata_path(campaign_id, vdn), json={"callDataList": records[start : start + 20]}
        ).json()
        assert answer["resultCode"] == SUCCESS, answer
        ids.extend(item["dataId"] for item in answer["returnObject"]["dataIdList"])
    return ids


def numbers(count: int, prefix: str = "1380000", **fields: Any) -> list[dict[str, Any]]:
    return [{"called": f"{prefix}{i:04d}", **fields} for i in range(count)]


def delete(client: IsalesClient, campaign_id: int, body: Any, vdn: int = 12) -> dict[str, Any]:
    response = client.post(delete_path(campaign_id, vdn), json=body)
    assert response.status_code == 200, response.text
    return response.json()


def set_status(
    client: IsalesClient, campaign_id: int, action: str, vdn: int = 12
) -> dict[str, Any]:
    return client.put(f"{campaigns_path(vdn)}/{campaign_id}/{action}").json()


OBS = "/rest/isales/v1/openapi/obs/business"


def claim(
    client: IsalesClient, campaign_id: int, count: int, vdn: int = 12
) -> list[dict[str, Any]]:
    answer = client.post(
        f"{OBS}/callnos",
        json={"subCCNo": 1, "vdnId": vdn, "serviceId": campaign_id, "batchCount": count},
    ).json()
    assert answer["result"] == "0", answer
    return answer["resultData"]


def report(
    client: IsalesClient,
    campaign_id: int,
    data_id: str,
    status: str = "6",
    vdn: int = 12,
    fail_code: str | None = None,
    **telephony: Any,
) -> dict[str, Any]:
    """Report a call: connected (``status`` "6", 00000) or failed ("5", 00603 unless
    ``fail_code`` says otherwise); ``telephony`` adds detail such as ``amd``."""
    return client.post(
        f"{OBS}/call/result",
        json={
            "subCCNo": 1,
            "vdnId": vdn,
            "serviceId": str(campaign_id),
            "uniqueId": data_id,
            "status": status,
            "failCode": fail_code or ("00000" if status == "6" else "00603"),
            "callId": f"call-{data_id}",
            **telephony,
        },
    ).json()


def count(services: Any, table: str, **where: Any) -> int:
    """Rows of a store table, read straight from the real database."""
    from sqlalchemy import func, select

    from isales.store import schema

    target = getattr(schema, table)
    query = select(func.count()).select_from(target)
    for column, value in where.items():
        query = query.where(target.c[column] == value)
    with services.store.read() as conn:
        return conn.execute(query).scalar_one()


def rows(services: Any, table: str, **where: Any) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from isales.store import schema

    target = getattr(schema, table)
    query = select(target)
    for column, value in where.items():
        query = query.where(target.c[column] == value)
    with services.store.read() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def execute_sql(services: Any, statement: str) -> None:
    from sqlalchemy import text

    with services.store.write() as conn:
        conn.execute(text(statement))


class MovableClock:
    """A clock the test moves by hand (naive UTC, like the store)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or utc_now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def batch_path(campaign_id: int, action: str, vdn: int = 12) -> str:
    return f"/rest/isales/v1/openapi/campaigns/{vdn}/callbatch/{campaign_id}/{action}"


def create_batch(client, campaign_id: int, vdn: int = 12, **body) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.post(batch_path(campaign_id, "create", vdn), json=body))


def new_batch(client, campaign_id: int, name: str, status: int = 1) -> str:  # type: ignore[no-untyped-def]
    answer = create_batch(client, campaign_id, name=name, status=status)
    assert_code(answer, SUCCESS)
    return answer["returnObject"]["id"]


def add_v2(client, campaign_id: int, called: list[str], batch_id: str | None) -> dict:  # type: ignore[no-untyped-def]
    body = {
        "batchId": batch_id,
        "callDataList": [{"sessionId": n, "called": [{"calledNo": n}]} for n in called],
    }
    return ok_json(client.post(calldata_path(campaign_id, version=2), json=body))
