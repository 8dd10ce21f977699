"""Read results kept per store revision, shared by every caller in the process.

A page rerun that changes only a widget asks the same questions again; so do twenty people
opening the same page. Each answer is computed once per revision of the data: the first caller
computes it, callers asking at the same time wait for that answer rather than computing it again,
and a committed write (in this process or another) starts a new revision, so no stale figure is
ever returned. Results are shared, not copied: treat them as read-only.
"""
from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
MAX_ENTRIES = 2048


class _Pending:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.failed = False


class ReadCache:
    def __init__(self, revision: Callable[[], int | None], max_entries: int = MAX_ENTRIES) -> None:
        self._revision = revision
        self._max = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, _Pending] = OrderedDict()
        self._at: int | None = None
        self.hits = self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        revision = self._revision()
        if revision is None:  # the store says its reads cannot be kept now (a write is open)
            return compute()
        try:
            hash(key)
        except TypeError:  # an argument that cannot be a key: answer without keeping it
            return compute()
        mine = False
        with self._lock:
            if revision != self._at:
                if self._at is not None and revision < self._at:
                    return compute()  # a reader that started before the newest write
                self._entries.clear()
                self._at = revision
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            else:
                entry = self._entries[key] = _Pending()
                self.misses += 1
                mine = True
                if len(self._entries) > self._max:
                    self._entries.popitem(last=False)
        if not mine:
            entry.done.wait()
            if not entry.failed:
                return entry.value
            return compute()
        try:
            entry.value = compute()
        except BaseException:
            entry.failed = True
            with self._lock:
                if self._entries.get(key) is entry:
                    del self._entries[key]
            raise
        finally:
            entry.done.set()
        return entry.value


def cached(method: Callable[..., T]) -> Callable[..., T]:
    """Keep a read method's result per store revision.

    The object gives `store` and `cache_key()` (what, besides the arguments, the answer depends
    on); arguments must be hashable (frozen dataclasses, tuples), else the call is not kept.
    """

    @functools.wraps(method)
    def read(self: Any, *args: Any, **kwargs: Any) -> T:
        key = (method.__qualname__, self.cache_key(), args, tuple(sorted(kwargs.items())))
        return self.store.reads.get(key, lambda: method(self, *args, **kwargs))

    return read
