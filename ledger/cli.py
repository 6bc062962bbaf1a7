"""The `ledger` command: serve, token create, verify."""
from __future__ import annotations

import argparse
import sys

from ledger.identity import ROLES
from ledger.storage import database_url, persistence_env


def _ledger():  # type: ignore[no-untyped-def]
    from ledger.application import Ledger

    return Ledger(env=persistence_env(database_url()))


def serve(args: argparse.Namespace) -> int:
    from api import create_app

    app = create_app()
    print(f"ledger on {database_url()} at http://{args.host}:{args.port}", flush=True)
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    return 0


def token_create(args: argparse.Namespace) -> int:
    if args.role == "cadre" and not args.unit:
        print("a cadre token needs --unit UNIT_ID", file=sys.stderr)
        return 2
    token = _ledger().create_token(args.actor, args.role, args.unit)
    print(f"token for {args.actor} ({args.role}); it is shown once and stored only hashed:")
    print(token)
    return 0


def verify(args: argparse.Namespace) -> int:
    from ledger.verification import verify_chain

    ledger = _ledger()
    report = verify_chain(ledger.recorder)
    if report.ok:
        print(f"ok: {report.checked} events, head {report.head_position} {report.head_hash}")
        return 0
    print(
        f"BROKEN at position {report.first_bad_position} "
        f"({report.checked} events before it check out)"
    )
    return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ledger", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("serve", help="development server on LEDGER_DATABASE_URL")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(run=serve)

    token = commands.add_parser("token", help="API tokens").add_subparsers(
        dest="token_command", required=True
    )
    p = token.add_parser("create", help="create a bearer token (printed as the last line)")
    p.add_argument("--actor", required=True)
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--unit")
    p.set_defaults(run=token_create)

    p = commands.add_parser("verify", help="recompute the hash chain over the whole log")
    p.set_defaults(run=verify)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
