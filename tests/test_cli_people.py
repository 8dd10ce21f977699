"""`tandem users`, `tandem review`, `tandem scenario lock|reopen --as` and `tandem audit`.

Each test runs the command on a store of its own: a plan of six lines (two of each owner) and
the five demo people, added with `tandem users add --password-stdin`. `--as NAME` proves the
person: the `tandem` helper below passes their password in $TANDEM_PASSWORD unless told not to.
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import sys
from pathlib import Path

import duckdb
import pytest

from planning import audit
from planning.cli import main
from planning.demo import DEMO_PEOPLE
from planning.people import People, Person
from planning.store import Store

PLAN = """fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description
2026,sales,Travel,purchase,Field sales,EMEA,2026-01,300.00,
2026,sales,Headcount,purchase,Field sales,North America,2026-02,600.00,
2026,marketing,Programs,awareness,Paid search,EMEA,2026-01,100.00,
2026,marketing,Events,consideration,Trade shows,EMEA,2026-03,200.00,
2026,joint,Tools,loyalty,Partners,EMEA,2026-01,50.00,
2026,joint,Content,awareness,Webinars,EMEA,2026-02,80.00,
"""
SETUP_ENTRIES = 6  # the import and five people
PASSWORDS = {name: password for name, _role, _department, password in DEMO_PEOPLE}


@pytest.fixture(autouse=True)
def no_proof_in_the_environment(monkeypatch):
    for name in ("TANDEM_PASSWORD", "TANDEM_TOKEN", "TANDEM_AUDIT_KEY"):
        monkeypatch.delenv(name, raising=False)


def tandem(db: Path, *args: str, prove: bool = True) -> int:
    """Run the command; a usage error's SystemExit becomes its exit status. With `prove`, a
    `--as NAME` of a demo person is proved with their password in $TANDEM_PASSWORD."""
    proving = prove and "--as" in args and args[args.index("--as") + 1] in PASSWORDS
    if proving:
        os.environ["TANDEM_PASSWORD"] = PASSWORDS[args[args.index("--as") + 1]]
    try:
        return main(["--db", str(db), *args])
    except SystemExit as exit_:
        return exit_.code
    finally:
        if proving:
            os.environ.pop("TANDEM_PASSWORD", None)


def add_user(db: Path, monkeypatch, *args: str, password: str = "password-2026") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    return tandem(db, "users", "add", *args, "--password-stdin")


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    store = Store(db)
    try:
        return store.query(sql, params or [])
    finally:
        store.close()


def statuses(db: Path) -> dict[str, str]:
    return dict(query(db, "SELECT category, status FROM plan_lines"))


@pytest.fixture
def db(tmp_path: Path, capsys, monkeypatch) -> Path:
    path = tmp_path / "people.duckdb"
    plan = tmp_path / "plan.csv"
    plan.write_text(PLAN, encoding="utf-8")
    assert tandem(path, "init") == 0
    assert tandem(path, "import", "plan", str(plan)) == 0
    for name, role, department, password in DEMO_PEOPLE:
        extra = ["--department", department] if department else []
        assert add_user(path, monkeypatch, name, "--role", role, *extra, password=password) == 0
    capsys.readouterr()
    return path


def run(db: Path, capsys, *args: str, prove: bool = True) -> tuple[int, str, str]:
    code = tandem(db, *args, prove=prove)
    out, err = capsys.readouterr()
    return code, out, err


# -- users -------------------------------------------------------------------------------------
def test_users_add_then_list(db, capsys, monkeypatch):
    code = add_user(db, monkeypatch, "Ann Ames", "--role", "planner", "--department", "sales",
                    "--email", "Ann@Example.com", password="correct horse")
    assert (code, capsys.readouterr()) == (0, ("added Ann Ames (planner, sales)\n", ""))
    assert run(db, capsys, "users", "list") == (0, (
        "Ann Ames\tplanner\tsales\tann@example.com\tactive\n"
        "Erin Executive\texecutive\t-\t-\tactive\n"
        "Marco Marketing\tmarketing_head\t-\t-\tactive\n"
        "Pat Planner\tplanner\tboth\t-\tactive\n"
        "Sofia Sales\tsales_head\t-\t-\tactive\n"
        "Vic Viewer\tviewer\t-\t-\tactive\n"), "")
    store = Store(db)
    try:
        people = People(store)
        assert people.sign_in("Ann Ames", "correct horse") == Person(
            "Ann Ames", "planner", "sales", "ann@example.com")
        assert people.sign_in("Ann Ames", "correct horse\n") is None  # the newline is not kept
        assert people.sign_in("Sofia Sales", "sales-demo-2026") == Person("Sofia Sales",
                                                                          "sales_head")
    finally:
        store.close()
    assert query(db, "SELECT actor, action, entity FROM audit_log ORDER BY seq DESC LIMIT 1") \
        == [("administrator", "add person", "person Ann Ames")]


def test_users_add_without_a_password(db, capsys):
    assert run(db, capsys, "users", "add", "Sso Sam", "--role", "viewer", "--no-password") == (
        0, "added Sso Sam (viewer)\n", "")
    assert query(db, "SELECT password_hash FROM people WHERE name = 'Sso Sam'") == [(None,)]


def test_a_planner_without_a_department_is_refused(db, capsys, monkeypatch):
    code = add_user(db, monkeypatch, "Ann Ames", "--role", "planner")
    assert (code, capsys.readouterr()) == (1, ("", "tandem: a planner needs a department (sales,"
                                                   " marketing or both); others none\n"))
    code = add_user(db, monkeypatch, "Ann Ames", "--role", "viewer", "--department", "sales")
    assert code == 1
    assert query(db, "SELECT count(*) FROM people") == [(5,)]


def test_users_add_refusals(db, capsys, monkeypatch):
    assert add_user(db, monkeypatch, "Ann", "--role", "viewer", password="short") == 1
    assert capsys.readouterr().err == "tandem: a password has at least 8 characters\n"
    assert add_user(db, monkeypatch, "Vic Viewer", "--role", "viewer") == 1
    assert capsys.readouterr().err == "tandem: there is already a person named 'Vic Viewer'\n"
    assert add_user(db, monkeypatch, "Ann", "--role", "cfo") == 2  # not a choice
    assert "invalid choice: 'cfo'" in capsys.readouterr().err
    assert add_user(db, monkeypatch, "Ann", "--role", "planner", "--department", "finance") == 2
    assert "invalid choice: 'finance'" in capsys.readouterr().err
    assert query(db, "SELECT count(*) FROM people") == [(5,)]


# -- review ------------------------------------------------------------------------------------
def test_review_submit_sign_and_return(db, capsys):
    assert run(db, capsys, "review", "submit", "baseline", "--as", "Pat Planner") == (
        0, "submit: 6 line(s) of baseline\n", "")
    assert run(db, capsys, "review", "sign", "baseline", "--as", "Marco Marketing",
               "--where", "owner=sales") == (
        0, "sign off: 2 line(s) of baseline; 2 now fully signed off\n", "")
    assert run(db, capsys, "review", "sign", "baseline", "--as", "Marco Marketing",
               "--where", "owner=joint", "--year", "2026") == (
        0, "sign off: 2 line(s) of baseline; 0 now fully signed off\n", "")
    assert run(db, capsys, "review", "return", "baseline", "--as", "Sofia Sales",
               "--where", "category=Events", "--comment", "Halve the booth") == (
        0, "return: 1 line(s) of baseline\n", "")
    assert statuses(db) == {"Travel": "signed_off", "Headcount": "signed_off",
                            "Programs": "submitted", "Events": "returned",
                            "Tools": "submitted", "Content": "submitted"}
    assert query(db, "SELECT c.author, c.body FROM comments c JOIN plan_lines l"
                     " ON l.id = c.line_id WHERE l.category = 'Events'") == [
        ("Sofia Sales", "Halve the booth")]
    assert query(db, "SELECT DISTINCT department, person FROM sign_offs") == [
        ("marketing", "Marco Marketing")]


def test_a_head_submits_and_signs_without_a_filter(db, capsys):
    """No --where: a head submits their department's and the joint lines, and signs off the
    lines that wait for them."""
    assert run(db, capsys, "review", "submit", "baseline", "--as", "Sofia Sales") == (
        0, "submit: 4 line(s) of baseline\n", "")
    assert run(db, capsys, "review", "submit", "baseline", "--as", "Marco Marketing") == (
        0, "submit: 2 line(s) of baseline\n", "")
    assert run(db, capsys, "review", "sign", "baseline", "--as", "Marco Marketing") == (
        0, "sign off: 4 line(s) of baseline; 2 now fully signed off\n", "")
    assert statuses(db) == {"Travel": "signed_off", "Headcount": "signed_off",
                            "Programs": "submitted", "Events": "submitted",
                            "Tools": "submitted", "Content": "submitted"}


def test_review_needs_as(db, capsys):
    tandem(db, "review", "submit", "baseline", "--as", "Pat Planner")
    capsys.readouterr()
    for step in ("sign", "submit", "return"):
        assert run(db, capsys, "review", step, "baseline") == (
            1, "", "tandem: say who reviews: --as NAME (sign-offs are personal)\n")
    assert run(db, capsys, "review", "sign", "baseline", "--as", "Nobody") == (
        1, "", "tandem: there is no person named 'Nobody'\n")
    assert set(statuses(db).values()) == {"submitted"}


def test_a_head_may_not_sign_off_their_own_departments_lines(db, capsys):
    tandem(db, "review", "submit", "baseline", "--as", "Pat Planner")
    capsys.readouterr()
    assert run(db, capsys, "review", "sign", "baseline", "--as", "Sofia Sales",
               "--where", "owner=sales") == (
        1, "", "tandem: Sofia Sales (sales head) may not sign off sales lines (2 match): the"
               " marketing head reviews them\n")
    assert run(db, capsys, "review", "sign", "baseline", "--as", "Pat Planner") == (
        1, "", "tandem: Pat Planner (planner, both) may not sign off or return lines; that is"
               " for: marketing head, sales head\n")
    assert run(db, capsys, "review", "return", "baseline", "--as", "Marco Marketing",
               "--where", "owner=sales") == (
        1, "", "tandem: say why the lines go back: the comment is required\n")
    assert query(db, "SELECT count(*) FROM sign_offs") == [(0,)]
    assert set(statuses(db).values()) == {"submitted"}


def test_review_usage_errors_exit_2(db, capsys):
    assert tandem(db, "review", "approve", "baseline", "--as", "Sofia Sales") == 2
    assert "invalid choice: 'approve'" in capsys.readouterr().err
    assert tandem(db, "review", "sign", "--as", "Sofia Sales") == 2  # no scenario
    assert "the following arguments are required: scenario" in capsys.readouterr().err


# -- lock and reopen -------------------------------------------------------------------------
def sign_everything(db: Path) -> None:
    assert tandem(db, "review", "submit", "baseline", "--as", "Pat Planner") == 0
    assert tandem(db, "review", "sign", "baseline", "--as", "Marco Marketing",
                  "--where", "owner=sales", "--where", "owner=joint") == 0
    assert tandem(db, "review", "sign", "baseline", "--as", "Sofia Sales",
                  "--where", "owner=marketing", "--where", "owner=joint") == 0


def head(db: Path) -> str:
    return query(db, "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1")[0][0]


def locked(db: Path) -> bool:
    return query(db, "SELECT locked FROM scenarios WHERE name = 'baseline'")[0][0]


def test_lock_and_reopen(db, capsys):
    assert run(db, capsys, "scenario", "lock", "baseline", "--as", "Sofia Sales") == (
        1, "", "tandem: 6 line(s) of baseline are not signed off yet; a scenario locks when"
               " every line is\n")
    sign_everything(db)
    capsys.readouterr()
    assert run(db, capsys, "scenario", "lock", "baseline", "--as", "Erin Executive") == (
        1, "", "tandem: Erin Executive (executive) may not lock a signed-off scenario; that is"
               " for: administrator, marketing head, sales head\n")
    assert run(db, capsys, "scenario", "lock", "baseline", "--as", "Sofia Sales") == (
        0, "locked baseline\n", "")
    assert locked(db)

    code, out, err = run(db, capsys, "scenario", "reopen", "baseline", "--as", "Erin Executive")
    assert (code, out) == (2, "")
    assert "the following arguments are required: --reason" in err
    assert run(db, capsys, "scenario", "reopen", "baseline", "--as", "Marco Marketing",
               "--reason", "change") == (
        1, "", "tandem: Marco Marketing (marketing head) may not reopen a locked scenario; that"
               " is for: administrator, executive\n")
    assert run(db, capsys, "scenario", "reopen", "baseline", "--reason", "change") == (
        1, "", "tandem: say who reopens: --as NAME (an executive)\n")
    assert run(db, capsys, "scenario", "reopen", "baseline", "--as", "Erin Executive",
               "--reason", "  ") == (
        1, "", "tandem: say why the plan is reopened: the reason is kept in the audit trail\n")
    assert locked(db)
    assert run(db, capsys, "scenario", "reopen", "baseline", "--as", "Erin Executive",
               "--reason", "Q2 reforecast") == (0, "reopened baseline\n", "")
    assert not locked(db)
    assert query(db, "SELECT actor, action, entity, reason FROM audit_log ORDER BY seq DESC"
                     " LIMIT 2") == [
        ("Erin Executive", "reopen", "scenario baseline", "Q2 reforecast"),
        ("Sofia Sales", "lock", "scenario baseline", None)]


def test_a_locked_scenario_refuses_review_steps(db, capsys):
    sign_everything(db)
    assert tandem(db, "scenario", "lock", "baseline", "--as", "Marco Marketing") == 0
    capsys.readouterr()
    assert run(db, capsys, "review", "submit", "baseline", "--as", "Pat Planner") == (
        1, "", "tandem: scenario 'baseline' is locked; nothing in it can change\n")
    assert run(db, capsys, "scenario", "scale", "baseline", "--percent", "5",
               "--as", "Pat Planner") == (
        1, "", "tandem: scenario 'baseline' is locked; nothing in it can change\n")


# -- audit -------------------------------------------------------------------------------------
def test_audit_verify_and_tampering(db, capsys):
    assert run(db, capsys, "audit", "verify") == (
        0, f"intact, {SETUP_ENTRIES} entries, head {head(db)}\n", "")
    sign_everything(db)
    capsys.readouterr()
    assert run(db, capsys, "audit", "verify") == (
        0, f"intact, {SETUP_ENTRIES + 3} entries, head {head(db)}\n", "")
    con = duckdb.connect(str(db))
    con.execute("UPDATE audit_log SET actor = 'Mallory' WHERE seq = 8")
    con.close()
    assert run(db, capsys, "audit", "verify") == (
        1, "", "broken at entry 8: its content does not match its hash\n")


def test_audit_verify_names_a_missing_entry(db, capsys):
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM audit_log WHERE seq = 3")
    con.close()
    assert run(db, capsys, "audit", "verify") == (1, "", "broken at entry 4: entry 3 is missing\n")


def test_audit_export_writes_every_entry(db, capsys, tmp_path):
    sign_everything(db)
    out = tmp_path / "trail.csv"
    capsys.readouterr()
    assert run(db, capsys, "audit", "export", "--out", str(out)) == (0, "", "")
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0] == ["seq", "recorded_at", "actor", "action", "entity", "before", "after",
                       "reason", "prev_hash", "hash"]
    count = query(db, "SELECT count(*) FROM audit_log")[0][0]
    assert count == SETUP_ENTRIES + 3 == len(rows) - 1
    assert [int(r[0]) for r in rows[1:]] == list(range(1, count + 1))
    assert [(r[2], r[3]) for r in rows[-3:]] == [
        ("Pat Planner", "submit"), ("Marco Marketing", "sign off"), ("Sofia Sales", "sign off")]
    assert [r[9] for r in rows[1:]] == [r[0] for r in query(
        db, "SELECT hash FROM audit_log ORDER BY seq")]
    for previous, row in zip(rows[1:], rows[2:], strict=False):
        assert row[8] == previous[9]
    assert rows[1][8] == audit.GENESIS
    # Without --out the same text goes to standard output.
    code, text, _err = run(db, capsys, "audit", "export")
    assert (code, text) == (0, out.read_text(encoding="utf-8"))


# -- proving who acts --------------------------------------------------------------------------
def entry_count(db: Path) -> int:
    return query(db, "SELECT count(*) FROM audit_log")[0][0]


def test_acting_as_someone_without_their_proof_is_refused(db, capsys):
    """From one shell, nobody submits as Pat, signs off as Marco or Sofia, locks or reopens."""
    before = entry_count(db)
    for args in (("review", "submit", "baseline", "--as", "Pat Planner"),
                 ("review", "sign", "baseline", "--as", "Marco Marketing"),
                 ("scenario", "lock", "baseline", "--as", "Sofia Sales"),
                 ("scenario", "reopen", "baseline", "--as", "Erin Executive", "--reason", "x"),
                 ("thresholds", "--amber", "0.8", "--as", "Erin Executive"),
                 ("pool", "2026", "1.00", "--as", "Erin Executive")):
        code, out, err = run(db, capsys, *args, prove=False)
        assert (code, out) == (1, ""), args
        assert err.startswith(f"tandem: acting as {args[args.index('--as') + 1]} needs their"
                              " proof: their password (--password-stdin or $TANDEM_PASSWORD)")
    assert entry_count(db) == before and set(statuses(db).values()) == {"draft"}


def test_a_wrong_password_is_refused_and_a_right_one_from_stdin_acts(db, capsys, monkeypatch):
    monkeypatch.setenv("TANDEM_PASSWORD", "sales-demo-2026")  # Sofia's, not Pat's
    assert run(db, capsys, "review", "submit", "baseline", "--as", "Pat Planner",
               prove=False) == (1, "", "tandem: that is not the password of Pat Planner\n")
    monkeypatch.setattr(sys, "stdin", io.StringIO("planner-demo-2026\n"))
    assert run(db, capsys, "review", "submit", "baseline", "--as", "Pat Planner",
               "--password-stdin", prove=False) == (0, "submit: 6 line(s) of baseline\n", "")
    assert query(db, "SELECT actor, via FROM audit_log ORDER BY seq DESC LIMIT 1") == [
        ("Pat Planner", "command")]


def make_token(db: Path, capsys, monkeypatch, name: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORDS[name] + "\n"))
    code, out, err = run(db, capsys, "users", "token", name, "--password-stdin")
    assert (code, err) == (0, "")
    first, token = out.splitlines()
    assert first.startswith("token ") and first.endswith(
        f" for {name} (shown once; keep it like a password):")
    return int(first.split()[1]), token


def test_a_personal_access_token_proves_its_person_until_revoked(db, capsys, monkeypatch):
    number, token = make_token(db, capsys, monkeypatch, "Pat Planner")
    assert token.startswith("tandem_") and len(token) > 40
    stored = query(db, "SELECT person, token_hash FROM access_tokens")
    assert stored == [("Pat Planner", hashlib.sha256(token.encode()).hexdigest())]
    assert token not in repr(query(db, "SELECT * FROM audit_log"))
    monkeypatch.setenv("TANDEM_TOKEN", token)
    assert run(db, capsys, "review", "submit", "baseline", "--where", "owner=sales",
               "--as", "Pat Planner", prove=False) == (0, "submit: 2 line(s) of baseline\n", "")
    # Pat's token does not prove anyone else.
    assert run(db, capsys, "review", "sign", "baseline", "--as", "Marco Marketing",
               prove=False) == (1, "", "tandem: that token does not prove Marco Marketing: it"
                                       " is unknown, revoked or someone else's\n")
    monkeypatch.delenv("TANDEM_TOKEN")
    monkeypatch.setattr(sys, "stdin", io.StringIO(token + "\n"))
    assert run(db, capsys, "review", "submit", "baseline", "--where", "owner=joint",
               "--as", "Pat Planner", "--token-stdin", prove=False)[0] == 0
    assert run(db, capsys, "users", "tokens", "Pat Planner")[1].endswith("\tlive\n")
    assert run(db, capsys, "users", "revoke-token", "Pat Planner", str(number)) == (
        0, "revoked 1 token(s) of Pat Planner\n", "")
    monkeypatch.setattr(sys, "stdin", io.StringIO(token + "\n"))
    assert run(db, capsys, "review", "submit", "baseline", "--as", "Pat Planner",
               "--token-stdin", prove=False)[0] == 1
    assert run(db, capsys, "users", "revoke-token", "Pat Planner", "--all") == (
        1, "", "tandem: Pat Planner has no live token\n")
    assert [r[:2] for r in query(db, "SELECT actor, action FROM audit_log WHERE action LIKE"
                                     " '%token' ORDER BY seq")] == [
        ("Pat Planner", "create token"), ("administrator", "revoke token")]


def test_a_token_needs_the_persons_password(db, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("not-pats-password\n"))
    assert run(db, capsys, "users", "token", "Pat Planner", "--password-stdin") == (
        1, "", "tandem: that is not the password of 'Pat Planner', or they may not act\n")
    assert query(db, "SELECT count(*) FROM access_tokens") == [(0,)]


def test_users_passwd_disable_enable_remove(db, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-new-password-2026\n"))
    assert run(db, capsys, "users", "passwd", "Pat Planner", "--password-stdin") == (
        0, "password set for Pat Planner\n", "")
    assert run(db, capsys, "review", "submit", "baseline", "--as", "Pat Planner")[0] == 1
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-new-password-2026\n"))
    assert run(db, capsys, "review", "submit", "baseline", "--where", "owner=sales", "--as",
               "Pat Planner", "--password-stdin", prove=False)[0] == 0

    assert run(db, capsys, "users", "disable", "Sofia Sales") == (0, "disabled Sofia Sales\n", "")
    assert run(db, capsys, "users", "list")[1].splitlines()[3] == (
        "Sofia Sales\tsales_head\t-\t-\tdisabled")
    assert run(db, capsys, "review", "sign", "baseline", "--as", "Sofia Sales") == (
        1, "", "tandem: Sofia Sales is disabled and can no longer act; an administrator may"
               " enable them again\n")
    assert run(db, capsys, "users", "enable", "Sofia Sales") == (0, "enabled Sofia Sales\n", "")
    assert run(db, capsys, "users", "remove", "Vic Viewer") == (
        0, "removed Vic Viewer; their past entries and sign-offs stay\n", "")
    assert "Vic Viewer" not in run(db, capsys, "users", "list")[1]
    assert run(db, capsys, "users", "disable", "Vic Viewer") == (
        1, "", "tandem: there is no person named 'Vic Viewer'\n")
    assert query(db, "SELECT actor, action, entity, via FROM audit_log WHERE action IN"
                     " ('set password', 'disable person', 'enable person', 'remove person')"
                     " ORDER BY seq") == [
        ("administrator", "set password", "person Pat Planner", "command"),
        ("administrator", "disable person", "person Sofia Sales", "command"),
        ("administrator", "enable person", "person Sofia Sales", "command"),
        ("administrator", "remove person", "person Vic Viewer", "command")]


def test_audit_verify_against_an_anchor(db, capsys):
    code, out, _ = run(db, capsys, "audit", "verify")
    anchor = f"{SETUP_ENTRIES}:{out.split('head ')[1].strip()}"
    sign_everything(db)
    capsys.readouterr()
    assert run(db, capsys, "audit", "verify", "--anchor", anchor)[0] == 0
    con = duckdb.connect(str(db))
    con.execute(f"DELETE FROM audit_log WHERE seq >= {SETUP_ENTRIES}")
    con.close()
    code, out, _ = run(db, capsys, "audit", "verify")
    assert (code, out.startswith(f"intact, {SETUP_ENTRIES - 1} entries")) == (0, True)
    assert run(db, capsys, "audit", "verify", "--anchor", anchor) == (
        1, "", f"broken at entry {SETUP_ENTRIES}: entry {SETUP_ENTRIES} of the anchor is gone:"
               f" the trail was cut back to {SETUP_ENTRIES - 1} entries\n")
    code, _, err = run(db, capsys, "audit", "verify", "--anchor", "6:abc")
    assert code == 2 and "is not an anchor" in err
