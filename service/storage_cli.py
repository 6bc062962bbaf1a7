"""The storage commands of `ledger`: `db setup-roles`, `backup`, `restore`."""
from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from typing import Any

import psycopg

from service.backups import BackupError, backup, restore
from service.config import Config
from service.root import Root, open_ledger

# Faults of the files, the database or the tools: reported in a line, nothing changed.
FAULTS = (BackupError, sqlite3.Error, psycopg.Error, OSError)


def setup_roles(args: argparse.Namespace) -> int:
    """As the tables' owner: create the ledger's tables, then the service role and its grants."""
    from ledger.read_audit import ReadAudit
    from ledger.recorders.roles import grant_service_role

    config = Config.from_env()
    if not config.database_url.startswith("postgres"):
        print("roles are PostgreSQL's; on SQLite, triggers already refuse UPDATE and DELETE "
              "on the log's tables", file=sys.stderr)
        return 2
    password = None
    if args.password_file:
        password = Path(args.password_file).read_text().splitlines()[0]
    ledger = open_ledger(config)
    try:
        # Made by the owner, so the service role cannot drop its append-only triggers.
        ReadAudit(ledger.recorder.datastore).setup()  # type: ignore[attr-defined]
        grants = grant_service_role(ledger.recorder, args.service_role, password)
    finally:
        ledger.close()
    made = "created" if grants.role_created else "exists"
    print(f"role {args.service_role} ({made}): SELECT, INSERT on "
          f"{', '.join(grants.append_only)}; SELECT, INSERT, UPDATE, DELETE on "
          f"{', '.join(grants.read_write) or 'nothing else'}"
          + (f"; owns {', '.join(grants.handed_over)}" if grants.handed_over else ""))
    return 0


def backup_command(args: argparse.Namespace) -> int:
    with Root(Config.from_env()) as root:
        try:
            head = backup(root.ledger.recorder, root.config.database_url, Path(args.file))
        except FAULTS as error:
            print(f"backup failed: {error}", file=sys.stderr)
            return 1
    print(f"backed up the log through {head or 'nothing (empty log)'} to {args.file}")
    return 0


def restore_command(args: argparse.Namespace) -> int:
    config = Config.from_env()
    try:
        restore(config.database_url, Path(args.file))
    except FAULTS as error:
        print(f"restore refused: {error}", file=sys.stderr)
        return 1
    ledger = open_ledger(config)
    try:
        ledger.recorder.continue_numbering()  # type: ignore[attr-defined]
        # Erasures since the backup was taken: their keys go before the ledger serves again.
        erased = ledger.keys.apply_journal() if ledger.keys else []
        head = ledger.head()
    finally:
        ledger.close()
    where = f"position {head[0]} hash {head[1]}" if head else "nothing (empty log)"
    print(f"restored the log through {where}; check it with `ledger verify`")
    print(f"erasure journal {config.erasure_journal}: {len(erased)} key(s) erased again")
    return 0


def add_storage_commands(commands: Any) -> None:
    """Register the storage commands on the `ledger` parser's subcommands."""
    db = commands.add_parser("db", help="database roles").add_subparsers(
        dest="db_command", required=True)
    p = db.add_parser("setup-roles", help="as the owner: create the tables and a service role "
                                          "that may only read and append to the log "
                                          "(PostgreSQL)")
    p.add_argument("--service-role", required=True, metavar="NAME",
                   help="the role the service connects as (created if missing, with LOGIN)")
    p.add_argument("--password-file", metavar="FILE",
                   help="set the role's password from the first line of FILE")
    p.set_defaults(run=setup_roles)

    p = commands.add_parser("backup", help="write an online, consistent backup of the ledger")
    p.add_argument("file")
    p.set_defaults(run=backup_command)

    p = commands.add_parser("restore", help="load a backup into the empty database named by "
                                            "LEDGER_DATABASE_URL")
    p.add_argument("file")
    p.set_defaults(run=restore_command)
