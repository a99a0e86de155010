"""The old name of the empty stores of :mod:`tests.support.stores`, kept importable."""

from tests.support.stores import *  # noqa: F403
