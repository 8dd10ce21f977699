"""`tandem kpis --year Y [--format table|csv|json]`, exactly as the data contract says."""
from __future__ import annotations

import argparse
import csv
import io
import json
from dataclasses import replace
from decimal import Decimal

from planning.kpi_values import (
    contract_rows,
    period_months,
    scorecard,
    set_thresholds,
    thresholds,
)
from planning.tandem import Tandem

COLUMNS = ("kpi", "period", "actual", "target", "attainment")


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    kpis = sub.add_parser("kpis", parents=[common], help="the joint KPIs of a fiscal year")
    kpis.add_argument("--year", type=int, required=True)
    kpis.add_argument("--format", choices=("table", "csv", "json"), default="table")


def _plain(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def run(tandem: Tandem, args: argparse.Namespace) -> int:
    rows = [(r.kpi, r.period, r.actual, r.target, r.attainment)
            for r in contract_rows(tandem.store, args.year)]
    if args.format == "json":
        print(json.dumps([{c: (float(v) if isinstance(v, Decimal) else v)
                           for c, v in zip(COLUMNS, row, strict=True)} for row in rows],
                         indent=2))
    elif args.format == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows([[r[0], r[1], *(_plain(v) for v in r[2:])] for r in rows])
        print(out.getvalue(), end="")
    else:
        _table(tandem, args.year, rows)
    return 0


def _percent(reached: Decimal | None) -> str:
    return "n/a" if reached is None else f"{reached * 100:.1f}%"


def _table(tandem: Tandem, year: int, rows: list[tuple]) -> None:
    """The contract's rows, and beside each whole-year row the year to date as the KPI page
    grades it (the months with data, against the target phased to them), both labelled: a
    year's revenue is 76% of the annual target and 95% of the target to date."""
    ytd = f"{year}-YTD"
    months = period_months(tandem.store, year, ytd)
    to_date = {r.kpi: r for r in scorecard(tandem.store, year, ytd)} if months else {}
    print(f"{'kpi':<25}{'period':<9}{'actual':>18}{'target':>18}{'attainment':>12}"
          f"{'ytd_target':>18}{'ytd_attainment':>16}")
    for kpi, period, actual, target, reached in rows:
        shown = [_plain(v) or "n/a" for v in (actual, target)]
        line = f"{kpi:<25}{period:<9}{shown[0]:>18}{shown[1]:>18}{_percent(reached):>12}"
        if period == str(year) and kpi in to_date:
            mark = to_date[kpi]
            line += f"{_plain(mark.target) or 'n/a':>18}{_percent(mark.attainment):>16}"
        print(line)
    if months:
        print(f"ytd: {months[0]:%Y-%m} to {months[-1]:%Y-%m}, the months with data; ytd_target is"
              " the annual target phased to them, as the KPI page grades the year to date")


def add_thresholds_parser(sub: argparse._SubParsersAction,
                          common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("thresholds", parents=[common],
                       help="show or set the KPI status thresholds")
    for name, text in (("green", "attainment from which a KPI is green, e.g. 1.00"),
                       ("amber", "attainment from which it is amber, e.g. 0.90"),
                       ("variance-green", "budget variance within which it is green, e.g. 0.05"),
                       ("variance-amber", "budget variance within which it is amber, e.g. 0.10")):
        p.add_argument(f"--{name}", type=Decimal, help=text)


def thresholds_run(tandem: Tandem, args: argparse.Namespace, who: object) -> int:
    current = thresholds(tandem.store)
    given = {f: getattr(args, f) for f in ("green", "amber", "variance_green", "variance_amber")}
    if any(v is not None for v in given.values()):
        new = replace(current, **{k: v for k, v in given.items() if v is not None})
        set_thresholds(tandem.store, who, new)
        current = new
    print(f"status: {current.describe()}")
    return 0
