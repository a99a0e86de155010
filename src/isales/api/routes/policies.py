"""Routes: retry policies (reference §4.7) and business-result write-back (§3.5)."""

from __future__ import annotations

from fastapi import APIRouter

from ...config import Settings


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["retry policies"])
    return router
