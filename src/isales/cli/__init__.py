"""The ``isales`` command (README.md, "Command line"; docs/operations.md; what may not
change: docs/fixed-surfaces.md).

One module per command group; each is registered here. A failing command prints one
line to stderr (what is wrong, what to do) and exits non-zero; ``--debug`` shows the
traceback instead.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from .. import __version__
from ..config import check_environment
from ..errors import CommandFailed, IsalesError
from . import (
    audit,
    campaigns,
    config,
    erasure,
    examples,
    holds,
    keys,
    numbers,
    reports,
    server,
    store,
    users,
)


def _fail(message: str, exit_code: int) -> None:
    click.echo(f"isales: {message}", err=True)
    sys.exit(exit_code)


class IsalesCommand(click.Group):
    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:  # type: ignore[override]
        argv = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in argv
        try:
            code = super().main(argv, prog_name or "isales", standalone_mode=False, **extra)
        except CommandFailed as exc:
            if debug:
                raise
            _fail(exc.message, exc.exit_code)
        except IsalesError as exc:  # e.g. a PostgreSQL store without ISALES_MASTER_KEY
            if debug:
                raise
            _fail(exc.message, 2)
        except click.ClickException as exc:
            _fail(f"{exc.format_message()} (see --help)", exc.exit_code)
        except (click.Abort, KeyboardInterrupt):
            _fail("interrupted", 130)
        except Exception as exc:
            if debug:
                raise
            _fail(f"{type(exc).__name__}: {exc} (rerun with --debug for the traceback)", 1)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=IsalesCommand, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, message="isales %(version)s")
@click.option("--debug", is_flag=True, help="show the traceback of a failure")
def main(debug: bool) -> None:
    """isales: outbound-campaign server, wire-compatible with the CC-iSales OpenAPI."""
    # every command, local or a client of a server: a misspelt ISALES_* variable would
    # otherwise be ignored silently (ISALES_SERVERR sending commands to the default server)
    check_environment(os.environ)


main.add_command(server.serve)
main.add_command(server.dialer)
main.add_command(keys.keys)
main.add_command(store.db)
main.add_command(store.history)
main.add_command(config.config)
main.add_command(campaigns.campaigns)
main.add_command(numbers.numbers)
main.add_command(reports.results)
main.add_command(reports.stats)
main.add_command(holds.hold)
main.add_command(erasure.erase)
main.add_command(audit.audit)
main.add_command(users.users)
examples.attach(main)
