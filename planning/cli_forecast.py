"""`tandem forecast --year Y [--as-of YYYY-MM] [--format table|csv|json]`: where the year lands."""
from __future__ import annotations

import argparse
import csv
import io
import json
from datetime import date
from decimal import Decimal

from planning.forecast import Estimate, Landing, estimate
from planning.kpi_values import fiscal_months
from planning.money import format_money
from planning.tandem import Tandem

MONEY_KEYS = ("planned", "actual_to_date", "remaining", "latest_estimate", "variance")


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("forecast", parents=[common],
                       help="the latest estimate: where the fiscal year will land")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--as-of", type=_month, metavar="YYYY-MM",
                   help="the last closed month (default: the latest month with actuals)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")


def _month(text: str) -> date:
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return date(int(year), int(month), 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month written YYYY-MM") from None


def objects(found: Estimate) -> list[dict]:
    """The contract's JSON: one object per owner, then `all` with the pool and headroom."""
    as_of = None if found.as_of is None else f"{found.as_of:%Y-%m}"

    def one(landing: Landing) -> dict:
        return {"owner": landing.owner, **{k: getattr(landing, k) for k in MONEY_KEYS},
                "as_of": as_of}

    return [*(one(landing) for landing in found.owners.values()),
            {**one(found.total), "pool": found.pool, "headroom": found.headroom}]


def run(tandem: Tandem, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    months = fiscal_months(tandem.store, args.year)
    if args.as_of is not None and args.as_of not in months:
        parser.error(f"--as-of {args.as_of:%Y-%m} is not a month of fiscal year {args.year}"
                     f" ({months[0]:%Y-%m} to {months[-1]:%Y-%m})")
    found = estimate(tandem.store, args.year, args.as_of)
    rows = objects(found)
    if args.format == "json":
        print(json.dumps([{k: float(v) if isinstance(v, Decimal) else v for k, v in r.items()}
                          for r in rows], indent=2))
    elif args.format == "csv":
        out = io.StringIO()
        columns = ["owner", "as_of", *MONEY_KEYS, "pool", "headroom"]
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([["" if r.get(c) is None else r[c] for c in columns] for r in rows])
        print(out.getvalue(), end="")
    else:
        _table(found, rows, tandem.currency)
    return 0


def _table(found: Estimate, rows: list[dict], currency: str) -> None:
    closed = ("no month closed yet: the estimate is the plan and its forecast"
              if found.as_of is None else
              f"closed to {found.as_of:%Y-%m}; the months after it are forecast")
    print(f"fiscal year {found.fiscal_year}, scenario {found.scenario}: {closed}")
    titles = ("owner", "planned", "actual to date", "remaining", "latest estimate", "variance")
    print(f"{titles[0]:<10}" + "".join(f"{t:>20}" for t in titles[1:]))
    for r in rows:
        print(f"{r['owner']:<10}" + "".join(f"{format_money(r[k], currency):>20}"
                                           for k in MONEY_KEYS))
    if found.pool is None:
        print("pool: not set, so no headroom")
    else:
        print(f"pool {format_money(found.pool, currency)}; headroom after the latest estimate"
              f" {format_money(found.headroom, currency)}")
