"""One router per resource. Handlers are thin: accept → service → answer.

Each handler registers under its entry in the route table (``api/route_table.py``), which
holds its path, method, summary and codes; ``ROUTERS`` lists every router's builder.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter

from ...config import Settings
from . import (
    agents,
    batches,
    blackfile,
    blacklist,
    business,
    call_records,
    caller_numbers,
    campaigns,
    contacts,
    data_lifecycle,
    definitions,
    dialer,
    export,
    file_servers,
    imports,
    numbers,
    obs,
    policies,
    reservations,
    results,
    special_dates,
    statistics,
    templates,
)

ROUTERS: tuple[Callable[[Settings], APIRouter], ...] = tuple(
    module.build_router
    for module in (
        agents,
        batches,
        blackfile,
        blacklist,
        business,
        call_records,
        caller_numbers,
        campaigns,
        contacts,
        definitions,
        dialer,
        export,
        file_servers,
        imports,
        data_lifecycle,  # not alphabetical: app.py keeps this order among equal routes
        numbers,
        obs,
        policies,
        reservations,
        results,
        special_dates,
        statistics,
        templates,
    )
)
