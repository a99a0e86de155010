"""The ``isales`` command (spec/contract.md, "Command line"; spec/operations.md).

One module per command group; each is registered here.
"""

from __future__ import annotations

import click

from . import keys, server, store


@click.group()
def main() -> None:
    """isales: outbound-campaign server, wire-compatible with the CC-iSales OpenAPI."""


main.add_command(server.serve)
main.add_command(server.dialer)
main.add_command(keys.keys)
main.add_command(store.db)
main.add_command(store.history)
