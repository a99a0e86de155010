"""What the end-to-end modules share: services built on the module's store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from isales.config import Settings
from isales.services import Services


@pytest.fixture(scope="module")
def services(db_url: str) -> Iterator[Services]:
    """The module store's services, for setting up data past the API and reading it back."""
    built = Services.build(Settings(db=db_url))
    yield built
    built.close()
