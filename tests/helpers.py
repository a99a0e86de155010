"""The old name of :mod:`tests.support.api`, kept importable."""

from tests.support.api import *  # noqa: F403
