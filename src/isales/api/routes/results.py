"""Routes: call-result queries (reference §3.1, §3.2)."""

from __future__ import annotations

from fastapi import APIRouter

from ...config import Settings


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["results"])
    return router
