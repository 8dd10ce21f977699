"""Domain exceptions. Bad user data is returned as values (see `imports`); these are for rules."""
from __future__ import annotations


class TandemError(Exception):
    """Base of every error Tandem raises on purpose; its message is meant for a person."""


class Refused(TandemError):
    """A rule refused the action (a locked scenario, an unknown name, ...). Nothing was written."""


class StoreError(TandemError):
    """The store itself failed (file locked by another process, disk full, ...)."""
