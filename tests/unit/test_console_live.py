"""How long an agent has been in its state, in words (the console's Live tab)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from isales.console.live import held_for

NOW = datetime(2031, 5, 20, 12, 0, 0)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "0 s"),
        (59, "59 s"),
        (60, "1 min 0 s"),
        (192, "3 min 12 s"),
        (3600 * 2 + 5 * 60 + 9, "2 h 5 min"),
        (86400 * 3 + 3600 * 4, "3 d 4 h"),
        (-5, "0 s"),  # a clock a little behind the store's: never a negative time
    ],
)
def test_held_for(seconds, words):
    assert held_for(NOW - timedelta(seconds=seconds), NOW) == words
