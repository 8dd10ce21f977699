"""Turn-taking between processes over one embedded DuckDB file.

DuckDB lets one process at a time open a file for writing, and refuses every other process
outright. So that `tandem` commands can run beside the app, a process holds the file only while
it is using it, and gives it up as soon as another process is waiting:

- `<store>.lock` is locked exclusively (`flock`) for as long as a process has the file open;
  it also holds a line saying who (`tandem import plan`, `the app`), for the message the other
  side shows while it waits.
- `<store>.wait` is locked shared by every process that is waiting for a turn. The holder probes
  it with a non-blocking exclusive lock: if that fails, someone is waiting, and the holder closes
  the file at its next idle instant.

`flock` locks are released by the kernel when a process dies, so a killed process never leaves
the store locked.
"""
from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable

POLL = 0.02  # seconds between two tries while waiting


class Busy(Exception):
    """The other process kept the store past the wait."""

    def __init__(self, holder: str, waited: float) -> None:
        super().__init__(holder)
        self.holder = holder
        self.waited = waited


class FileTurns:
    def __init__(self, path: str, label: str) -> None:
        self.label = label
        self._lock = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        self._wait = os.open(f"{path}.wait", os.O_RDWR | os.O_CREAT, 0o600)
        self._probe = os.open(f"{path}.wait", os.O_RDWR)
        # Second open file descriptions: probing through the holder's own descriptor would
        # convert its lock instead of testing it.
        self._lock_probe = os.open(f"{path}.lock", os.O_RDWR)
        self.held = False

    def close(self) -> None:
        for fd in (self._lock, self._wait, self._probe, self._lock_probe):
            os.close(fd)

    def holder(self) -> str:
        """Who holds the store now, or '' when nobody does (or it cannot be told)."""
        try:
            fcntl.flock(self._lock_probe, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.pread(self._lock, 200, 0).decode("utf-8", "replace").strip()
            return text or "another program"
        fcntl.flock(self._lock_probe, fcntl.LOCK_UN)
        return ""

    def acquire(self, timeout: float, on_wait: Callable[[str], None] | None = None) -> None:
        """Take the store, waiting up to `timeout` seconds; raises `Busy` past it."""
        if self.someone_waits():
            time.sleep(3 * POLL)  # someone was first: let them in before trying
        if self._try():
            return
        start = time.monotonic()
        fcntl.flock(self._wait, fcntl.LOCK_SH)  # tell the holder someone is waiting
        try:
            told = False
            while not self._try():
                waited = time.monotonic() - start
                if not told and on_wait is not None:
                    on_wait(self.holder() or "another program")
                    told = True
                if waited >= timeout:
                    raise Busy(self.holder() or "another program", waited)
                time.sleep(POLL)
        finally:
            fcntl.flock(self._wait, fcntl.LOCK_UN)

    def _try(self) -> bool:
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        os.ftruncate(self._lock, 0)
        os.pwrite(self._lock, f"{self.label} (process {os.getpid()})".encode(), 0)
        self.held = True
        return True

    def release(self) -> None:
        self.held = False
        fcntl.flock(self._lock, fcntl.LOCK_UN)

    def someone_waits(self) -> bool:
        try:
            fcntl.flock(self._probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(self._probe, fcntl.LOCK_UN)
        return False
