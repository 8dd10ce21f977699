"""`tandem pack [--since YYYY-MM-DD] [--year Y] [--format markdown|html] [--out FILE]`: the
weekly joint meeting pack, as Markdown or as a printable HTML page."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from planning import cli_people, pack
from planning.cli_scenario import year_of
from planning.tandem import Tandem


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("pack", parents=[common],
                       help="the weekly joint meeting pack (Markdown or a printable HTML page)")
    p.add_argument("--since", type=_day, metavar="YYYY-MM-DD",
                   help="decisions and comments from this day on (default: since the last pack"
                        f" was made, else the last {pack.DEFAULT_DAYS} days)")
    p.add_argument("--year", type=int, help="the fiscal year (default: the newest)")
    p.add_argument("--format", choices=("markdown", "html"), default="markdown")
    p.add_argument("--out", type=Path, help="file to write (default: standard output)")


def run(tandem: Tandem, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.out is not None and not args.out.parent.is_dir():
        parser.error(f"--out {args.out}: there is no folder {args.out.parent}")
    year = year_of(tandem, args)
    made = pack.make(tandem.store, cli_people.acting(tandem, args.as_user), year, args.since,
                     what=args.format)
    text = pack.to_html(made) if args.format == "html" else pack.to_markdown(made)
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"{args.out}: the meeting pack of fiscal year {year}, {made.since:%Y-%m-%d} to"
              f" {made.until:%Y-%m-%d} ({args.format})")
    return 0
