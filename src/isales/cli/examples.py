"""One example per command, shown at the end of its ``--help``
(docs/operations.md#help-and-shell-completion).

Kept in one table so that a test can require one for every command, new ones included."""

from __future__ import annotations

import click

EXAMPLES: dict[str, str] = {
    "serve": "isales serve --db sqlite:////var/lib/isales/isales.db --port 8080",
    # the secret key from ISALES_DIALER_SECRET_KEY, never on a command line
    "dialer": "isales dialer --server http://127.0.0.1:8080 --access-key AKQ3F7K2M9X1B4N8 --vdn 12",
    "keys create": "isales keys create --vdn 12 --vdn 13",
    "keys list": "isales keys list --json",
    "keys revoke": "isales keys revoke AKQ3F7K2M9X1B4N8P6RT",
    "keys master-key": (
        'echo "ISALES_MASTER_KEY=$(isales keys master-key)" >> /etc/isales/isales.env'
    ),
    "db upgrade": "isales db upgrade --db postgresql://isales:PASSWORD@127.0.0.1:5432/isales",
    "db backup": "isales db backup /var/backups/isales/isales-2026-12-07.db",
    "db restore": "isales db restore /var/backups/isales/isales-2026-12-07.db --force",
    "history": "isales history --vdn 12 --campaign 46 --custom-field batch-7",
    "config show": "isales config show --config /etc/isales/isales.toml",
    "campaigns list": "isales campaigns list --vdn 12",
    "campaigns show": "isales campaigns show --vdn 12 46",
    "campaigns create": "isales campaigns create --vdn 12 --file campaign.json",
    "campaigns pause": "isales campaigns pause --vdn 12 46",
    "campaigns resume": "isales campaigns resume --vdn 12 46",
    "campaigns delete": "isales campaigns delete --vdn 12 46 --archive",
    "numbers import": "isales numbers import --vdn 12 --campaign 46 numbers.csv",
    "numbers delete": "isales numbers delete --vdn 12 --campaign 46 --custom-field batch-7",
    "numbers export": "isales numbers export --vdn 12 --campaign 46 --state pending > pending.csv",
    "results export": (
        "isales results export --vdn 12 --campaign 46 --begin 2026-12-01 --end 2026-12-08 "
        "> results.csv"
    ),
    "stats": "isales stats --vdn 12 --campaign 46",
    "hold set": "isales hold set --vdn 12 --campaign 46 --reason 'case 2026-114'",
    "hold release": "isales hold release --vdn 12 --campaign 46",
    "hold list": "isales hold list --json",
    "erase": "isales erase --vdn 12 --called 8613800000000",
    "audit list": "isales audit list --vdn 12 --since 2026-12-01",
    "audit verify": "isales audit verify",
    "users create": "isales users create --name alice --vdn 12 --role operator",
    "users list": "isales users list",
    "users disable": "isales users disable alice",
}


def commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    """Every command under ``group`` by its name as typed (``"keys create"``)."""
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found.update(commands(command, f"{path} "))
        else:
            found[path] = command
    return found


def attach(group: click.Group) -> None:
    """Ends each command's help with its example (\\b keeps click from rewrapping it)."""
    for path, command in commands(group).items():
        if path in EXAMPLES:
            command.epilog = f"\b\nExample:\n  {EXAMPLES[path]}"
