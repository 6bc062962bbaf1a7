"""The ledger's own tables and statements, written once and spelled by each database's dialect.

The library owns the events table; beside it the ledger keeps the hash chain, idempotency
claims, the Merkle cache and signed checkpoints. Both recorders create the same tables and run
the same statements; a `Dialect` says only how one database names types, parameters, tables and
the events table's position column.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

POSITION, LEVEL, BYTES, TEXT, SERIAL = "position", "level", "bytes", "text", "serial"
MAX_POSITION = 2**63 - 1


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]  # (column, one of the abstract types above)
    key: tuple[str, ...]


TABLES = (
    Table("ledger_chain", (("position", POSITION), ("hash", BYTES)), key=("position",)),
    Table(
        "ledger_idempotency",
        (("actor", TEXT), ("key", TEXT), ("request_sha256", TEXT),
         ("first_position", POSITION), ("last_position", POSITION)),
        key=("actor", "key"),
    ),
    Table(
        "ledger_merkle_nodes",
        (("level", LEVEL), ("idx", POSITION), ("hash", BYTES), ("last_position", POSITION)),
        key=("level", "idx"),
    ),
    Table(
        "ledger_checkpoints",
        (("id", SERIAL), ("tree_size", POSITION), ("position", POSITION), ("hash", TEXT),
         ("root", TEXT), ("signed_at", TEXT), ("key_id", TEXT), ("signature", TEXT)),
        key=("id",),
    ),
)
MERKLE_INDEX = "CREATE INDEX IF NOT EXISTS ledger_merkle_nodes_last ON {0} (level, last_position)"


@dataclass(frozen=True)
class Dialect:
    """How one database spells what both recorders say."""

    types: Mapping[str, str]  # abstract column type -> column definition
    placeholder: str
    schema_prefix: str  # prepended to the ledger's table names
    events: str  # the library's events table, as statements name it
    position: str  # the events table's column holding an event's position
    oid_bytes: str  # an event's originator id as the bytes of its hex; "{0}" is the column


class Statements:
    """Every statement the ledger runs on its own tables, in one dialect."""

    def __init__(self, d: Dialect) -> None:
        p, events, pos = d.placeholder, d.events, f"e.{d.position}"
        chain, claims, merkle, checkpoints = (
            d.schema_prefix + table.name for table in TABLES
        )
        self.chain, self.events = chain, events
        # The log's tables: they only ever gain rows (`ledger.recorders.append_only`).
        self.append_only = (events, chain, claims, merkle, checkpoints)
        # Each of them with its key's columns (the library's events: originator and version).
        self.append_only_keys = {events: ("originator_id", "originator_version"), **{
            d.schema_prefix + table.name: table.key for table in TABLES}}
        self.merkle = merkle
        self.create = [_create(d, table) for table in TABLES]
        self.create.append(MERKLE_INDEX.format(merkle))
        self.head_hash = f"SELECT hash FROM {chain} ORDER BY position DESC LIMIT 1"
        self.head = f"SELECT position, hash FROM {chain} ORDER BY position DESC LIMIT 1"
        self.insert_link = f"INSERT INTO {chain} (position, hash) VALUES ({p}, {p})"
        self.insert_claim = (
            f"INSERT INTO {claims} (actor, key, request_sha256, first_position, last_position) "
            f"VALUES ({p}, {p}, {p}, {p}, {p})"
        )
        self.find_claim = (
            f"SELECT actor, key, request_sha256, first_position, last_position FROM {claims} "
            f"WHERE actor = {p} AND key = {p}"
        )
        self.select_chained = (
            f"SELECT {pos} AS position, e.originator_id, e.originator_version, e.topic, "
            f"e.state, c.hash FROM {events} e JOIN {chain} c ON c.position = {pos} "
            f"WHERE {pos} > {p} AND {pos} <= {p} ORDER BY {pos} LIMIT {p}"
        )
        self.position_of = (
            f"SELECT {d.position} FROM {events} WHERE originator_id = {p} "
            f"AND originator_version = {p}"
        )
        self.chain_rows = (
            f"SELECT c.position, {d.oid_bytes.format('e.originator_id')}, e.originator_version, "
            f"e.topic, e.state, c.hash FROM {chain} c LEFT JOIN {events} e "
            f"ON {pos} = c.position WHERE c.position > {p} AND c.position <= {p} "
            f"ORDER BY c.position LIMIT {p}"
        )
        self.first_unchained = (
            f"SELECT {pos} FROM {events} e LEFT JOIN {chain} c ON c.position = {pos} "
            f"WHERE c.position IS NULL AND {pos} > {p} AND {pos} <= {p} ORDER BY {pos} LIMIT 1"
        )
        self.log_bounds = (
            f"SELECT (SELECT COALESCE(MAX(position), 0) FROM {chain}), "
            f"(SELECT COALESCE(MAX({d.position}), 0) FROM {events})"
        )
        self.chain_hashes = (
            f"SELECT position, hash FROM {chain} WHERE position > {p} AND position <= {p} "
            f"ORDER BY position LIMIT {p}"
        )
        self.merkle_nodes = (
            f"SELECT idx, hash, last_position FROM {merkle} WHERE level = {p} AND idx >= {p} "
            f"ORDER BY idx LIMIT {p}"
        )
        self.merkle_width = f"SELECT COALESCE(MAX(idx) + 1, 0) FROM {merkle} WHERE level = {p}"
        self.merkle_node_through = (
            f"SELECT idx, hash, last_position FROM {merkle} WHERE level = {p} "
            f"AND last_position <= {p} ORDER BY last_position DESC LIMIT 1"
        )
        self.insert_merkle_node = (
            f"INSERT INTO {merkle} (level, idx, hash, last_position) "
            f"VALUES ({p}, {p}, {p}, {p}) ON CONFLICT DO NOTHING"
        )
        self.insert_checkpoint = (
            f"INSERT INTO {checkpoints} (tree_size, position, hash, root, signed_at, key_id, "
            f"signature) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p})"
        )
        columns = "tree_size, position, hash, root, signed_at, key_id, signature"
        self.checkpoints_newest_first = (
            f"SELECT {columns} FROM {checkpoints} ORDER BY id DESC LIMIT {p}"
        )
        self.checkpoints_oldest_first = (
            f"SELECT {columns} FROM {checkpoints} ORDER BY id ASC LIMIT {p}"
        )
        self.any_event = f"SELECT 1 FROM {events} LIMIT 1"
        self.import_event = (
            f"INSERT INTO {events} ({d.position}, originator_id, originator_version, topic, "
            f"state) VALUES ({p}, {p}, {p}, {p}, {p})"
        )


def _create(d: Dialect, table: Table) -> str:
    columns = ", ".join(f"{name} {d.types[kind]}" for name, kind in table.columns)
    key = ", ".join(table.key)
    return (
        f"CREATE TABLE IF NOT EXISTS {d.schema_prefix}{table.name} ({columns}, "
        f"PRIMARY KEY ({key}))"
    )
