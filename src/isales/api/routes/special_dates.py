"""Routes: special dates (holidays) of a campaign (reference §4.10)."""

from __future__ import annotations

from fastapi import APIRouter

from ...config import Settings


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["special_dates"])
    return router
