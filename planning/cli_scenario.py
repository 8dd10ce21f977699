"""`tandem scenario ...`: manage scenarios and move money between lines, exactly."""
from __future__ import annotations

import argparse
import json
from decimal import Decimal, InvalidOperation

from planning.budget import BudgetFilter
from planning.cli_people import acting
from planning.compare import METRICS, compare, delta
from planning.errors import Refused
from planning.money import format_money
from planning.review import Review
from planning.scenarios import OperationResult, Scenarios
from planning.tandem import Tandem


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    scenario = sub.add_parser("scenario", parents=[common], help="manage and change scenarios")
    ops = scenario.add_subparsers(dest="operation", required=True)

    def op(name: str, help_text: str) -> argparse.ArgumentParser:
        p = ops.add_parser(name, parents=[common], help=help_text)
        p.add_argument("--year", type=int, help="fiscal year (default: the newest)")
        return p

    op("list", "scenarios of a fiscal year with pool, allocated and split")
    p = op("clone", "copy a scenario's lines under a new name")
    p.add_argument("source")
    p.add_argument("new")
    p = op("rename", "rename a scenario")
    p.add_argument("old")
    p.add_argument("new")
    for name, text in (("delete", "delete a draft scenario"),
                       ("adopt", "make a scenario the fiscal year's plan"),
                       ("lock", "lock a scenario whose every line is signed off")):
        op(name, text).add_argument("name")
    p = op("reopen", "reopen a locked scenario (an executive, with a reason)")
    p.add_argument("name")
    p.add_argument("--reason", required=True)
    for name, text in (("lock-lines", "lock the lines of a filter"),
                       ("unlock-lines", "unlock the lines of a filter")):
        p = op(name, text)
        p.add_argument("name")
        p.add_argument("--where", action="append", metavar="COL=VALUE")
    p = op("scale", "scale the lines of a filter by a percentage")
    p.add_argument("name")
    p.add_argument("--percent", required=True, type=_decimal)
    p.add_argument("--where", action="append", metavar="COL=VALUE")
    p = op("shift", "move an amount from one filter's lines to another's")
    p.add_argument("name")
    p.add_argument("--amount", required=True, type=_decimal)
    p.add_argument("--from", dest="source", action="append", required=True, metavar="COL=VALUE")
    p.add_argument("--to", dest="target", action="append", required=True, metavar="COL=VALUE")
    p.add_argument("--even", action="store_true", help="evenly instead of pro rata")
    p = op("split", "spread an amount over the lines of a filter")
    p.add_argument("name")
    p.add_argument("--amount", required=True, type=_decimal)
    p.add_argument("--where", action="append", metavar="COL=VALUE")
    p.add_argument("--by", default="amount",
                   help="amount (pro rata, default), even, or a column to weight by")
    p.add_argument("--weight", action="append", metavar="VALUE=W",
                   help="weight of one value of the --by column (equal when none)")
    p = op("compare", "compare 2-4 scenarios side by side")
    p.add_argument("names", nargs="+")
    p.add_argument("--format", choices=("table", "json"), default="table")


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise argparse.ArgumentTypeError(f"{text!r} is not a number")
    return value


def year_of(tandem: Tandem, args: argparse.Namespace) -> int:
    """--year, else the newest fiscal year of the store."""
    if args.year:
        return args.year
    years = tandem.fiscal_years()
    if not years:
        raise Refused("the store has no fiscal year yet; import a plan first")
    return years[0]


def run(tandem: Tandem, args: argparse.Namespace) -> int:
    year = year_of(tandem, args)
    actor = acting(tandem, args.as_user)
    ops = Scenarios(tandem.store)
    match args.operation:
        case "list":
            _list(tandem, year)
        case "clone":
            _done(ops.clone(year, args.source, args.new, actor), tandem.currency)
        case "rename":
            ops.rename(year, args.old, args.new, actor)
            print(f"renamed {args.old} to {args.new}")
        case "delete":
            ops.delete(year, args.name, actor)
            print(f"deleted {args.name}")
        case "adopt":
            ops.adopt(year, args.name, actor)
            print(f"FY{year} now follows scenario {args.name}")
        case "lock":
            ops.lock(year, args.name, actor)
            print(f"locked {args.name}")
        case "reopen":
            if not args.as_user:
                raise Refused("say who reopens: --as NAME (an executive)")
            Review(tandem.store).reopen(actor, year, args.name, args.reason or "")
            print(f"reopened {args.name}")
        case "lock-lines" | "unlock-lines":
            changed = ops.lock_lines(year, args.name, BudgetFilter.parse(args.where), actor,
                                     locked=args.operation == "lock-lines")
            print(f"{args.operation.split('-')[0]}ed {changed} line(s) of {args.name}")
        case "scale":
            _done(ops.scale(year, args.name, args.percent, BudgetFilter.parse(args.where), actor),
                  tandem.currency)
        case "shift":
            _done(ops.shift(year, args.name, args.amount, BudgetFilter.parse(args.source),
                            BudgetFilter.parse(args.target), actor,
                            mode="even" if args.even else "pro_rata"), tandem.currency)
        case "split":
            weights = dict(_weight(w) for w in args.weight or [])
            _done(ops.split(year, args.name, args.amount, BudgetFilter.parse(args.where), actor,
                            by=args.by, weights=weights or None), tandem.currency)
        case "compare":
            _compare(tandem, year, args.names, args.format)
    return 0


def _weight(text: str) -> tuple[str, Decimal]:
    value, sep, weight = text.rpartition("=")
    if not sep:
        raise Refused(f"{text!r} is not VALUE=WEIGHT")
    try:
        number = Decimal(weight)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise Refused(f"{weight!r} is not a number")
    return value.strip(), number


def _done(result: OperationResult, currency: str) -> None:
    kept = f", {result.locked_kept} locked line(s) kept" if result.locked_kept else ""
    print(f"{result.action} {result.scenario}: {result.lines_changed} line(s) changed{kept};"
          f" total {format_money(result.total_before, currency)} ->"
          f" {format_money(result.total_after, currency)}"
          f" ({format_money(result.change, currency)})")


def _list(tandem: Tandem, year: int) -> None:
    pool = tandem.pool(year)
    print(f"FY{year} pool {format_money(pool, tandem.currency)}")
    for s in tandem.scenarios(year):
        split = tandem.budget(year, s.name).summary().by_owner
        flags = ", ".join(f for f, on in (("adopted", s.adopted), ("locked", s.locked)) if on)
        unallocated = format_money(pool - s.allocated if pool is not None else None,
                                   tandem.currency)
        print(f"{s.name}{f' ({flags})' if flags else ''}: {s.lines} lines, allocated"
              f" {format_money(s.allocated, tandem.currency)}, unallocated {unallocated}; "
              + ", ".join(f"{o} {format_money(a, tandem.currency)}" for o, a in split.items()))


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _compare(tandem: Tandem, year: int, names: list[str], form: str) -> None:
    result = compare(tandem.store, year, names)
    totals = result.totals()
    base = result.base
    if form == "json":
        rows = []
        for metric in METRICS:
            for name in result.names:
                d = delta(totals[metric][base], totals[metric][name])
                rows.append({"metric": metric, "scenario": name,
                             "value": _number(totals[metric][name]),
                             "delta": _number(d.absolute), "delta_percent": _number(d.percent)})
        print(json.dumps(rows, indent=2))
        return
    width = max(18, *(len(n) + 2 for n in result.names))
    print("projected".ljust(14) + "".join(n.rjust(width) for n in result.names)
          + "".join(f"Δ {n}".rjust(width + 8) for n in result.names[1:]))
    for metric in METRICS:
        values = totals[metric]
        line = metric.ljust(14) + "".join(_fmt(values[n]).rjust(width) for n in result.names)
        for name in result.names[1:]:
            d = delta(values[base], values[name])
            pct = "n/a" if d.percent is None else f"{d.percent:+}%"
            line += f"{_fmt(d.absolute)} ({pct})".rjust(width + 8)
        print(line)
    for name, count in result.different_lines.items():
        print(f"{count} line(s) differ between {base} and {name}")


def _fmt(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value:,.2f}"
