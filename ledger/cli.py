"""The `ledger` command: serve, token create, verify, project, rebuild."""
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
    from projections.runner import ProjectionRunner

    app = create_app()
    runner = ProjectionRunner(app.extensions["views"].store)
    runner.start()  # keeps the views current in this process
    print(f"ledger on {database_url()} at http://{args.host}:{args.port}", flush=True)
    try:
        app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    finally:
        runner.stop()
    return 0


def _runner(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from projections.runner import ProjectionRunner
    from projections.store import store_for

    return ProjectionRunner(store_for(_ledger()), page=args.page)


def _progress(position: int) -> None:
    print(f"views at position {position}", flush=True)


def project(args: argparse.Namespace) -> int:
    """Follow the log beside gunicorn (or catch up once with --once)."""
    runner = _runner(args)
    if args.once:
        done = runner.catch_up(progress=_progress if args.verbose else None)
        print(f"folded {done} events; views at position {runner.store.position()}")
        return 0
    print(f"following the log on {database_url()}", flush=True)
    try:
        runner.follow(args.interval)
    except KeyboardInterrupt:
        pass
    return 0


def rebuild(args: argparse.Namespace) -> int:
    """Empty the views and fold the whole log again; safe to kill and resume with `project`."""
    import time

    runner = _runner(args)
    started = time.perf_counter()
    done = runner.rebuild(progress=_progress if args.verbose else None)
    seconds = time.perf_counter() - started
    rate = done / seconds if seconds else 0.0
    print(f"rebuilt views from {done} events in {seconds:.1f} s ({rate:.0f} events/s)")
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

    p = commands.add_parser("project", help="keep the views current (beside gunicorn)")
    p.add_argument("--once", action="store_true", help="catch up to the head, then stop")
    p.add_argument("--interval", type=float, default=0.2, help="seconds between polls")
    p.add_argument("--page", type=int, default=2000, help="events per transaction")
    p.add_argument("--verbose", action="store_true", help="print the position after each page")
    p.set_defaults(run=project)

    p = commands.add_parser("rebuild", help="rebuild every view from an empty start")
    p.add_argument("--page", type=int, default=5000, help="events per transaction")
    p.add_argument("--verbose", action="store_true", help="print the position after each page")
    p.set_defaults(run=rebuild)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
