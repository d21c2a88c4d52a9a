"""``--state FILE``: the world kept in SQLite (WAL) and reloaded at start.

A generic snapshot codec walks the typed dataclasses (fields, enums, nested dicts/lists/tuples/sets),
so a field a module adds to ``Instance`` persists with no code here. Only dataclasses and enums defined
in the ``mockryze`` package are rebuilt (no pickle, nothing else is ever instantiated); a field missing
from an older snapshot takes its default. Objects shared inside one instance (a group member and the
contact book entry) stay shared: each unit is encoded with a memo of the objects already written.

Layout: ``meta`` (schema version, id generator position, clock), ``accounts`` (one row per account),
``instances`` (one row per instance: everything but its message store), ``messages`` (one row per
stored message, so a send writes one new row, not the whole store), ``deliveries`` (the webhook journal)
and ``sending`` (the webhook attempts under way: a row is committed before each POST and removed with
its outcome, so a restart knows which deliveries may have reached their receiver unrecorded). What a
request touched is written when it is answered, in one transaction; timer firings (receipts, QR expiry)
are written as they fire.
Messages are tracked by their attribute writes (the hook is installed only while a store is open), so
the in-memory world pays nothing.
"""

from __future__ import annotations

import array
import contextlib
import dataclasses
import enum
import gc
import importlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockryze.core.world import Account, World
    from mockryze.events.delivery import Delivery
    from mockryze.instance.model import Instance
    from mockryze.messages.model import Message

SCHEMA_VERSION = 1
APPLICATION = "mockryze-state"
SPLIT_FIELDS = ("messages", "chat_messages")  # kept in the messages table / rebuilt from it
TRIM_EVERY = 500  # finished deliveries between two trims of the journal on disk
# Caches not worth a byte on disk (they are rebuilt; the decoder gives them their default).
TRANSIENT = {"mockryze.events.delivery:Delivery": ("body",)}
# Migration steps: MIGRATIONS[n] turns a version-n file into version n + 1 (inside the opening transaction).
MIGRATIONS: dict[int, Any] = {}

DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (token TEXT PRIMARY KEY, pos INTEGER NOT NULL, blob TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS instances (id TEXT PRIMARY KEY, account TEXT NOT NULL, pos INTEGER NOT NULL,
                                      blob TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (instance TEXT NOT NULL, id TEXT NOT NULL, pos INTEGER NOT NULL,
                                     blob TEXT NOT NULL, PRIMARY KEY (instance, id));
CREATE INDEX IF NOT EXISTS messages_order ON messages (instance, pos);
CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, pos INTEGER NOT NULL, account TEXT NOT NULL,
                                       done INTEGER NOT NULL, blob TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS deliveries_finished ON deliveries (account, done, pos);
CREATE TABLE IF NOT EXISTS sending (pos INTEGER PRIMARY KEY, attempt INTEGER NOT NULL, at TEXT NOT NULL);
"""


class StateFileError(Exception):
    """The state file cannot be used; it was left untouched."""


# --- the codec ----------------------------------------------------------------------------------
def _class_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def allowed_class(name: str) -> type:
    """The class a snapshot names, only if it is a mockryze dataclass or enum."""
    module_name, _, qualname = name.partition(":")
    if not module_name.startswith("mockryze."):
        raise StateFileError(f"the snapshot names {name!r}, which is not a mockryze class")
    target: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    if not isinstance(target, type) or not (dataclasses.is_dataclass(target) or issubclass(target, enum.Enum)):
        raise StateFileError(f"the snapshot names {name!r}, which is not a dataclass or enum")
    return target


_PLAIN = frozenset({str, int, float, bool, type(None)})
_SHAPES: dict[type, tuple[str, str, tuple[str, ...]]] = {}  # class -> (kind, name, field names)


def _shape(cls: type) -> tuple[str, str, tuple[str, ...]]:
    from mockryze.core.world import Account

    shape = _SHAPES.get(cls)
    if shape is None:
        if issubclass(cls, enum.Enum):
            shape = ("enum", _class_name(cls), ())
        elif cls is Account:
            shape = ("account", "", ())
        elif dataclasses.is_dataclass(cls):
            transient = TRANSIENT.get(_class_name(cls), ())
            shape = ("dataclass", _class_name(cls),
                     tuple(f.name for f in dataclasses.fields(cls) if f.name not in transient))
        elif issubclass(cls, (str, int, float)):
            shape = ("plain", "", ())
        else:
            raise TypeError(f"cannot persist a {cls.__name__}")
        _SHAPES[cls] = shape
    return shape


class Encoder:
    """One unit (an instance, a message, an account) to JSON-ready values; shared objects by reference."""

    def __init__(self, skip: tuple[str, ...] = ()) -> None:
        self._memo: dict[int, int] = {}
        self._keep: list[Any] = []  # keeps memoised objects alive so their ids stay unique
        self._skip = skip

    def encode(self, value: Any, top: bool = False) -> Any:
        kind = type(value)
        if kind in _PLAIN:
            return value
        if kind is list:
            return [self.encode(item) for item in value]
        if kind is dict:
            if all(type(key) is str for key in value):
                return {"d": {key: self.encode(item) for key, item in value.items()}}
            return {"m": [[self.encode(key), self.encode(item)] for key, item in value.items()]}
        if kind is tuple:
            return {"t": [self.encode(item) for item in value]}
        if kind is set or kind is frozenset:
            return {"fs" if kind is frozenset else "s": [self.encode(item) for item in value]}
        if kind is bytes:
            return {"b": value.hex()}
        shape, name, names = _shape(kind)
        if shape == "dataclass":
            return self._dataclass(value, name, names, top)
        if shape == "enum":
            return {"e": name, "v": self.encode(value.value)}
        if shape == "account":
            return {"A": value.token}
        return value

    def _dataclass(self, value: Any, name: str, names: tuple[str, ...], top: bool) -> Any:
        seen = self._memo.get(id(value))
        if seen is not None:
            return {"r": seen}
        number = self._memo[id(value)] = len(self._memo)
        self._keep.append(value)
        skip = self._skip if top else ()
        encode = self.encode
        fields = {field: encode(getattr(value, field)) for field in names if field not in skip}
        return {"c": name, "i": number, "f": fields}


_DECODABLE: dict[str, tuple[type, tuple[tuple[str, Any, Any], ...]]] = {}  # name -> class, (field, default, factory)


def _decodable(name: str) -> tuple[type, tuple[tuple[str, Any, Any], ...]]:
    """The dataclass a snapshot names (checked once per name) and its fields with their defaults."""
    found = _DECODABLE.get(name)
    if found is None:
        cls = allowed_class(name)
        if not dataclasses.is_dataclass(cls):
            raise StateFileError(f"the snapshot names {name!r}, which is not a dataclass")
        found = _DECODABLE[name] = (cls, tuple((f.name, f.default, f.default_factory) for f in dataclasses.fields(cls)))
    return found


class Decoder:
    def __init__(self, accounts: dict[str, Account]) -> None:
        self._memo: dict[int, Any] = {}
        self._accounts = accounts
        self._tags: dict[str, Callable[[Any], Any]] = {
            "d": lambda v: {key: self.decode(item) for key, item in v["d"].items()},
            "m": lambda v: {self.decode(k): self.decode(item) for k, item in v["m"]},
            "t": lambda v: tuple(self.decode(item) for item in v["t"]),
            "s": lambda v: {self.decode(item) for item in v["s"]},
            "fs": lambda v: frozenset(self.decode(item) for item in v["fs"]),
            "b": lambda v: bytes.fromhex(v["b"]),
            "e": lambda v: allowed_class(v["e"])(self.decode(v["v"])),
            "A": lambda v: self._accounts[v["A"]],
            "r": lambda v: self._memo[v["r"]],
            "c": self._dataclass,
        }

    def decode(self, value: Any) -> Any:
        kind = type(value)  # what json.loads gives: dict, list or a plain value
        if kind is dict:
            handler = self._tags.get(next(iter(value), ""))
            if handler is None:
                raise StateFileError(f"unknown snapshot tag {next(iter(value), None)!r}")
            return handler(value)
        if kind is list:
            return [self.decode(item) for item in value]
        return value

    def _dataclass(self, value: dict[str, Any]) -> Any:
        cls, fields = _decodable(value["c"])
        obj: Any = object.__new__(cls)
        self._memo[value["i"]] = obj
        stored = value["f"]
        for name, default, factory in fields:
            if name in stored:
                item = stored[name]
                if type(item) is dict or type(item) is list:
                    item = self.decode(item)
            elif default is not dataclasses.MISSING:
                item = default
            elif factory is not dataclasses.MISSING:
                item = factory()
            else:
                raise StateFileError(f"the snapshot of {value['c']} lacks its field {name!r}")
            object.__setattr__(obj, name, item)
        return obj


def dumps(value: Any, skip: tuple[str, ...] = ()) -> str:
    return json.dumps(Encoder(skip).encode(value, top=True), separators=(",", ":"), ensure_ascii=False)


# --- message tracking ---------------------------------------------------------------------------
_OPEN: list[Store] = []


def _tracked_setattr(self: Any, name: str, value: Any) -> None:
    object.__setattr__(self, name, value)
    for store in _OPEN:
        store.changed_messages[id(self)] = self


def _track(on: bool) -> None:
    from mockryze.messages.model import Message

    if on:
        Message.__setattr__ = _tracked_setattr  # type: ignore[method-assign]
    elif "__setattr__" in Message.__dict__:
        del Message.__setattr__


# --- the store ----------------------------------------------------------------------------------
class Store:
    def __init__(self, world: World, path: str) -> None:
        self.world = world
        self.path = path
        self.changed_messages: dict[int, Message] = {}
        self._dirty: dict[int, Instance] = {}
        self._all_dirty = False
        self._accounts_dirty = False
        self._wipe = False
        self._written: set[int] = set()  # changed messages written by this flush
        self._rows: dict[str, tuple[str, str, int, str]] = {}  # instance id -> its row as last written
        self._saved: dict[int, dict[str, Message]] = {}  # instance object id -> messages on disk, in order
        self._pos = 0
        self._journaled: dict[str, Delivery] = {}  # webhook deliveries journaled since the last flush
        self._finishes = 0
        self.lock = threading.Lock()  # the connection: request flushes and the delivery loop's writes
        self.conn = _open(path)

    # --- marking --------------------------------------------------------------------------------
    def touched(self, instances: Iterable[Instance]) -> None:
        for inst in instances:
            self._dirty[id(inst)] = inst

    def everything(self) -> None:
        self._all_dirty = self._accounts_dirty = True

    @property
    def pending(self) -> bool:
        return bool(self._all_dirty or self._dirty or self._accounts_dirty or self._journaled)

    # --- webhook deliveries ---------------------------------------------------------------------
    def journaled(self, deliveries: Iterable[Delivery]) -> None:
        """New journal entries: written with the request (or timer firing) whose events they carry."""
        for delivery in deliveries:
            self._journaled[delivery.id] = delivery

    def sending(self, delivery: Delivery, attempt: int, at: str, current: Callable[[], bool]) -> None:
        """An attempt is about to POST (the delivery loop's thread): committed first, so a restart that
        finds it without an outcome dead-letters the delivery instead of sending it a second time.
        ``current``: whether the delivery still belongs to the world (checked under the file's lock,
        so a reset's wipe, which follows the reset, removes whatever this writes)."""
        with self.lock, contextlib.suppress(sqlite3.ProgrammingError), self.conn:  # closed meanwhile: moot
            if not current():
                return
            if delivery.id in self._journaled:  # its request's write has not happened yet: the entry goes first
                self.conn.execute("INSERT OR IGNORE INTO deliveries VALUES (?, ?, ?, ?, ?)", _delivery_row(delivery))
            self.conn.execute("INSERT OR REPLACE INTO sending VALUES (?, ?, ?)", (_position(delivery), attempt, at))

    def not_received(self, delivery: Delivery) -> None:
        """The attempt under way failed (no 2xx): the delivery may be sent again, after a restart too."""
        with self.lock, contextlib.suppress(sqlite3.ProgrammingError), self.conn:
            self.conn.execute("DELETE FROM sending WHERE pos = ?", (_position(delivery),))

    def in_flight(self) -> dict[int, tuple[int, str]]:
        """The attempts the last run began and never saw end (by delivery position: attempt number, when)."""
        with self.lock:
            rows = self.conn.execute("SELECT pos, attempt, at FROM sending").fetchall()
        return {pos: (attempt, at) for pos, attempt, at in rows}

    def drop_in_flight(self) -> None:
        """Forget the last run's attempts under way (once the restart has dead-lettered theirs)."""
        with self.lock, self.conn:
            self.conn.execute("DELETE FROM sending")

    def finished(self, delivery: Delivery) -> None:
        """A delivery was delivered or dead-lettered: its journal entry is rewritten at once (the
        delivery loop's thread), so a restart never sends it again."""
        with self.lock, contextlib.suppress(sqlite3.ProgrammingError), self.conn:  # closed meanwhile: moot
            self.conn.execute("INSERT OR REPLACE INTO deliveries VALUES (?, ?, ?, ?, ?)", _delivery_row(delivery))
            self.conn.execute("DELETE FROM sending WHERE pos = ?", (_position(delivery),))
            self._finishes += 1
            if self._finishes % TRIM_EVERY == 0:
                self._trim(self.world.settings.delivery_journal_limit)

    def _trim(self, keep: int) -> None:
        """Each account keeps its newest ``keep`` finished deliveries on disk too (pending ones stay)."""
        accounts = [row[0] for row in self.conn.execute("SELECT DISTINCT account FROM deliveries")]
        for account in accounts:
            self.conn.execute(
                "DELETE FROM deliveries WHERE account = ? AND done = 1 AND pos NOT IN (SELECT pos FROM deliveries"
                " WHERE account = ? AND done = 1 ORDER BY pos DESC LIMIT ?)", (account, account, keep))

    def deliveries(self, keep: int) -> list[Delivery]:
        """The journal as saved (each account's newest ``keep`` finished ones, every pending one), oldest first."""
        with self.lock, self.conn:
            self._trim(keep)
            rows = self.conn.execute("SELECT blob FROM deliveries ORDER BY pos").fetchall()
        return [Decoder(self.world.accounts).decode(json.loads(blob)) for (blob,) in rows]

    def wiped(self) -> None:
        """The world was reset: the file is rewritten from scratch at the next flush."""
        self.everything()
        self._wipe = True
        self._journaled = {}  # the old world's deliveries go with it

    # --- writing --------------------------------------------------------------------------------
    def flush(self) -> None:
        """Write what changed since the last flush, in one transaction (the caller holds the world lock)."""
        world = self.world
        live = {id(i): i for a in world.accounts.values() for i in a.instances.values()}
        dirty = dict(live) if self._all_dirty else self._dirty
        with self.lock, self.conn:
            if self._wipe:
                self._rows = {}
                self.conn.execute("DELETE FROM instances")
                self.conn.execute("DELETE FROM messages")
                self.conn.execute("DELETE FROM deliveries")
                self.conn.execute("DELETE FROM sending")
                self._saved = {}
            if self._accounts_dirty:
                self._write_accounts()
            if self._all_dirty:
                self._drop_gone(live)
            for key, inst in dirty.items():
                if key in live:
                    self._write_instance(inst)
                else:
                    self._delete_instance(inst)
            self._write_deliveries()
            self._write_meta()
        # A changed message whose instance was not written waits for the next flush, which then writes
        # every instance; after such a full flush what is left belongs to no instance.
        leftover = {} if self._all_dirty else {k: m for k, m in self.changed_messages.items()
                                                if k not in self._written}
        self._dirty = {}
        self._all_dirty = bool(leftover)
        self._accounts_dirty = self._wipe = False
        self._written = set()
        self.changed_messages = leftover

    def _write_deliveries(self) -> None:
        rows = [_delivery_row(d) for d in self._journaled.values()]
        self._journaled = {}
        # A delivery the loop already finished was written by ``finished``: never overwrite it with older news.
        self.conn.executemany("INSERT OR IGNORE INTO deliveries VALUES (?, ?, ?, ?, ?)", rows)

    def _write_meta(self) -> None:
        version, internal, gauss = self.world.ids._rng.getstate()
        values = {"ids": json.dumps([version, gauss]), "ids_state": array.array("Q", internal).tobytes(),
                  "clock": json.dumps(self.world.clock.state()), "pos": str(self._pos)}
        self.conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())

    def _write_accounts(self) -> None:
        self.conn.execute("DELETE FROM accounts")
        rows = [(token, n, json.dumps({"limit": a.instance_limit, "overrides": a.quirk_overrides,
                                       "default": a is self.world.default_account}))
                for n, (token, a) in enumerate(self.world.accounts.items())]
        self.conn.executemany("INSERT INTO accounts VALUES (?, ?, ?)", rows)

    def _drop_gone(self, live: dict[int, Instance]) -> None:
        """Delete the rows of instances no longer in the world (by key: no scan of the messages table)."""
        kept = {i.id for i in live.values()}
        gone = [(iid,) for iid in self._on_disk() - kept]
        self.conn.executemany("DELETE FROM instances WHERE id = ?", gone)
        self.conn.executemany("DELETE FROM messages WHERE instance = ?", gone)
        self._saved = {k: v for k, v in self._saved.items() if k in live}
        self._rows = {k: v for k, v in self._rows.items() if k in kept}

    def _on_disk(self) -> set[str]:
        return {row[0] for row in self.conn.execute("SELECT id FROM instances")}

    def _delete_instance(self, inst: Instance) -> None:
        self.conn.execute("DELETE FROM instances WHERE id = ?", (inst.id,))
        self._rows.pop(inst.id, None)
        self.conn.execute("DELETE FROM messages WHERE instance = ?", (inst.id,))
        self._saved.pop(id(inst), None)

    def _next_pos(self) -> int:
        self._pos += 1
        return self._pos

    def _write_instance(self, inst: Instance) -> None:
        row = (inst.id, inst.account.token, self._instance_pos(inst), dumps(inst, SPLIT_FIELDS))
        if self._rows.get(inst.id) != row:  # unchanged (a send changes only the message store): not rewritten
            self.conn.execute("INSERT OR REPLACE INTO instances VALUES (?, ?, ?, ?)", row)
            self._rows[inst.id] = row
        self._write_messages(inst)

    def _instance_pos(self, inst: Instance) -> int:
        return list(inst.account.instances).index(inst.name)

    def _write_messages(self, inst: Instance) -> None:
        saved = self._saved.setdefault(id(inst), {})
        current = inst.messages
        rows: list[tuple[str, str, int, str]] = []
        updates: list[tuple[str, str, str]] = []
        for key, message in self.changed_messages.items():
            if current.get(message.id) is not message:
                continue
            self._written.add(key)
            if saved.get(message.id) is message:
                updates.append((dumps(message), inst.id, message.id))
            else:
                saved.pop(message.id, None)
                saved[message.id] = message
                rows.append((inst.id, message.id, self._next_pos(), dumps(message)))
        while saved and len(saved) > len(current):  # evicted (oldest first) or deleted
            oldest: str = next(iter(saved))
            if current.get(oldest) is saved[oldest]:
                gone = [k for k, m in saved.items() if current.get(k) is not m]
                for mid in gone:
                    del saved[mid]
                self.conn.executemany("DELETE FROM messages WHERE instance = ? AND id = ?",
                                      [(inst.id, mid) for mid in gone])
                break
            del saved[oldest]
            self.conn.execute("DELETE FROM messages WHERE instance = ? AND id = ?", (inst.id, oldest))
        self.conn.executemany("INSERT OR REPLACE INTO messages VALUES (?, ?, ?, ?)", rows)
        self.conn.executemany("UPDATE messages SET blob = ? WHERE instance = ? AND id = ?", updates)

    # --- reading --------------------------------------------------------------------------------
    def load(self) -> bool:
        """Replace the world's accounts and instances with the file's; False when the file is new."""
        meta = dict(self.conn.execute("SELECT key, value FROM meta").fetchall())
        if "ids" not in meta:
            return False
        from mockryze.core.world import Account

        world = self.world
        world.accounts.clear()
        world._tokens.clear()
        for token, blob in self.conn.execute("SELECT token, blob FROM accounts ORDER BY pos"):
            info = json.loads(blob)
            overrides = dict(info["overrides"])
            account = Account(token, info["limit"], quirks=world.quirks.changed(overrides), quirk_overrides=overrides)
            world.accounts[token] = account
            if info["default"]:
                world.default_account = account
        by_id: dict[str, Instance] = {}
        for iid, blob in self.conn.execute("SELECT id, blob FROM instances ORDER BY account, pos"):
            inst: Instance = Decoder(world.accounts).decode(json.loads(blob))
            inst.messages, inst.chat_messages = {}, {}
            inst.account.instances[inst.name] = inst
            world.register_token(inst)
            by_id[iid] = inst
        for iid, mid, pos, blob in self.conn.execute("SELECT instance, id, pos, blob FROM messages ORDER BY pos"):
            owner = by_id.get(iid)
            message: Message = Decoder(world.accounts).decode(json.loads(blob))
            if owner is not None:
                owner.messages[mid] = message
                owner.chat_messages.setdefault(message.chat.jid, {})[mid] = message
            self._pos = max(self._pos, pos)
        for inst in by_id.values():
            self._saved[id(inst)] = dict(inst.messages)
        version, gauss = json.loads(meta["ids"])
        world.ids._rng.setstate((version, tuple(array.array("Q", meta["ids_state"])), gauss))
        world.clock.restore(json.loads(meta["clock"]))
        self._pos = max(self._pos, int(meta.get("pos", "0")))
        from mockryze.instance.model import resume
        from mockryze.messages.pipeline import resume_receipts

        for inst in by_id.values():
            resume(world, inst)  # a connect attempt in flight: its QR rotation and expiry, from now
            resume_receipts(world, inst)  # receipts in flight: at their original due times
        return True

    def close(self) -> None:
        if self in _OPEN:
            _OPEN.remove(self)
            if not _OPEN:
                _track(False)
        if self.world.store is self:
            self.world.store = None
        with self.lock:
            self.conn.close()


def _position(delivery: Delivery) -> int:
    return int(delivery.id.rpartition("_")[2])


def _delivery_row(delivery: Delivery) -> tuple[str, int, str, int, str]:
    return (delivery.id, _position(delivery), delivery.account_token, int(delivery.status != "pending"),
            dumps(delivery))


def _open(path: str) -> sqlite3.Connection:
    """The file, checked read-only first: a corrupt or newer file is refused and never written."""
    if os.path.exists(path) and os.path.getsize(path) > 0:
        _check(path)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: an answered request survives kill -9
    conn.isolation_level = "DEFERRED"  # implicit transactions, committed by ``with conn``
    with conn:
        conn.executescript("BEGIN;" + DDL)
        found = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        version = int(found.get("schema", SCHEMA_VERSION))
        while version < SCHEMA_VERSION:
            MIGRATIONS[version](conn)
            version += 1
        conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                         [("application", APPLICATION), ("schema", str(SCHEMA_VERSION))])
    return conn


def _check(path: str) -> None:
    try:
        probe = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "meta" not in tables:
                raise StateFileError(f"{path} is not a mockryze state file (no meta table); left untouched")
            meta = dict(probe.execute("SELECT key, value FROM meta").fetchall())
        finally:
            probe.close()
    except sqlite3.DatabaseError as exc:
        raise StateFileError(f"{path} is not a readable mockryze state file ({exc}); left untouched") from None
    if meta.get("application") != APPLICATION:
        raise StateFileError(f"{path} is not a mockryze state file; left untouched")
    version = int(meta.get("schema", "0"))
    if version > SCHEMA_VERSION:
        raise StateFileError(f"{path} was written by a newer mockryze (state schema {version}; this one reads up to "
                             f"{SCHEMA_VERSION}); upgrade mockryze or use another file; left untouched")


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def attach(world: World, path: str) -> Store:
    """Open (or create) the state file, load its world into ``world`` and keep it up to date."""
    store = Store(world, path)
    try:
        with _no_gc():  # a load only allocates (no garbage): cyclic collections over the growing heap are waste
            loaded = store.load()
    except (StateFileError, KeyError, ValueError, TypeError, AttributeError, ImportError) as exc:
        store.conn.close()
        raise StateFileError(f"{path} cannot be loaded ({exc}); left untouched") from None
    _OPEN.append(store)
    _track(True)
    world.store = store
    world.on_reset(store.wiped)
    if not loaded:
        store.everything()
        store.flush()
    return store
