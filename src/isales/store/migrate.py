"""Alembic, driven from code: ``isales db upgrade`` and ``isales serve`` call :func:`upgrade`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def _config(engine: Engine, connection) -> Config:  # type: ignore[no-untyped-def]
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.connect() as connection:
        command.upgrade(_config(engine, connection), revision)
        connection.commit()


def downgrade(engine: Engine, revision: str = "base") -> None:
    with engine.connect() as connection:
        command.downgrade(_config(engine, connection), revision)
        connection.commit()


def autogenerate(engine: Engine, message: str) -> None:
    """Developer helper: write a new revision from the difference to schema.py."""
    with engine.connect() as connection:
        command.revision(_config(engine, connection), message=message, autogenerate=True)
