"""The `ledger` command: serve, token create, verify, project, rebuild, keygen, checkpoint,
export, import, verify-pack, evidence-pack, demo."""
from __future__ import annotations

import argparse
import os
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
    periodic = _periodic_checkpoints(app)
    print(f"ledger on {database_url()} at http://{args.host}:{args.port}", flush=True)
    try:
        app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    finally:
        runner.stop()
        if periodic is not None:
            periodic.stop()
    return 0


def _periodic_checkpoints(app):  # type: ignore[no-untyped-def]
    """Sign the head every LEDGER_CHECKPOINT_INTERVAL seconds when a signing key is set."""
    from api.ledger_routes import checkpoints_for
    from ledger.checkpoints import PeriodicCheckpoints, interval_from_env

    checkpoints = checkpoints_for(app)
    interval = interval_from_env()
    if not checkpoints.enabled or interval <= 0:
        print("checkpoints: off (no LEDGER_SIGNING_KEY_FILE or interval 0)", flush=True)
        return None
    periodic = PeriodicCheckpoints(checkpoints, interval)
    periodic.start()
    print(f"checkpoints: every {interval:g} s while the log moves", flush=True)
    return periodic


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
    """Recompute the chain; check stored checkpoints and any held outside (--checkpoint)."""
    import json
    from pathlib import Path

    from ledger.checkpoints import (
        Checkpoint, Checkpoints, load_public_key, signer_from_env, verifying_key_from_env,
    )
    from ledger.verification import verify_chain

    ledger = _ledger()
    signer = signer_from_env()
    key = load_public_key(args.public_key) if args.public_key else verifying_key_from_env(signer)
    held = [Checkpoint.from_dict(json.loads(Path(f).read_text())) for f in args.checkpoint]
    if held and key is None:
        print("a checkpoint held outside needs --public-key (or LEDGER_PUBLIC_KEY_FILE)",
              file=sys.stderr)
        return 2
    stored = Checkpoints(ledger.recorder, signer).listing(10**9, newest_first=False)
    report = verify_chain(ledger.recorder, held + stored, key,
                          database_url=database_url(), workers=args.workers)
    if report.ok:
        print(f"ok: {report.checked} events, head {report.head_position} {report.head_hash}; "
              f"{report.checkpoints_checked} checkpoints hold")
        return 0
    print(f"BROKEN at position {report.first_bad_position}: {report.problem} "
          f"({report.checked} events before it check out)")
    return 1


def keygen(args: argparse.Namespace) -> int:
    from ledger.checkpoints import write_key_pair

    public = args.public or f"{args.private}.pub"
    try:
        key_id = write_key_pair(args.private, public)
    except FileExistsError:
        print(f"{args.private} exists; refusing to overwrite a signing key", file=sys.stderr)
        return 2
    print(f"key {key_id}: private {args.private} (keep it secret), public {public}")
    print(f"export LEDGER_SIGNING_KEY_FILE={args.private}")
    return 0


def checkpoint(args: argparse.Namespace) -> int:
    """Sign the head now (or every --every seconds); print the checkpoint as JSON."""
    import json
    import time

    from ledger.checkpoints import Checkpoints, signer_from_env

    ledger = _ledger()  # kept referenced: a collected Ledger closes its database
    checkpoints = Checkpoints(ledger.recorder, signer_from_env())
    while True:
        made = checkpoints.make() if not args.every else checkpoints.make_if_moved()
        if made is not None:
            text = json.dumps(made.to_dict(), indent=2)
            print(text, flush=True)
            if args.out:
                with open(args.out, "w") as out:
                    out.write(text + "\n")
        if not args.every:
            return 0
        time.sleep(args.every)


def export(args: argparse.Namespace) -> int:
    from ledger.export import export_log

    if args.file in (None, "-"):
        count = export_log(_ledger(), sys.stdout, args.source)
    else:
        with open(args.file, "w") as out:
            count = export_log(_ledger(), out, args.source)
    print(f"exported {count} events", file=sys.stderr)
    return 0


def import_(args: argparse.Namespace) -> int:
    from ledger.export import import_log

    ledger = _ledger()
    with open(args.file) as lines:
        count = import_log(ledger.recorder, lines)
    print(f"imported {count} events; positions and hashes as exported")
    return 0


def verify_pack(args: argparse.Namespace) -> int:
    """Check an evidence pack offline: no database, no server, only the public key."""
    from pathlib import Path

    from ledger.checkpoints import load_public_key
    from ledger.evidence import verify_pack as check

    path = args.public_key or os.environ.get("LEDGER_PUBLIC_KEY_FILE")
    if not path:
        print("verify-pack needs --public-key (or LEDGER_PUBLIC_KEY_FILE)", file=sys.stderr)
        return 2
    report = check(Path(args.file).read_bytes(), load_public_key(path))
    if report.ok:
        print(f"ok: {report.events} events; hashes, proofs and signatures verify")
        return 0
    print("INVALID: " + "; ".join(report.problems))
    return 1


def evidence_pack(args: argparse.Namespace) -> int:
    """Build a subject's evidence pack, folding the views up to the head first."""
    from datetime import datetime

    from ledger.checkpoints import Checkpoints, signer_from_env
    from ledger.evidence import build_pack, pack_bytes
    from projections.runner import ProjectionRunner
    from projections.store import store_for
    from projections.views import Views

    ledger = _ledger()
    store = store_for(ledger)
    ProjectionRunner(store).catch_up()
    as_of = datetime.fromisoformat(args.as_of) if args.as_of else None
    pack = build_pack(ledger.recorder, Checkpoints(ledger.recorder, signer_from_env()),
                      Views(store), args.subject_type, args.subject_id, as_of)
    body = pack_bytes(pack)
    if args.out in (None, "-"):
        sys.stdout.write(body.decode())
    else:
        with open(args.out, "wb") as out:
            out.write(body)
        print(f"wrote {len(pack['events'])} events to {args.out}", file=sys.stderr)
    return 0


def demo(args: argparse.Namespace) -> int:
    """Write a synthetic county (2020) through the application."""
    from ledger.demo import write_county

    ledger = _ledger()
    print(f"writing a county of {args.households} households over {args.months} months "
          f"(seed {args.seed}) to {database_url()}", flush=True)
    summary = write_county(ledger, args.households, args.months, args.seed, args.batch,
                           progress=lambda line: print(line, flush=True))
    for type_name, count in sorted(summary.types.items()):
        print(f"  {type_name:28} {count:>10,}")
    print(f"wrote {summary.events:,} events ({summary.commands:,} commands) in "
          f"{summary.seconds:.1f} s: {summary.rate:,.0f} events/s")
    return 0


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
    p.add_argument("--checkpoint", action="append", default=[], metavar="FILE",
                   help="a checkpoint JSON held outside (repeatable)")
    p.add_argument("--public-key", help="PEM public key the checkpoints were signed with")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="processes checking ranges of the chain (default: one per CPU)")
    p.set_defaults(run=verify)

    p = commands.add_parser("keygen", help="write an Ed25519 key pair for checkpoints")
    p.add_argument("private", help="private key file to create (PEM)")
    p.add_argument("--public", help="public key file (default: PRIVATE.pub)")
    p.set_defaults(run=keygen)

    p = commands.add_parser("checkpoint", help="sign the head of the log now")
    p.add_argument("--out", help="also write the checkpoint JSON to this file")
    p.add_argument("--every", type=float, help="keep signing every N seconds while it moves")
    p.set_defaults(run=checkpoint)

    p = commands.add_parser("export", help="write the log as CloudEvents JSON lines")
    p.add_argument("file", nargs="?", help="output file (default: standard output)")
    p.add_argument("--source", default="urn:supervision-ledger", help="CloudEvents source")
    p.set_defaults(run=export)

    p = commands.add_parser("verify-pack", help="check an evidence pack offline")
    p.add_argument("file")
    p.add_argument("--public-key", help="PEM public key (default: LEDGER_PUBLIC_KEY_FILE)")
    p.set_defaults(run=verify_pack)

    p = commands.add_parser("evidence-pack", help="write a subject's signed evidence pack")
    p.add_argument("--subject-type", required=True,
                   choices=("household", "finding", "unit", "person"))
    p.add_argument("--subject-id", required=True)
    p.add_argument("--as-of", help="ISO moment with a time zone (default: now)")
    p.add_argument("--out", help="output file (default: standard output)")
    p.set_defaults(run=evidence_pack)

    p = commands.add_parser("import", help="load an export into an empty ledger")
    p.add_argument("file")
    p.set_defaults(run=import_)

    p = commands.add_parser("project", help="keep the views current (beside gunicorn)")
    p.add_argument("--once", action="store_true", help="catch up to the head, then stop")
    p.add_argument("--interval", type=float, default=0.2, help="seconds between polls")
    p.add_argument("--page", type=int, default=2000, help="events per transaction")
    p.add_argument("--verbose", action="store_true", help="print the position after each page")
    p.set_defaults(run=project)

    p = commands.add_parser("demo", help="write a synthetic county (2020) into an empty ledger")
    p.add_argument("--households", type=int, default=2000)
    p.add_argument("--months", type=int, default=12, help="months from 2020-01 (1-12)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=500, help="commands per recorded batch")
    p.set_defaults(run=demo)

    p = commands.add_parser("rebuild", help="rebuild every view from an empty start")
    p.add_argument("--page", type=int, default=5000, help="events per transaction")
    p.add_argument("--verbose", action="store_true", help="print the position after each page")
    p.set_defaults(run=rebuild)
    return parser


def main(argv: list[str] | None = None) -> int:
    from ledger.errors import LedgerError

    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except LedgerError as error:
        print(f"{error.code}: {error.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
