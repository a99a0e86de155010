"""Routes: a campaign's calling numbers (reference §4.8)."""

from __future__ import annotations

from fastapi import APIRouter

from ...config import Settings


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["caller_numbers"])
    return router
