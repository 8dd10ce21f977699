"""`tandem sla --year Y [--as-of TIMESTAMP] [--format table|csv|json]`: the hand-off between
marketing and sales, month by month and by rep, as the data contract says."""
from __future__ import annotations

import argparse
import csv
import io
import json
from datetime import datetime
from decimal import Decimal

from planning.sla import STATUS_WORDS, Sla, parse_as_of, sla
from planning.tandem import Tandem

MONTH_KEYS = ("month", "mqls", "mql_target", "mql_attainment", "in_time", "breaches", "pending",
              "in_time_rate", "p50_hours", "p95_hours", "accepted", "acceptance_rate")
REP_KEYS = ("rep", "mqls", "in_time", "breaches", "p50_hours")
# The CSV form: one flat table, months then reps, told apart by `section`.
CSV_COLUMNS = ("section", *MONTH_KEYS[:1], *REP_KEYS[:1], *MONTH_KEYS[1:])


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("sla", parents=[common],
                       help="the hand-off between marketing and sales, by month and by rep")
    p.add_argument("--year", type=_year, required=True)
    p.add_argument("--as-of", type=_as_of, metavar="TIMESTAMP",
                   help="judge the deadlines at this time: YYYY-MM-DD HH:MM[:SS], UTC unless it"
                        " has an offset (default: now)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")


def _year(text: str) -> int:
    try:
        year = int(text)
        if not 1000 <= year <= 9998:
            raise ValueError
        return year
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a fiscal year like 2026") from None


def _as_of(text: str) -> datetime:
    try:
        return parse_as_of(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def objects(found: Sla) -> dict[str, list[dict]]:
    """The contract's JSON: `{"months": [...], "reps": [...]}`."""
    return {
        "months": [{k: f"{r.month:%Y-%m}" if k == "month" else getattr(r, k) for k in MONTH_KEYS}
                   for r in found.months],
        "reps": [{k: getattr(r, k) for k in REP_KEYS} for r in found.reps]}


def _number(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else value


def _plain(value: object) -> str:
    """A number as a spreadsheet reads it, without trailing zeros (`10`, `0.333333`)."""
    if value is None:
        return ""
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    return text.rstrip("0").rstrip(".") if isinstance(value, Decimal) and "." in text else text


def run(tandem: Tandem, args: argparse.Namespace) -> int:
    found = sla(tandem.store, args.year, args.as_of)
    shown = objects(found)
    if args.format == "json":
        print(json.dumps({part: [{k: _number(v) for k, v in row.items()} for row in rows]
                          for part, rows in shown.items()}, indent=2))
    elif args.format == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for section, rows in (("month", shown["months"]), ("rep", shown["reps"])):
            writer.writerows([[section, *(_plain(row.get(c)) for c in CSV_COLUMNS[1:])]
                              for row in rows])
        print(out.getvalue(), end="")
    else:
        _table(found)
    return 0


def _share(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _hours(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _status(row) -> str:
    if row.stage == "ahead":
        return "not begun"
    word = STATUS_WORDS.get(row.status, "-")
    return f"{word}*" if row.stage == "in progress" else word


def _table(found: Sla) -> None:
    terms = found.window
    who = ("the store's default" if terms.set_by is None else
           f"set by {terms.set_by} on {terms.set_at:%Y-%m-%d}")
    print(f"fiscal year {found.fiscal_year} as of {found.as_of:%Y-%m-%d %H:%M} UTC;"
          f" first-touch window {terms.hours.normalize():f} h ({who})")
    print(f"{'month':<10}{'mqls':>7}{'target':>8}{'attained':>10}  {'status':<11}{'in time':>8}"
          f"{'breaches':>9}{'pending':>8}{'in-time':>9}{'p50 h':>8}{'p95 h':>8}{'accepted':>9}"
          f"{'accept.':>9}")
    rows = [(f"{r.month:%Y-%m}", r, r.mql_target, r.mql_attainment, _status(r))
            for r in found.months]
    year = found.to_date
    rows.append(("year", found.year, None, None, ""))
    for name, r, target, reached, status in rows:
        print(f"{name:<10}{r.mqls:>7,}{_plain(target) or '-':>8}{_share(reached):>10}  "
              f"{status:<11}{r.in_time:>8,}{r.breaches:>9,}{r.pending:>8,}"
              f"{_share(r.in_time_rate):>9}{_hours(r.p50_hours):>8}{_hours(r.p95_hours):>8}"
              f"{r.accepted:>9,}{_share(r.acceptance_rate):>9}")
    if any(r.stage == "in progress" for r in found.months):
        print("* the month in progress: its status is judged against its target paced to the"
              " share of the month gone")
    if year.target is not None:
        print(f"marketing to date ({year.months[0]:%Y-%m} to {year.months[-1]:%Y-%m}):"
              f" {year.mqls:,} MQLs of a {year.target} target paced to the as-of time,"
              f" {_share(year.attainment)}, {STATUS_WORDS.get(year.status, 'n/a')}")
    print()
    print(f"{'rep':<24}{'mqls':>7}{'in time':>8}{'breaches':>9}{'pending':>8}{'in-time':>9}"
          f"{'p50 h':>8}")
    for r in found.reps:
        print(f"{r.rep[:23]:<24}{r.mqls:>7,}{r.in_time:>8,}{r.breaches:>9,}{r.pending:>8,}"
              f"{_share(r.in_time_rate):>9}{_hours(r.p50_hours):>8}")
    if found.unrouted.mqls:
        print(f"{found.unrouted.mqls:,} MQL(s) routed to no rep, {found.unrouted.breaches:,}"
              " of them breached")
    if found.year.overdue:
        print(f"{found.year.overdue:,} untouched MQL(s) past their deadline; the oldest:"
              f" {found.overdue[0].lead_id} ({found.overdue[0].hours_overdue} h overdue)")
