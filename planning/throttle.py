"""Sign-in throttling: a growing delay after repeated failures, never a permanent lockout.

Failures are counted in three buckets, each keyed by a SHA-256 of what it counts (no name or
client address is stored in clear):
- the pair (name, client): 5 free tries, then a delay that doubles with each failure (1 s, 2 s,
  4 s, ...) up to 15 minutes. This is what stops one client guessing one person's password:
  after 200 wrong passwords it gets about four tries an hour.
- the client, over every name: 20 free tries, then the same doubling up to 15 minutes. This
  stops one client trying one password against many names.
- the name, over every client: 20 free tries, then doubling up to 1 minute only. It slows a
  guess spread over many clients, and its short cap bounds what such an attacker can do to the
  real person: a client from which that name has signed in before is not held by it, so an
  attacker cannot keep a person out of the places they usually sign in from, and anywhere else
  the person waits at most a minute per attempt of the attacker.

A growing delay rather than a fixed lockout: the first few mistakes cost nothing, a real person
who mistypes twice more waits seconds, and nobody is ever locked out for longer than the cap.
An attempt made while held is refused before the password is checked (no scrypt work) and is
not counted, so hammering does not extend the wait and a person retrying does not lock
themselves out further. A bucket forgets its failures a day after its last one; a correct
password clears the pair and the name buckets (not the client's: an attacker's own account
must not reset their count against others).

The counts live in the store, not in one process's memory: every app process (and the
command) shares them, and they survive a restart. Only a failure writes (one small upsert,
without bumping the store's revision, so read caches stay warm), plus the first success from a
new client; a sign-in with nothing to clear writes nothing.
"""
from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta, timezone

from planning.store import Store

# bucket kind -> (free failures, cap of the delay in seconds)
POLICY = {"pair": (5, 15 * 60), "client": (20, 15 * 60), "name": (20, 60)}
FORGET_AFTER = timedelta(days=1)


def now() -> datetime:
    """UTC, naive (as the store keeps timestamps); tests replace it to move the clock."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _bucket(kind: str, *parts: str) -> str:
    return hashlib.sha256("\0".join([kind, *parts]).encode("utf-8")).hexdigest()


def _buckets(name: str, client: str | None) -> dict[str, str]:
    """Bucket kind -> key. Without a client key every attempt on a name shares one pair."""
    found = {"pair": _bucket("pair", name, client or "-"), "name": _bucket("name", name)}
    if client:
        found["client"] = _bucket("client", client)
    return found


def delay(kind: str, failures: int) -> int:
    """Seconds a bucket with this many recent failures waits after its last one."""
    free, cap = POLICY[kind]
    return 0 if failures < free else min(cap, 2 ** (failures - free))


def _known(store: Store, name: str, client: str | None) -> bool:
    return bool(client) and bool(store.scalar(
        "SELECT 1 FROM sign_in_known WHERE bucket = ?", [_bucket("known", name, client or "")]))


def retry_after(store: Store, name: str, client: str | None) -> int:
    """Whole seconds before this name may be tried from this client; 0 when it may now."""
    buckets = _buckets(name, client)
    if "client" in buckets and _known(store, name, client):
        del buckets["name"]
    kinds = {key: kind for kind, key in buckets.items()}
    rows = store.query("SELECT bucket, failures, last_failure FROM sign_in_failures WHERE bucket"
                       f" IN ({', '.join('?' for _ in kinds)})", list(kinds))
    moment, wait = now(), 0.0
    for key, failures, last in rows:
        if moment - last >= FORGET_AFTER:
            continue
        until = last + timedelta(seconds=delay(kinds[key], failures))
        wait = max(wait, (until - moment).total_seconds())
    return math.ceil(wait)


def failed(store: Store, name: str, client: str | None) -> None:
    """Count one failure in each of the attempt's buckets; forget buckets a day quiet."""
    moment = now()
    stale = moment - FORGET_AFTER

    def work(cur) -> None:
        for key in _buckets(name, client).values():
            cur.execute("INSERT INTO sign_in_failures VALUES (?, 1, ?) ON CONFLICT (bucket) DO"
                        " UPDATE SET failures = CASE WHEN sign_in_failures.last_failure < ?"
                        " THEN 1 ELSE sign_in_failures.failures + 1 END,"
                        " last_failure = excluded.last_failure", [key, moment, stale])
        cur.execute("DELETE FROM sign_in_failures WHERE last_failure < ?", [stale])

    store.write(work, bump=False)


def succeeded(store: Store, name: str, client: str | None) -> None:
    """Clear the name's failures (pair and name buckets) and remember the client; writes only
    when there is something to change."""
    buckets = _buckets(name, client)
    clear = [buckets["pair"], buckets["name"]]
    pending = store.scalar("SELECT count(*) FROM sign_in_failures WHERE bucket IN (?, ?)", clear)
    new_client = bool(client) and not _known(store, name, client)
    if not pending and not new_client:
        return

    def work(cur) -> None:
        cur.execute("DELETE FROM sign_in_failures WHERE bucket IN (?, ?)", clear)
        if new_client:
            cur.execute("INSERT INTO sign_in_known VALUES (?, ?) ON CONFLICT (bucket) DO UPDATE"
                        " SET last_success = excluded.last_success",
                        [_bucket("known", name, client or ""), now()])

    store.write(work, bump=False)
