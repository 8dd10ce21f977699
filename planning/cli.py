"""The `tandem` command: parse arguments, call planning, print. Exit 0 done, 1 refused, 2 usage."""
from __future__ import annotations

import argparse
import os
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from planning import (
    audit,
    cli_alignment,
    cli_forecast,
    cli_kpis,
    cli_mappings,
    cli_pack,
    cli_people,
    cli_rewards,
    cli_scenario,
    cli_sla,
    first_run,
    mappings,
    overspend,
)
from planning.errors import StoreBusy, TandemError
from planning.imports import ImportReport
from planning.model import BASELINE, KINDS
from planning.money import format_money
from planning.tandem import Tandem

DEFAULT_DB = "tandem.duckdb"


def store_path(explicit: str | None) -> str:
    """--db, else $TANDEM_DB, else tandem.duckdb in the working directory."""
    return explicit or os.environ.get("TANDEM_DB") or DEFAULT_DB


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS,
                        help="the store's DuckDB file (default: $TANDEM_DB, else tandem.duckdb)")
    common.add_argument("--as", dest="as_user", default=argparse.SUPPRESS, metavar="NAME",
                        help="act as this person, proved by their password or token (default:"
                             " the server's administrator)")
    cli_people.add_acting_options(common)
    parser = argparse.ArgumentParser(prog="tandem", parents=[common],
                                     description="One shared budget for sales and marketing.")
    sub = parser.add_subparsers(dest="command", required=True)

    init = sub.add_parser("init", parents=[common], help="create the store")
    init.add_argument("--demo", action="store_true", help="load the demo firm")
    init.add_argument("--currency", help="ISO code of the store's currency, e.g. EUR")
    init.add_argument("--fiscal-year-start", type=int, metavar="MONTH",
                      help="first month of the fiscal year, 1-12 (default 1)")
    init.add_argument("--firm", help="the firm's name, shown on every page")

    imp = sub.add_parser("import", parents=[common],
                         help="import a CSV file or an Excel workbook (.xlsx)")
    imp.add_argument("kind", choices=KINDS)
    imp.add_argument("file", type=Path)
    imp.add_argument("--scenario", default=BASELINE, help="scenario of a plan (default baseline)")
    imp.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    imp.add_argument("--mapping", metavar="NAME",
                     help="read the file through this saved column mapping (tandem mappings)")

    exp = sub.add_parser("export", parents=[common], help="export a kind as CSV")
    exp.add_argument("kind", choices=KINDS)
    exp.add_argument("--scenario", default=BASELINE)
    exp.add_argument("--year", type=int, help="only this fiscal year")
    exp.add_argument("--out", type=Path, help="file to write (default: standard output)")

    pool = sub.add_parser("pool", parents=[common], help="show or set a fiscal year's pool")
    pool.add_argument("year", type=int)
    pool.add_argument("amount", nargs="?", help="the new pool, e.g. 6250000.00")
    cli_scenario.add_parser(sub, common)
    cli_people.add_parsers(sub, common)
    cli_kpis.add_parser(sub, common)
    cli_kpis.add_thresholds_parser(sub, common)
    cli_forecast.add_parser(sub, common)
    cli_rewards.add_parser(sub, common)
    cli_pack.add_parser(sub, common)
    cli_alignment.add_parser(sub, common)
    cli_mappings.add_parser(sub, common)
    cli_sla.add_parser(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (`tandem kpis | head`): stop quietly, as other commands do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _main(argv: list[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    args.as_user = getattr(args, "as_user", None)
    path = store_path(getattr(args, "db", None))
    if args.command != "init" and _missing(path):
        print(f"tandem: there is no store at {path}. Create it with `tandem init --db {path}`"
              " (add --demo for the demo firm), or name an existing one with --db or TANDEM_DB.",
              file=sys.stderr)
        return 2
    # A new demo store is built whole before it appears (see Store): killed halfway, it is not.
    args.demo_built = (args.command == "init" and args.demo and path != ":memory:"
                       and "://" not in path and not Path(path).exists())
    build = (lambda store: first_run.explore_demo(Tandem(store))) if args.demo_built else None
    try:
        tandem = Tandem.open(path, label=_label(args), on_wait=_Waiting(), build=build)
    except StoreBusy as exc:
        print(f"tandem: {exc}", file=sys.stderr)
        return 3
    except TandemError as exc:
        print(f"tandem: {exc}", file=sys.stderr)
        return 1
    try:
        cli_people.begin(args)
        with audit.via("command"):
            return COMMANDS[args.command](tandem, args, parser)
    except StoreBusy as exc:
        print(f"tandem: {exc}", file=sys.stderr)
        return 3
    except TandemError as exc:
        print(f"tandem: {exc}", file=sys.stderr)
        return 1
    finally:
        tandem.close()


def _missing(path: str) -> bool:
    """A file store that does not exist yet: only `tandem init` creates one, so a typo in a
    path (or a command run in the wrong folder) never reads zeros from, or imports into, a new
    empty store."""
    return path != ":memory:" and "://" not in path and not Path(path).exists()


def _label(args: argparse.Namespace) -> str:
    """What this call is, for a person waiting for the store: `tandem import plan`."""
    words = [args.command, getattr(args, "kind", None) or getattr(args, "operation", None)]
    return "`tandem " + " ".join(w for w in words if w) + "`"


class _Waiting:
    """Say once per call that the command waits for the store, and for whom."""

    def __init__(self) -> None:
        self.told = False

    def __call__(self, holder: str) -> None:
        if not self.told:
            self.told = True
            print(f"tandem: the store is busy ({holder}); waiting for its turn…",
                  file=sys.stderr, flush=True)


def _init(tandem: Tandem, args: argparse.Namespace, _parser: argparse.ArgumentParser) -> int:
    tandem.configure(firm_name=args.firm, currency=args.currency,
                     fiscal_year_start_month=args.fiscal_year_start)
    note = ""
    if args.demo_built and not first_run.is_new(tandem):
        note = " (demo firm loaded)"
    elif args.demo and first_run.is_new(tandem):
        first_run.explore_demo(tandem)
        note = " (demo firm loaded)"
    elif args.demo:  # run twice, or on a firm's own store: never add the demo's accounts to it
        note = " (it already has people: the demo firm was not loaded)"
    print(f"store ready: {tandem.store.path}{note}")
    return 0


def _import(tandem: Tandem, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if not args.file.is_file():
        parser.error(f"no such file: {args.file}")
    actor = cli_people.acting(tandem, args.as_user)
    if args.mapping:
        mapping = mappings.get(tandem.store, args.mapping)
        if mapping.kind != args.kind:
            parser.error(f"mapping {mapping.name} reads files as {mapping.kind}, not"
                         f" {args.kind}: run `tandem import {mapping.kind} FILE --mapping"
                         f" {mapping.name}`")
        report = mappings.import_mapped(tandem.store, mapping, args.file.read_bytes(),
                                        file_name=args.file.name, scenario=args.scenario,
                                        commit=not args.dry_run, actor=actor)
    else:
        report = tandem.import_csv(args.kind, args.file, scenario=args.scenario,
                                   commit=not args.dry_run, actor=actor)
    if not report.ok:
        for problem in report.problems:
            print(problem, file=sys.stderr)
        for more in report.omitted:  # per kind: how many more like a listed one, up to which row
            print(more, file=sys.stderr)
        print(f"{report.file}: refused, {report.problem_count} problem(s); nothing was written",
              file=sys.stderr)
        return 1
    print(_summary(report, tandem.currency))
    if report.kind == "actuals" and report.committed:
        for line in overspend.import_summary(tandem.store, report.fiscal_years,
                                             lambda m: format_money(m, tandem.currency)):
            print(line)
    return 0


def _summary(report: ImportReport, currency: str) -> str:
    verb = "imported" if report.committed else "would import (dry run)"
    parts = [f"{report.file}: {verb} {report.rows} rows of {report.kind}",
             f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged"]
    if report.scenario:
        parts.append(f"scenario {report.scenario}")
    if report.control_total is not None:
        parts.append(f"control total {format_money(report.control_total, currency)}")
    if report.note:  # targets: proposals until the other head agrees, or in force at once
        parts.append(report.note)
    return "; ".join(parts)


def _export(tandem: Tandem, args: argparse.Namespace, _parser: argparse.ArgumentParser) -> int:
    if args.out and args.out.suffix.lower() == ".xlsx":
        args.out.write_bytes(tandem.export_workbook([args.kind], scenario=args.scenario,
                                                    year=args.year))
        return 0
    text = tandem.export_csv(args.kind, scenario=args.scenario, year=args.year)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _pool(tandem: Tandem, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.amount is not None:
        try:
            tandem.set_pool(args.year, Decimal(args.amount),
                            cli_people.acting(tandem, args.as_user))
        except InvalidOperation:
            parser.error(f"{args.amount!r} is not an amount like 6250000.00")
    print(f"{args.year}: pool {format_money(tandem.pool(args.year), tandem.currency)}")
    return 0


def _scenario(tandem: Tandem, args: argparse.Namespace, _parser: argparse.ArgumentParser) -> int:
    return cli_scenario.run(tandem, args)


def _users(tandem: Tandem, args: argparse.Namespace, _parser: argparse.ArgumentParser) -> int:
    return cli_people.users(tandem, args)


def _review(tandem: Tandem, args: argparse.Namespace, _parser: argparse.ArgumentParser) -> int:
    return cli_people.review(tandem, args, cli_scenario.year_of(tandem, args))


def _audit(tandem: Tandem, args: argparse.Namespace, _parser: argparse.ArgumentParser) -> int:
    return cli_people.audit_trail(tandem, args)


COMMANDS = {"init": _init, "import": _import, "export": _export, "pool": _pool,
            "scenario": _scenario, "users": _users, "review": _review, "audit": _audit,
            "kpis": lambda tandem, args, _parser: cli_kpis.run(tandem, args),
            "forecast": lambda tandem, args, parser: cli_forecast.run(tandem, args, parser),
            "rewards": lambda tandem, args, parser: cli_rewards.run(tandem, args, parser),
            "pack": lambda tandem, args, parser: cli_pack.run(tandem, args, parser),
            "alignment": lambda tandem, args, _parser: cli_alignment.run(tandem, args),
            "mappings": cli_mappings.run,
            "sla": lambda tandem, args, _parser: cli_sla.run(tandem, args),
            "thresholds": lambda tandem, args, _parser: cli_kpis.thresholds_run(
                tandem, args, cli_people.acting(tandem, args.as_user))}

if __name__ == "__main__":
    sys.exit(main())
