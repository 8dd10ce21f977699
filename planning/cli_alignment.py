"""`tandem alignment --period YYYY-Qn [--format table|json]`: where the two departments stand."""
from __future__ import annotations

import argparse
import json
from decimal import Decimal

from planning.alignment import MIN_RESPONDENTS, Survey, parse_period, results
from planning.errors import Refused
from planning.evidence import evidence
from planning.tandem import Tandem

DEPARTMENTS = ("sales", "marketing", "all")  # the contract's objects, in its order


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("alignment", parents=[common],
                       help="the relationship survey's scores and stages, and the evidence")
    p.add_argument("--period", type=_period, required=True, metavar="YYYY-Qn",
                   help="a fiscal quarter, e.g. 2026-Q2")
    p.add_argument("--format", choices=("table", "json"), default="table")


def _period(text: str) -> str:
    try:
        parse_period(text)
    except Refused as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text.strip()


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def contract(survey: Survey) -> dict:
    """The contract's JSON: a department object each for sales, marketing and all, and one
    object per statement (a withheld group's means are null)."""
    return {
        "period": survey.period,
        "departments": [{"department": d, "respondents": survey.groups[d].respondents,
                         "score": _number(survey.groups[d].score),
                         "stage": survey.groups[d].stage} for d in DEPARTMENTS],
        "items": [{"item": i.item, "sales": _number(i.sales),
                   "marketing": _number(i.marketing), "gap": _number(i.gap)}
                  for i in survey.items],
    }


def run(tandem: Tandem, args: argparse.Namespace) -> int:
    survey = results(tandem.store, args.period)
    if args.format == "json":
        print(json.dumps(contract(survey), indent=2))
        return 0
    print(f"relationship survey {survey.period} (scores 20-100; a group with fewer than"
          f" {MIN_RESPONDENTS} complete respondents shows no mean)")
    print(f"{'group':<10}{'respondents':>12}{'incomplete':>12}{'score':>8}  stage")
    for name, g in survey.groups.items():
        score = "n/a" if g.score is None else f"{g.score}"
        shown = "withheld" if g.withheld else (g.stage or "n/a")
        print(f"{name:<10}{g.respondents:>12}{g.incomplete:>12}{score:>8}  {shown}")
    print(f"\n{'item':>4}{'sales':>8}{'marketing':>11}{'gap':>8}  statement")
    for i in survey.items:
        cells = ["n/a" if v is None else f"{v}" for v in (i.sales, i.marketing, i.gap)]
        print(f"{i.item:>4}{cells[0]:>8}{cells[1]:>11}{cells[2]:>8}  {i.statement}")
    found = evidence(tandem.store, args.period)
    print(f"\nevidence {found.period}: the data points to {found.stage or 'no stage'}")
    for ind in found.indicators:
        print(f"  {ind.label:<36} {_shown(ind.value, ind.threshold.unit):>9}  "
              f"{ind.stage or 'n/a':<11} {ind.detail}")
    return 0


def _shown(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "share":
        return f"{value * 100:.1f}%"
    if unit == "days":
        return f"{value:.1f} d"
    return f"{value:,.0f}"
