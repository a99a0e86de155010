"""The old name of :mod:`tests.support.processes`, kept importable."""

from tests.support.processes import *  # noqa: F403
