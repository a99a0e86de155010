"""Batch and template rules (domain/batches.py, domain/templates.py)."""

from __future__ import annotations

from isales.domain.batches import (
    BATCH_TRANSITIONS,
    BatchStatus,
    may_delete_batch,
    may_pause_or_resume_batches,
)
from isales.domain.states import CampaignStatus
from isales.domain.templates import (
    INIT_STATUS,
    TEMPLATE_ID_BASE,
    TemplateStatus,
    template_api_id,
    template_row_id,
)


def test_batch_transitions():
    assert BATCH_TRANSITIONS["pause"] == (BatchStatus.STARTED, BatchStatus.PAUSED)
    assert BATCH_TRANSITIONS["resume"] == (BatchStatus.PAUSED, BatchStatus.STARTED)


def test_when_a_campaign_lets_its_batches_change():
    assert may_pause_or_resume_batches(CampaignStatus.EXECUTING)
    assert may_pause_or_resume_batches(CampaignStatus.COMPLETED)
    assert not may_pause_or_resume_batches(CampaignStatus.PAUSED)
    assert may_pause_or_resume_batches(CampaignStatus.PAUSED, "resume")
    assert not may_delete_batch(CampaignStatus.EXECUTING)
    assert may_delete_batch(CampaignStatus.PAUSED) and may_delete_batch(CampaignStatus.COMPLETED)


def test_template_ids_sit_above_campaign_ids():
    assert template_api_id(1) == TEMPLATE_ID_BASE + 1
    assert template_row_id(template_api_id(42)) == 42
    assert template_row_id(TEMPLATE_ID_BASE) is None
    assert template_row_id(46) is None


def test_init_status_of_templates():
    assert INIT_STATUS == {0: TemplateStatus.PUBLISHED, 1: TemplateStatus.PAUSED}
