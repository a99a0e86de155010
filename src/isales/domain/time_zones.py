"""A number's own time zone, and calling windows in the called person's local time.

A number carries a *zone key*: one IANA name, or several joined by ``|`` when its prefix
does not tell them apart (a NANP number whose area code is not in the table). A window is
open for a key only when it is open in **every** zone of the key — the safest reading of
calling-hours rules, which are written in the called person's local time. No key (NULL):
the server's zone (``ISALES_TIMEZONE``).

Keys come from the number's ``timeZone`` field, else from the prefix table: the longest
table prefix that starts the number, read after the international prefix (``00`` by
default; a number without it gets no key, since a national number's digits say nothing
reliable about its country).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from . import schedule

#: the zones of the North American Numbering Plan's main land areas
NANP = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
)

_NANP_AREAS = {
    "America/New_York": "201 202 203 212 215 216 267 301 302 305 313 315 321 347 404 407 "
    "412 413 516 551 585 609 610 617 646 678 703 704 716 717 718 732 754 757 786 813 845 "
    "856 860 862 904 908 914 917 919 929 954 973",
    "America/Chicago": "205 210 214 217 224 262 281 312 314 316 402 405 414 469 504 512 "
    "612 615 618 630 651 708 713 773 815 817 832 847 901 913 952 972",
    "America/Denver": "303 385 406 505 719 720 801",
    "America/Phoenix": "480 520 602 623 928",
    "America/Los_Angeles": "206 213 253 310 323 360 408 415 425 503 509 510 530 559 562 "
    "619 626 650 661 702 707 714 725 760 805 818 831 858 909 916 925 949 951 971",
    "America/Anchorage": "907",
    "Pacific/Honolulu": "808",
    "America/Toronto": "416 437 514 613 647 905",
    "America/Vancouver": "236 250 604 778",
}

#: the shipped prefix table (country code first, no international prefix)
DEFAULT_PREFIXES: dict[str, tuple[str, ...]] = {
    "86": ("Asia/Shanghai",),
    "852": ("Asia/Hong_Kong",),
    "44": ("Europe/London",),
    "1": NANP,
    **{"1" + area: (zone,) for zone, areas in _NANP_AREAS.items() for area in areas.split()},
}

#: longest zone key stored (numbers.time_zone)
MAX_KEY = 255


def parse_prefixes(text: str) -> dict[str, tuple[str, ...]]:
    """``"86=Asia/Shanghai;1212=America/New_York"`` (zones of one prefix joined by ``|``)."""
    table: dict[str, tuple[str, ...]] = {}
    for entry in text.split(";"):
        if not entry.strip():
            continue
        prefix, _, zones = entry.partition("=")
        prefix = prefix.strip()
        if not prefix.isdigit() or not zones.strip():
            raise ValueError(f"time-zone prefix entry {entry.strip()!r}: expected digits=Zone")
        names = tuple(sorted(z.strip() for z in zones.split("|") if z.strip()))
        for name in names:
            ZoneInfo(name)  # raises for an unknown zone
        table[prefix] = names
    return table


class ZoneTable:
    """The prefix table in force: the shipped one plus the configured entries."""

    def __init__(self, extra: Mapping[str, tuple[str, ...]], international_prefix: str) -> None:
        self.prefixes = {**DEFAULT_PREFIXES, **extra}
        self.international_prefix = international_prefix
        self.longest = max(len(prefix) for prefix in self.prefixes)

    def key_for(self, number: str) -> str | None:
        """The zone key the table gives ``number``, or None."""
        if self.international_prefix:
            if not number.startswith(self.international_prefix):
                return None
            number = number[len(self.international_prefix) :]
        for length in range(min(self.longest, len(number)), 0, -1):
            zones = self.prefixes.get(number[:length])
            if zones:
                return "|".join(sorted(zones))
        return None


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def is_known(name: str) -> bool:
    try:
        _zone(name)
    except (ValueError, KeyError, OSError):
        return False
    return True


def window_open(
    now_utc: datetime,
    schedule_param: Mapping[str, str],
    special_dates: Iterable[Mapping[str, Any]],
    key: str | None,
    default_zone: ZoneInfo,
) -> bool:
    """Whether ``now_utc`` is inside a window in every zone of ``key``."""
    specials = list(special_dates)
    zones = [_zone(name) for name in key.split("|")] if key else [default_zone]
    return all(schedule.may_dial(now_utc, schedule_param, specials, zone) for zone in zones)
