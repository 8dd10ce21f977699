"""`tandem users`, `tandem review` and `tandem audit`: people, the cross-review, the trail.

Without --as the command acts as the server's administrator (whoever can run it with the store
file may do everything but the review itself). With --as NAME it acts as that person only once
they prove it, like signing in to the app: their password (--password-stdin, or
$TANDEM_PASSWORD, or a prompt at a terminal) or a personal access token they made
(--token-stdin, or $TANDEM_TOKEN). See `acting`.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from planning import audit
from planning.budget import BudgetFilter
from planning.errors import Refused
from planning.people import ADMIN_ROLE, DEPARTMENTS, ROLES, People, Person
from planning.review import Review
from planning.tandem import Tandem
from planning.tokens import Tokens

PASSWORD_ENV, TOKEN_ENV = "TANDEM_PASSWORD", "TANDEM_TOKEN"
COMMAND_CLIENT = "tandem command"  # the client key of sign-ins made by the command
_current: dict[str, object] = {}  # the running command's arguments and whom it proved


def add_acting_options(common: argparse.ArgumentParser) -> None:
    """--password-stdin / --token-stdin: how --as proves the person (for every call)."""
    common.add_argument("--password-stdin", action="store_true", default=argparse.SUPPRESS,
                        help="read the password from standard input: with --as, that"
                             f" person's (else ${PASSWORD_ENV}); in `users`, the one the call"
                             " sets or needs")
    common.add_argument("--token-stdin", action="store_true", default=argparse.SUPPRESS,
                        help="with --as: read that person's access token from standard input"
                             f" (else ${TOKEN_ENV})")


def begin(args: argparse.Namespace) -> None:
    """Start a command: nobody is proved yet."""
    _current.clear()
    _current["args"] = args


def _password(args: argparse.Namespace, prompt: str, *, twice: bool) -> str:
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass(prompt)
    if twice and getpass.getpass("Again: ") != password:
        raise Refused("the two passwords differ")
    return password


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    users = sub.add_parser("users", parents=[common], help="people and their roles")
    ops = users.add_subparsers(dest="operation", required=True)
    add = ops.add_parser("add", parents=[common], help="add a person")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--department", choices=DEPARTMENTS, help="a planner's department")
    add.add_argument("--email", help="the address single sign-on maps to this person")
    add.add_argument("--no-password", action="store_true",
                     help="no local password: the person signs in with single sign-on only")
    ops.add_parser("list", parents=[common], help="list people")
    # In `users`, --password-stdin (from `common`) reads the password the call is about: the
    # new person's, the new one, or the password that makes a token.
    ops.add_parser("passwd", parents=[common],
                   help="set a person's password (the administrator)").add_argument("name")
    for name, text in (("disable", "stop a person signing in or acting"),
                       ("enable", "let a disabled person sign in and act again"),
                       ("remove", "remove a person (their past entries and sign-offs stay)")):
        ops.add_parser(name, parents=[common], help=text).add_argument("name")
    ops.add_parser("token", parents=[common], help="make a personal access token (asks for"
                   " that person's password)").add_argument("name")
    tokens = ops.add_parser("tokens", parents=[common], help="list a person's tokens")
    tokens.add_argument("name")
    revoke = ops.add_parser("revoke-token", parents=[common], help="revoke a person's tokens")
    revoke.add_argument("name")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("number", nargs="?", type=int, help="the token's number")
    which.add_argument("--all", action="store_true", help="every live token of the person")

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
    verify = checks.add_parser("verify", parents=[common], help="walk the hash chain")
    verify.add_argument("--anchor", type=_anchor, metavar="N:HASH",
                        help="an entry's number and hash noted earlier: exit 1 unless the trail"
                             " still holds it (catches a trail cut back or rewritten)")
    export = checks.add_parser("export", parents=[common], help="write the trail as CSV")
    export.add_argument("--out", type=Path)


def _anchor(text: str) -> tuple[int, str]:
    try:
        return audit.parse_anchor(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def acting(tandem: Tandem, name: str | None) -> Person | str:
    """The person named by --as, once proved; else the server's administrator.

    The proof is, in this order: a token from standard input (--token-stdin) or a password from
    it (--password-stdin), else $TANDEM_TOKEN, else $TANDEM_PASSWORD, else a password prompt at
    a terminal. A password is checked as a sign-in (throttled like one); a token must be a live
    token of that very person. A disabled or removed person is refused either way."""
    if not name:
        return ADMIN_ROLE
    proved = _current.get("proved")
    if isinstance(proved, Person) and proved.name == name.strip():
        return proved
    people = People(tandem.store)
    person = people.require_active(name.strip())
    token, password = _proof(person.name)
    if token is not None:
        owner = Tokens(tandem.store).person(token)
        if owner is None or owner.name != person.name:
            raise Refused(f"that token does not prove {person.name}: it is unknown, revoked or"
                          " someone else's")
    elif people.sign_in(person.name, password or "", client=COMMAND_CLIENT) is None:
        raise Refused(f"that is not the password of {person.name}")
    _current["proved"] = person
    return person


def _proof(name: str) -> tuple[str | None, str | None]:
    """(token, password) for --as NAME: exactly one of them."""
    args = _current.get("args")
    from_stdin = [flag for flag in ("token_stdin", "password_stdin") if getattr(args, flag, False)]
    if len(from_stdin) > 1:
        raise Refused("give one proof: --password-stdin or --token-stdin, not both")
    if from_stdin == ["token_stdin"]:
        return sys.stdin.readline().strip(), None
    if from_stdin == ["password_stdin"]:
        return None, sys.stdin.readline().rstrip("\n")
    if os.environ.get(TOKEN_ENV):
        return os.environ[TOKEN_ENV].strip(), None
    if os.environ.get(PASSWORD_ENV):
        return None, os.environ[PASSWORD_ENV]
    if sys.stdin.isatty():
        return None, getpass.getpass(f"Password for {name}: ")
    raise Refused(f"acting as {name} needs their proof: their password (--password-stdin or"
                  f" ${PASSWORD_ENV}) or a personal access token (--token-stdin or"
                  f" ${TOKEN_ENV}; make one with `tandem users token NAME`)")


def users(tandem: Tandem, args: argparse.Namespace) -> int:
    """Accounts are managed by the server's administrator (the command without --as); making a
    token is the one call that takes the person's own password."""
    people = People(tandem.store)
    op = args.operation
    if op == "list":
        off = people.disabled()
        demo = set(people.demo_accounts())
        for p in people.list():
            state = "disabled" if p.name in off else ("demo password" if p.name in demo
                                                      else "active")
            print(f"{p.name}\t{p.role}\t{p.department or '-'}\t{p.email or '-'}\t{state}")
        return 0
    if op == "add":
        password = None if args.no_password else _password(
            args, f"Password for {args.name}: ", twice=True)
        person = people.add(args.name, args.role, password, department=args.department,
                            email=args.email, actor=ADMIN_ROLE)
        print(f"added {person.describe()}")
    elif op == "passwd":
        name = people.get(args.name).name
        people.set_password(name, _password(args, f"New password for {name}: ", twice=True))
        print(f"password set for {name}")
    elif op in ("disable", "enable"):
        getattr(people, op)(args.name)
        print(f"{op}d {args.name}")
    elif op == "remove":
        people.remove(args.name)
        print(f"removed {args.name}; their past entries and sign-offs stay")
    elif op == "token":
        name = people.get(args.name).name
        number, token = Tokens(tandem.store).create(
            name, _password(args, f"Password of {name}: ", twice=False), client=COMMAND_CLIENT)
        print(f"token {number} for {name} (shown once; keep it like a password):\n{token}")
    elif op == "tokens":
        for t in Tokens(tandem.store).list(people.get(args.name).name):
            state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "live"
            print(f"{t.id}\t{t.created_at:%Y-%m-%d %H:%M}\t{state}")
    else:
        count = Tokens(tandem.store).revoke(args.name, None if args.all else args.number)
        print(f"revoked {count} token(s) of {args.name}")
    return 0


def review(tandem: Tandem, args: argparse.Namespace, year: int) -> int:
    if not args.as_user:
        raise Refused("say who reviews: --as NAME (sign-offs are personal)")
    who = acting(tandem, args.as_user)
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
        verdict = audit.verify(tandem.store, args.anchor)
        if verdict.intact:
            print(f"intact, {verdict.entries} entries, head {verdict.head}")
            return 0
        print(f"broken at entry {verdict.broken_at}: {verdict.problem}", file=sys.stderr)
        return 1
    text = audit.export_csv(tandem.store)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
