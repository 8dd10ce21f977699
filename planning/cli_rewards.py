"""`tandem rewards --year Y [--format table|json]` and `tandem rewards set --year Y --weight
KPI=W ... [--threshold T] [--floor F] [--cap C]`, exactly as the data contract says."""
from __future__ import annotations

import argparse
import json
from decimal import Decimal, InvalidOperation

from planning import cli_people, rewards
from planning.tandem import Tandem


def _weight(text: str) -> tuple[str, Decimal]:
    kpi, sep, value = text.partition("=")
    try:
        if not sep or not kpi.strip():
            raise InvalidOperation
        return kpi.strip().lower(), Decimal(value.strip())
    except InvalidOperation:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a weight written KPI=PERCENT, e.g. revenue=40") from None


def _number(text: str) -> Decimal:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number like 0.8") from None


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("rewards", parents=[common],
                       help="the shared incentive both departments are paid on")
    # --year is asked for before or after `set`; `run` refuses a call without it (usage).
    p.add_argument("--year", type=int, help="the fiscal year (required)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    ops = p.add_subparsers(dest="operation")
    s = ops.add_parser("set", parents=[common],
                       help="set a fiscal year's rewards plan (an executive)")
    s.add_argument("--year", type=int, default=argparse.SUPPRESS, help="the fiscal year")
    s.add_argument("--weight", type=_weight, nargs="+", action="extend", metavar="KPI=W",
                   help="a KPI and its weight in percent, e.g. revenue=40; the weights add up"
                        " to 100 and replace the year's (default: keep them)")
    s.add_argument("--threshold", type=_number,
                   help="attainment below which a KPI pays nothing (default: as set, else 0.8)")
    s.add_argument("--floor", type=_number,
                   help="what a KPI pays at the threshold (default: as set, else 0.5)")
    s.add_argument("--cap", type=_number,
                   help="the most a KPI pays, from 100%% on (default: as set, else 1.5)")


def as_json(found: rewards.Factor) -> dict:
    """The contract's object: each KPI's weight, attainment and payout, and the factor."""
    def number(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    return {"kpis": [{"kpi": k.kpi, "weight": number(k.weight),
                      "attainment": number(k.attainment), "payout": number(k.payout)}
                     for k in found.kpis],
            "payout": number(found.payout)}


def run(tandem: Tandem, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.year is None:
        parser.error("tandem rewards: --year is required, e.g. --year 2026")
    if args.operation == "set":
        weights = None
        if args.weight:
            weights = {}
            for kpi, weight in args.weight:
                if kpi in weights:
                    parser.error(f"--weight names {kpi} twice")
                weights[kpi] = weight
        made = rewards.set_plan(tandem.store, cli_people.acting(tandem, args.as_user),
                                args.year, weights, args.threshold, args.floor, args.cap)
        print(f"rewards of fiscal year {args.year} set: " + ", ".join(
            f"{k} {_plain(w)}%" for k, w in made.weights.items()) + f"; {made.curve.describe()}")
    found = rewards.factor(tandem.store, args.year)
    if getattr(args, "format", "table") == "json" and args.operation != "set":
        print(json.dumps(as_json(found), indent=2))
    else:
        _table(found)
    return 0


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _percent(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _table(found: rewards.Factor) -> None:
    plan = found.plan
    print(f"rewards of fiscal year {plan.fiscal_year}: {plan.curve.describe()}"
          + (f" (set by {plan.set_by} on {plan.set_at:%Y-%m-%d})" if plan.set_at else ""))
    print(f"{'kpi':<25}{'weight':>8}{'attainment':>12}{'payout':>10}{'contribution':>14}")
    for k in found.kpis:
        print(f"{k.kpi:<25}{_plain(k.weight) + '%':>8}{_percent(k.attainment):>12}"
              f"{k.payout:>10}{k.contribution.quantize(rewards.PLACES):>14}")
    print(f"payout factor {found.payout} ({found.payout * 100:.2f}% of the target incentive);"
          " attainment is the fiscal year's row of `tandem kpis`")
