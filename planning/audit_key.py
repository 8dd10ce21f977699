"""The audit key: the secret that keys the audit chain (HMAC-SHA-256), held outside the store.

Where it comes from, in order:
1. `TANDEM_AUDIT_KEY`: 64 hex digits (32 bytes), for stores without a file of their own
   (a PostgreSQL database: the only source there) or to keep the key away from the store's disk;
2. the key file beside the store, `<store>.key`, created with mode 0600 when the first entry
   is written (so a new store gets it at once; an older store gets it when it is next changed,
   and the file records the first entry it keys, so older, unkeyed entries still verify and
   a rewrite of later ones as unkeyed is seen);
3. an in-memory store (`:memory:`, tests) uses a random key for the life of the process.

A missing key file while the chain holds keyed entries is never replaced by a new key: writing
is refused until the file is restored, since a new key would break every keyed entry.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from planning.errors import StoreError

KEY_ENV = "TANDEM_AUDIT_KEY"
_MEMORY = secrets.token_bytes(32)


@dataclass(frozen=True)
class Key:
    secret: bytes
    keyed_from: int | None  # the first entry this key signs; None when unknown (from the env)
    source: str


def key_path(store_path: str) -> Path:
    return Path(f"{store_path}.key")


def _from_env() -> Key | None:
    text = os.environ.get(KEY_ENV, "").strip()
    if not text:
        return None
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) < 32:
        raise StoreError(f"{KEY_ENV} must be at least 64 hex digits (32 bytes)")
    return Key(secret, None, KEY_ENV)


def _read(path: Path) -> Key:
    fields = dict(line.split(" ", 1) for line in path.read_text(encoding="ascii").splitlines()
                  if line and not line.startswith("#") and " " in line)
    try:
        return Key(bytes.fromhex(fields["key"].strip()), int(fields["keyed-from"]), str(path))
    except (KeyError, ValueError):
        raise StoreError(f"the audit key file {path} is damaged; restore it from a backup"
                         ) from None


def for_reading(store_path: str | None) -> Key | None:
    """The key to verify with, or None when the store has none (yet)."""
    env = _from_env()
    if env is not None:
        return env
    if store_path in (None, "", ":memory:"):
        return Key(_MEMORY, 1, "memory")
    if "://" in store_path:  # a server database has no file beside it: the key is in the env
        return None
    path = key_path(store_path)
    return _read(path) if path.exists() else None


def for_writing(store_path: str | None, next_seq: int, keyed_entries: bool) -> Key:
    """The key to sign entry `next_seq` with, creating the key file when the chain has no keyed
    entry yet; refuses when keyed entries exist and their key is gone."""
    key = for_reading(store_path)
    if key is not None:
        return key
    if "://" in str(store_path):
        raise StoreError(f"a database server's store needs its audit key in {KEY_ENV}: 64 hex"
                         " digits, the same for every process using the store (make one with"
                         " `openssl rand -hex 32`, and keep it apart from the database's"
                         " backups); nothing was written")
    path = key_path(str(store_path))
    if keyed_entries:
        raise StoreError(f"the audit key file {path} is missing, yet the audit trail holds"
                         " entries signed with it; restore the file from a backup (nothing was"
                         " written)")
    text = (f"# Tandem audit key of {store_path}: keep it secret, and back it up apart from"
            f" the store\nkey {secrets.token_bytes(32).hex()}\nkeyed-from {next_seq}\n")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return _read(path)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(text)
    return _read(path)
