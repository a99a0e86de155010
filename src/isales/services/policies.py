"""Use cases: retry policies and business-result write-back.

The rules: docs/api.md#retry-policies and docs/api.md#business-result-write-back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..clock import Clock
from ..config import Settings
from ..domain import retry
from ..domain.definitions import Verdict, judge_write_back
from ..errors import (
    CampaignNotFound,
    NumberNotFound,
    SubStatusMismatch,
    UnknownBusinessResult,
    WriteBackFailed,
)
from ..store import Store
from ..store import campaigns as campaign_store
from ..store import definitions as definition_store
from ..store import policies as policy_store
from . import agent_calls


@dataclass(frozen=True)
class BusinessResult:
    busi_result: str
    sub_status: str | None
    busi_desc: str | None
    work_no: str | None


class PolicyService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def set_retry_policy(self, vdn_id: int, campaign_id: int, value: dict[str, Any]) -> None:
        """Replace the policy; it applies from the next reported attempt on."""
        with self.store.write() as conn:
            if not policy_store.set_retry_policy(conn, vdn_id, campaign_id, value, self.clock()):
                raise CampaignNotFound()

    def get_retry_policy(self, vdn_id: int, campaign_id: int) -> dict[str, Any] | None:
        """The stored retryPolicy object (None when the campaign has none)."""
        with self.store.read() as conn:
            campaign = campaign_store.get_campaign(conn, vdn_id, campaign_id)
        if campaign is None:
            raise CampaignNotFound()
        return campaign["retry_policy"]

    def write_back(self, vdn_id: int, data_id: int, result: BusinessResult) -> datetime | None:
        """Store a business result on the number and its latest attempt; recall if the
        campaign's busiPolicy says so. Returns when the recalled number is due, if it is."""
        now = self.clock()
        with self.store.write() as conn:
            number = policy_store.get_number_of_vdn(conn, vdn_id, data_id)
            if number is None:
                raise NumberNotFound()
            _judge_against_definitions(conn, vdn_id, result)
            campaign = campaign_store.get_campaign(conn, vdn_id, number["campaign_id"])
            rules = retry.read_policy(campaign["retry_policy"] if campaign else None).busi
            if not retry.sub_status_allowed(rules, result.busi_result, result.sub_status):
                raise SubStatusMismatch(
                    f"subStatus {result.sub_status} is not a sub-status of {result.busi_result}"
                )
            latest = policy_store.latest_result_id(conn, data_id)
            if latest is None:
                raise WriteBackFailed("write-back failed: the number has no reported call yet")
            values = {
                "busi_result": result.busi_result,
                "sub_status": result.sub_status,
                "busi_desc": result.busi_desc,
                "work_no": result.work_no,
            }
            if not policy_store.write_business_result(conn, data_id, latest, values):
                raise WriteBackFailed("write-back failed: the number changed meanwhile")
            if result.work_no is not None:
                # the agent's business result is in: its wrap-up ends (if it is in one)
                agent_calls.business_result(conn, vdn_id, result.work_no, now)
            rule = retry.busi_rule_for(rules, result.busi_result, result.sub_status)
            due = retry.recall_due(rule, now)
            if due is not None and policy_store.recall(conn, data_id, due):
                return due
            return None


def _judge_against_definitions(conn: Any, vdn_id: int, result: BusinessResult) -> None:
    """Once the VDN defines business results, only defined codes may be written back."""
    defined = definition_store.find_business_result(conn, vdn_id, result.busi_result)
    children = None
    if defined is not None:
        kids = definition_store.children_of(conn, [defined["id"]])[defined["id"]]
        children = [child["code"] for child in kids]
    defines_any = defined is not None or definition_store.count_business_results(conn, vdn_id) > 0
    verdict = judge_write_back(defines_any, children, result.sub_status)
    if verdict is Verdict.UNKNOWN_RESULT:
        raise UnknownBusinessResult(
            f"busiResult {result.busi_result} is not a business result defined in this VDN"
        )
    if verdict is Verdict.SUB_STATUS_MISMATCH:
        raise SubStatusMismatch(
            f"subStatus {result.sub_status} is not a defined sub-result of {result.busi_result}"
        )
