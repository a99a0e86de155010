"""Routes: today's statistics per campaign and batch (reference §2.5)."""

from __future__ import annotations

from fastapi import APIRouter

from ...config import Settings


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["statistics"])
    return router
