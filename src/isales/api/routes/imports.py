"""Routes: file import of numbers as an asynchronous task (reference §2.6)."""

from __future__ import annotations

from fastapi import APIRouter

from ...config import Settings


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["imports"])
    return router
