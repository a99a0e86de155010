"""Routes: result callbacks from the durable outbox (reference §3.3)."""

from __future__ import annotations

from fastapi import APIRouter

from ...config import Settings


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["callbacks"])
    return router
