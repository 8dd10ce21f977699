"""`tandem kpis --year Y [--format table|csv|json]`, exactly as the data contract says."""
from __future__ import annotations

import argparse
import csv
import io
import json
from dataclasses import replace
from decimal import Decimal

from planning.kpi_values import contract_rows, set_thresholds, thresholds
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
        print(f"{'kpi':<25}{'period':<9}{'actual':>18}{'target':>18}{'attainment':>12}")
        for kpi, period, actual, target, reached in rows:
            shown = [_plain(v) or "n/a" for v in (actual, target)]
            pct = "n/a" if reached is None else f"{reached * 100:.1f}%"
            print(f"{kpi:<25}{period:<9}{shown[0]:>18}{shown[1]:>18}{pct:>12}")
    return 0


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
