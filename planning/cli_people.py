"""`tandem users`, `tandem review` and `tandem audit`: people, the cross-review, the trail."""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from planning import audit
from planning.budget import BudgetFilter
from planning.errors import Refused
from planning.people import DEPARTMENTS, ROLES, People, Person
from planning.review import Review
from planning.tandem import Tandem


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    users = sub.add_parser("users", parents=[common], help="people and their roles")
    ops = users.add_subparsers(dest="operation", required=True)
    add = ops.add_parser("add", parents=[common], help="add a person")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--department", choices=DEPARTMENTS, help="a planner's department")
    add.add_argument("--email", help="the address single sign-on maps to this person")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input instead of a prompt")
    add.add_argument("--no-password", action="store_true",
                     help="no local password: the person signs in with single sign-on only")
    ops.add_parser("list", parents=[common], help="list people")

    review = sub.add_parser("review", parents=[common], help="submit, sign off or return lines")
    steps = review.add_subparsers(dest="operation", required=True)
    for name, text in (("submit", "submit draft or returned lines for review"),
                       ("sign", "sign off submitted lines"),
                       ("return", "return submitted lines with a comment")):
        step = steps.add_parser(name, parents=[common], help=text)
        step.add_argument("scenario")
        step.add_argument("--year", type=int)
        step.add_argument("--where", action="append", metavar="COL=VALUE")
        step.add_argument("--comment", help="why (required to return lines)")

    trail = sub.add_parser("audit", parents=[common], help="the tamper-evident audit trail")
    checks = trail.add_subparsers(dest="operation", required=True)
    checks.add_parser("verify", parents=[common], help="walk the hash chain")
    export = checks.add_parser("export", parents=[common], help="write the trail as CSV")
    export.add_argument("--out", type=Path)


def acting(tandem: Tandem, name: str | None) -> Person | str:
    """The person named by --as, else the server's administrator."""
    return People(tandem.store).get(name) if name else "administrator"


def users(tandem: Tandem, args: argparse.Namespace) -> int:
    people = People(tandem.store)
    if args.operation == "list":
        for p in people.list():
            print(f"{p.name}\t{p.role}\t{p.department or '-'}\t{p.email or '-'}")
        return 0
    password = None
    if not args.no_password:
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass(f"Password for {args.name}: ")
            if getpass.getpass("Again: ") != password:
                raise Refused("the two passwords differ")
    # Accounts are managed by the server's administrator, whoever else is named by --as.
    person = people.add(args.name, args.role, password, department=args.department,
                        email=args.email, actor="administrator")
    print(f"added {person.describe()}")
    return 0


def review(tandem: Tandem, args: argparse.Namespace, year: int) -> int:
    if not args.as_user:
        raise Refused("say who reviews: --as NAME (sign-offs are personal)")
    who = People(tandem.store).get(args.as_user)
    where = BudgetFilter.parse(args.where)
    steps = Review(tandem.store)
    if args.operation == "submit":
        result = steps.submit(who, year, args.scenario, where)
    elif args.operation == "sign":
        result = steps.sign(who, year, args.scenario, where)
    else:
        result = steps.return_lines(who, year, args.scenario, where, args.comment or "")
    done = f"; {result.signed_off} now fully signed off" if args.operation == "sign" else ""
    print(f"{result.action}: {result.lines} line(s) of {args.scenario}{done}")
    return 0


def audit_trail(tandem: Tandem, args: argparse.Namespace) -> int:
    if args.operation == "verify":
        verdict = audit.verify(tandem.store)
        if verdict.intact:
            print(f"intact, {verdict.entries} entries")
            return 0
        print(f"broken at entry {verdict.broken_at}: {verdict.problem}", file=sys.stderr)
        return 1
    text = audit.export_csv(tandem.store)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
