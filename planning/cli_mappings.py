"""`tandem mappings add NAME FILE | list | show NAME | delete NAME`: saved column mappings."""
from __future__ import annotations

import argparse
from pathlib import Path

from planning import cli_people, mappings
from planning.tandem import Tandem


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("mappings", parents=[common],
                       help="saved column mappings for files from other tools")
    ops = p.add_subparsers(dest="operation", required=True)
    add = ops.add_parser("add", parents=[common],
                         help="add a mapping from a TOML file (replaces one of the same name)")
    add.add_argument("name")
    add.add_argument("file", type=Path)
    ops.add_parser("list", parents=[common], help="the saved mappings")
    show = ops.add_parser("show", parents=[common], help="a mapping's TOML, as it was added")
    show.add_argument("name")
    delete = ops.add_parser("delete", parents=[common], help="delete a mapping")
    delete.add_argument("name")


def run(tandem: Tandem, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.operation == "add":
        if not args.file.is_file():
            parser.error(f"no such file: {args.file}")
        try:
            text = args.file.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            parser.error(f"{args.file} is not UTF-8 text")
        found = mappings.save(tandem.store, cli_people.acting(tandem, args.as_user), args.name,
                              text)
        print(f"mapping {found.name} saved: reads files as {found.kind}")
    elif args.operation == "list":
        saved = mappings.saved(tandem.store)
        if not saved:
            print("no mappings yet: add one with `tandem mappings add NAME FILE`")
        for m in saved:
            when = f"{m.saved_at:%Y-%m-%d %H:%M}" if m.saved_at else ""
            print(f"{m.name}\t{m.kind}\t{len(m.columns)} column(s) from the file,"
                  f" {len(m.constants)} constant(s)\tsaved by {m.saved_by} {when}")
    elif args.operation == "show":
        print(mappings.get(tandem.store, args.name).text, end="")
    else:
        mappings.delete(tandem.store, cli_people.acting(tandem, args.as_user), args.name)
        print(f"mapping {args.name} deleted")
    return 0
