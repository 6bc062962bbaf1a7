"""The `ledger` command: serve, token create/list/revoke, verify, project, rebuild, keygen,
checkpoint, export, import, verify-pack, evidence-pack, demo, cross-check.

Every command gets its parts from the composition root (`service.root.Root`)."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

from ledger.identity import ROLES, SCOPES, UNIT_SCOPED_ROLES
from projections.runner import COMMIT_EVERY, KEEP_STATES
from service.config import Config
from service.late_entries import FlagFollower
from service.root import Root
from service.storage_cli import add_storage_commands


def _root() -> Root:
    return Root(Config.from_env())


def serve(args: argparse.Namespace) -> int:
    """One process: waitress (a production-grade threaded WSGI server), the views kept current
    by a runner thread, and periodic checkpoints when a signing key is configured."""
    from waitress import serve as waitress_serve

    from service.app import create_app

    root = _root()
    app = create_app(root=root)
    runner = root.runner()
    runner.start()
    flags = FlagFollower(root.ledger, runner, root.views, drive=False)
    flags.start()
    periodic = root.periodic_checkpoints()
    if periodic is None:
        print("checkpoints: off (no LEDGER_SIGNING_KEY_FILE or interval 0)", flush=True)
    else:
        periodic.start()
        print(f"checkpoints: every {root.config.checkpoint_interval:g} s while the log moves",
              flush=True)
    print(f"ledger on {root.config.database_url} at http://{args.host}:{args.port}", flush=True)
    print(f"console: http://{args.host}:{args.port}/ (sign in with a token from "
          "`ledger token create`)", flush=True)
    try:
        waitress_serve(app, host=args.host, port=args.port, threads=args.threads,
                       ident="supervision-ledger")
    finally:
        runner.stop()
        flags.stop()
        if periodic is not None:
            periodic.stop()
        root.close()
    return 0


def _progress(position: int) -> None:
    print(f"views at position {position}", flush=True)


def project(args: argparse.Namespace) -> int:
    """Follow the log beside gunicorn (or catch up once with --once)."""
    with _root() as root:
        runner = root.runner(page=args.page)
        if args.once:
            done = runner.catch_up(progress=_progress if args.verbose else None)
            print(f"folded {done} events; views at position {runner.store.position()}")
            return 0
        views = root.config.read_database_url or "the same database"
        print(f"following the log on {root.config.database_url}; views in {views}", flush=True)
        flags = FlagFollower(root.ledger, runner, root.views, drive=False)
        flags.start()
        try:
            runner.follow(args.interval)
        except KeyboardInterrupt:
            pass
        finally:
            flags.stop()
    return 0


def rebuild(args: argparse.Namespace) -> int:
    """Fold the whole log into a fresh generation of the views while the live one keeps
    serving, then switch to it; a killed rebuild resumes where it stopped (--fresh: anew)."""
    with _root() as root:
        runner = root.runner(page=args.page)
        started = time.perf_counter()
        done = runner.rebuild(progress=_progress if args.verbose else None, fresh=args.fresh,
                              commit_every=args.commit_every, keep=args.keep_states)
        seconds = time.perf_counter() - started
    if done.resumed_from:
        print(f"resumed an unfinished rebuild at position {done.resumed_from}")
    rate = done.folded / seconds if seconds else 0.0
    print(f"generation {done.generation} of the views is live at position {done.position}")
    print(f"rebuilt views from {done.folded} events in {seconds:.1f} s ({rate:.0f} events/s)")
    return 0


def _expiry(text: str) -> datetime:
    """An ISO date and time with its UTC offset, for `--expires`."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not an ISO date and time: {text!r}") from error
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("give the UTC offset, e.g. 2027-01-31T18:00:00+08:00")
    return moment


def token_create(args: argparse.Namespace) -> int:
    if args.role in UNIT_SCOPED_ROLES and not args.unit:
        print(f"a {args.role} token needs --unit UNIT_ID", file=sys.stderr)
        return 2
    with _root() as root:
        token = root.ledger.create_token(args.actor, args.role, args.unit, args.expires,
                                         tuple(args.scope or ()))
    until = f", until {args.expires.isoformat()}" if args.expires else ""
    scopes = "".join(f", {scope}" for scope in args.scope or ())
    print(f"token for {args.actor} ({args.role}{scopes}{until}); it is shown once and stored only "
          "hashed:")
    print(token)
    return 0


def token_list(args: argparse.Namespace) -> int:
    """One line per token: id, actor, role, unit, created, expiry, state; never the secret."""
    with _root() as root:
        listing = root.ledger.list_tokens()
    print("id            actor                role        unit         created                    "
          "  expires                      state")
    for t in listing:
        expires = t.expires_at.isoformat(timespec="seconds") if t.expires_at else "-"
        role = "+".join((t.actor.role, *t.actor.scopes))
        print(f"{t.id:13} {t.actor.id:20} {role:11} {t.actor.unit_id or '-':12} "
              f"{t.created_at.isoformat(timespec='seconds'):28} {expires:28} {t.state}")
    return 0


def token_revoke(args: argparse.Namespace) -> int:
    """Records TokenRevoked: every worker refuses the token from its next request on."""
    with _root() as root:
        revoked = root.ledger.revoke_token(args.token, args.reason)
    print(f"revoked token {revoked.id} of {revoked.actor.id} ({revoked.actor.role})")
    return 0


def verify(args: argparse.Namespace) -> int:
    """Recompute the chain; check stored checkpoints and any held outside (--checkpoint)."""
    from ledger.tamper.signing import Checkpoint, load_public_key
    from ledger.tamper.verification import verify_chain

    with _root() as root:
        key = load_public_key(args.public_key) if args.public_key else root.verifying_key
        held = [Checkpoint.from_dict(json.loads(Path(f).read_text())) for f in args.checkpoint]
        if held and key is None:
            print("a checkpoint held outside needs --public-key (or LEDGER_PUBLIC_KEY_FILE)",
                  file=sys.stderr)
            return 2
        stored = root.checkpoints.listing(10**9, newest_first=False)
        report = verify_chain(root.ledger.recorder, held + stored, key,
                              open_recorder=root.recorder_opener, workers=args.workers)
    if report.ok:
        print(f"ok: {report.checked} events, head {report.head_position} {report.head_hash}; "
              f"{report.checkpoints_checked} checkpoints hold")
        return 0
    print(f"BROKEN at position {report.first_bad_position}: {report.problem} "
          f"({report.checked} events before it check out)")
    return 1


def keygen(args: argparse.Namespace) -> int:
    from ledger.tamper.signing import write_key_pair

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
    with _root() as root:
        while True:
            made = root.checkpoints.make() if not args.every else root.checkpoints.make_if_moved()
            if made is not None:
                text = json.dumps(made.to_dict(), indent=2)
                print(text, flush=True)
                if args.out:
                    Path(args.out).write_text(text + "\n")
            if not args.every:
                return 0
            time.sleep(args.every)


def export(args: argparse.Namespace) -> int:
    from ledger.tamper.export import export_log

    with _root() as root:
        if args.file in (None, "-"):
            count = export_log(root.ledger, sys.stdout, args.source)
        else:
            with open(args.file, "w") as out:
                count = export_log(root.ledger, out, args.source)
    print(f"exported {count} events", file=sys.stderr)
    return 0


def import_(args: argparse.Namespace) -> int:
    from ledger.tamper.export import import_log

    with _root() as root, open(args.file) as lines:
        count = import_log(root.ledger.recorder, lines)
    print(f"imported {count} events; positions and hashes as exported")
    return 0


def verify_pack(args: argparse.Namespace) -> int:
    """Check an evidence pack offline: no database, no server, only the public key."""
    from evidence.packs import verify_pack as check
    from ledger.tamper.signing import load_public_key

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
    from evidence.packs import build_pack, pack_bytes

    with _root() as root:
        root.runner().catch_up()
        as_of = datetime.fromisoformat(args.as_of) if args.as_of else None
        pack = build_pack(root.ledger.recorder, root.checkpoints, root.views,
                          args.subject_type, args.subject_id, as_of)
    body = pack_bytes(pack)
    if args.out in (None, "-"):
        sys.stdout.write(body.decode())
    else:
        Path(args.out).write_bytes(body)
        print(f"wrote {len(pack['events'])} events to {args.out}", file=sys.stderr)
    return 0


def demo(args: argparse.Namespace) -> int:
    """Write a synthetic county (2020) through the application."""
    from service.demo import write_county

    with _root() as root:
        print(f"writing a county of {args.households} households over {args.months} months "
              f"(seed {args.seed}) to {root.config.database_url}", flush=True)
        summary = write_county(root.ledger, args.households, args.months, args.seed, args.batch,
                               progress=lambda line: print(line, flush=True))
    for type_name, count in sorted(summary.types.items()):
        print(f"  {type_name:28} {count:>10,}")
    print(f"wrote {summary.events:,} events ({summary.commands:,} commands) in "
          f"{summary.seconds:.1f} s: {summary.rate:,.0f} events/s")
    return 0


def cross_check(args: argparse.Namespace) -> int:
    """Record the information system's export (CSV) as comparisons, in batches; print
    progress, then the rows, the mismatches the ledger found and each row refused."""
    from ledger.identity import Actor
    from service.cross_check import BadFile, Summary
    from service.cross_check import cross_check as run

    last = 0.0

    def report(summary: Summary) -> None:
        nonlocal last
        if time.perf_counter() - last >= 2.0:
            last = time.perf_counter()
            print(f"rows {summary.rows:,}: {summary.recorded:,} recorded, "
                  f"{summary.mismatches:,} mismatches, {len(summary.refused):,} refused "
                  f"({summary.rate:,.0f} rows/s)", flush=True)

    with _root() as root:
        try:
            summary = run(root.ledger, Path(args.file), args.source,
                          Actor(args.actor, "inspector"), args.batch, report)
        except (BadFile, OSError, UnicodeDecodeError) as error:
            print(f"cannot read {args.file}: {error}", file=sys.stderr)
            return 2
    print(f"rows: {summary.rows:,}; recorded: {summary.recorded:,}; mismatches: "
          f"{summary.mismatches:,}; refused: {len(summary.refused):,} "
          f"({summary.seconds:.1f} s, {summary.rate:,.0f} rows/s)")
    for refusal in summary.refused:
        print(f"  line {refusal.line} ({refusal.household_id or 'no household_id'}): "
              f"{refusal.reason}")
    return 1 if summary.refused else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ledger", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("serve", help="serve the API on LEDGER_DATABASE_URL (one process)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--threads", type=int, default=8, help="request threads (default 8)")
    p.set_defaults(run=serve)

    token = commands.add_parser("token", help="API tokens").add_subparsers(
        dest="token_command", required=True
    )
    p = token.add_parser("create", help="create a bearer token (printed as the last line)")
    p.add_argument("--actor", required=True)
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--unit")
    p.add_argument("--expires", type=_expiry, metavar="ISO_DATETIME_WITH_OFFSET",
                   help="refused from this moment on (default: never expires)")
    p.add_argument("--scope", action="append", choices=SCOPES,
                   help="a scope beside the role: `replicate` reads the global log with "
                        "personal fields sealed only (repeatable)")
    p.set_defaults(run=token_create)
    p = token.add_parser("list", help="every token: id, actor, role, unit, created, expiry, "
                                      "state (never the secret)")
    p.set_defaults(run=token_list)
    p = token.add_parser("revoke", help="refuse a token from now on, in every worker")
    p.add_argument("token", metavar="TOKEN_OR_ID",
                   help="the token itself, or its id from `ledger token list`")
    p.add_argument("--reason", default="revoked by an operator", help="recorded with it")
    p.set_defaults(run=token_revoke)

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
    p.add_argument("--interval", type=float,
                   help="longest wait between looks at the log (default 0.2 s on SQLite; 5 s "
                        "on PostgreSQL, where every append wakes the follower at once)")
    p.add_argument("--page", type=int, default=2000, help="events per transaction")
    p.add_argument("--verbose", action="store_true", help="print the position after each page")
    p.set_defaults(run=project)

    p = commands.add_parser("demo", help="write a synthetic county (2020) into an empty ledger")
    p.add_argument("--households", type=int, default=2000)
    p.add_argument("--months", type=int, default=12, help="months from 2020-01 (1-12)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=500, help="commands per recorded batch")
    p.set_defaults(run=demo)

    p = commands.add_parser("cross-check", help="compare the information system's export (CSV) "
                                               "with the ledger, recording every mismatch")
    p.add_argument("file", help="CSV: household_id, as_of_date and any of "
                                "size, category, per_capita_income, poverty_status, head_name")
    p.add_argument("--source", required=True, help="the system it came from, e.g. "
                                                   "national_system")
    p.add_argument("--actor", default="data-office",
                   help="who the comparisons are recorded as (default data-office)")
    p.add_argument("--batch", type=int, default=500, help="rows per recorded batch")
    p.set_defaults(run=cross_check)

    p = commands.add_parser("rebuild", help="rebuild every view beside the live ones, then switch")
    p.add_argument("--page", type=int, default=5000, help="events read and folded at a time")
    p.add_argument("--commit-every", type=int, default=COMMIT_EVERY, metavar="EVENTS",
                   help=f"most events between commits (default {COMMIT_EVERY:,}; a killed "
                        "rebuild resumes from its last commit)")
    p.add_argument("--keep-states", type=int, default=KEEP_STATES, metavar="N",
                   help=f"states held in memory (default {KEEP_STATES:,}, about 80 MB); a log "
                        "touching more households rebuilds faster with more")
    p.add_argument("--verbose", action="store_true", help="print the position after each commit")
    p.add_argument("--fresh", action="store_true",
                   help="drop an unfinished rebuild instead of resuming it")
    p.set_defaults(run=rebuild)

    add_storage_commands(commands)
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
