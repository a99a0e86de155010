"""Routes: the blacklist (reference §6)."""

from __future__ import annotations

from fastapi import APIRouter

from ...config import Settings


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["blacklist"])
    return router
