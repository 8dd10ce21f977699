"""Domain exceptions. Bad user data is returned as values (see `imports`); these are for rules."""
from __future__ import annotations


class TandemError(Exception):
    """Base of every error Tandem raises on purpose; its message is meant for a person."""


class Refused(TandemError):
    """A rule refused the action (a locked scenario, an unknown name, ...). Nothing was written."""


class StoreError(TandemError):
    """The store itself failed (file locked by another process, disk full, ...)."""


class StoreBusy(StoreError):
    """Another process kept the store past the wait; nothing was written."""

    def __init__(self, path: str, holder: str, waited: float) -> None:
        super().__init__(f"The store {path} is busy: {holder} is using it, and it was not free"
                         f" after {waited:.3g} s. Nothing was written; try again when it is done"
                         " (TANDEM_WAIT sets how many seconds to wait).")
        self.holder = holder
        self.waited = waited


class StoreUnreachable(StoreBusy):
    """A server store did not answer (not running, refused, wrong address); nothing was written.
    A kind of `StoreBusy`: the command exits 3 for both."""

    def __init__(self, path: str, reason: str) -> None:
        StoreError.__init__(self, f"The store {path} could not be reached: {reason}. Nothing was"
                                  " written; check that the database server runs and the URL"
                                  " (--db or TANDEM_DB) names it.")
        self.holder = "the database server"
        self.waited = 0.0
