"""A new store starts empty: its first visitor either explores the demo firm or starts their own
firm as its first executive. Both are offered only while the store has no people at all, so
nobody can add the demo's published accounts, or make themselves executive, afterwards."""
from __future__ import annotations

from planning.demo import load_demo
from planning.errors import Refused
from planning.people import People, Person
from planning.tandem import Tandem


def is_new(tandem: Tandem) -> bool:
    """True while the store has nobody who could sign in."""
    return not tandem.store.scalar("SELECT count(*) FROM people")


def explore_demo(tandem: Tandem) -> None:
    with tandem.store.write_cursor():  # one first visitor at a time, in any process
        if not is_new(tandem):
            raise Refused("this store already has people; sign in instead")
        load_demo(tandem)


def start_firm(tandem: Tandem, *, firm: str, currency: str, fiscal_year_start_month: int,
               name: str, password: str) -> Person:
    """Name the firm and make its first executive, who then adds everyone else."""
    with tandem.store.write_cursor():
        if not is_new(tandem):
            raise Refused("this store already has people; sign in instead")
        if not firm.strip():
            raise Refused("give the firm a name")
        tandem.configure(firm_name=firm, currency=currency,
                         fiscal_year_start_month=fiscal_year_start_month)
        return People(tandem.store).add(name, "executive", password, actor="first run")
