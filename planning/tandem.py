"""The one object pages and the command reach the domain through."""
from __future__ import annotations


class Tandem:
    pass
