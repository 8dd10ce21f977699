"""People: adding, listing and finding them; roles and departments; salted scrypt passwords."""
from __future__ import annotations

import json

import pytest

import planning.people
from planning import audit
from planning.errors import Refused
from planning.people import ADMIN_ROLE, People, Person, check_password, hash_password
from planning.store import Store


@pytest.fixture
def people(store: Store) -> People:
    return People(store)


def rows(store: Store) -> list[tuple]:
    return store.query("SELECT name, role, department, email FROM people ORDER BY name")


def audit_rows(store: Store) -> list[tuple]:
    return store.query("SELECT actor, action, entity, before, after, reason FROM audit_log"
                       " ORDER BY seq")


def stored_hash(store: Store, name: str) -> str | None:
    return store.scalar("SELECT password_hash FROM people WHERE name = ?", [name])


# -- add, list, get --------------------------------------------------------------------------
def test_add_returns_the_person_and_list_and_get_find_them(people, store):
    ann = people.add("Ann Ames", "sales_head", "correct horse", email="Ann@Example.COM")
    bob = people.add("Bob Berg", "planner", "battery staple", department="marketing")
    cy = people.add("  Cy Cole  ", "viewer", None)
    assert ann == Person("Ann Ames", "sales_head", None, "ann@example.com")
    assert bob == Person("Bob Berg", "planner", "marketing", None)
    assert cy == Person("Cy Cole", "viewer", None, None)  # the name is trimmed
    assert people.list() == [ann, bob, cy]  # by name
    assert people.get("Bob Berg") == bob
    assert people.get("Cy Cole") == cy
    assert rows(store) == [("Ann Ames", "sales_head", None, "ann@example.com"),
                           ("Bob Berg", "planner", "marketing", None),
                           ("Cy Cole", "viewer", None, None)]
    assert stored_hash(store, "Cy Cole") is None  # single sign-on only


def test_get_an_unknown_name_is_refused(people):
    people.add("Ann Ames", "executive", "correct horse")
    with pytest.raises(Refused, match=r"^there is no person named 'Ann'$"):
        people.get("Ann")
    assert people.list() == [Person("Ann Ames", "executive")]


def test_a_new_store_has_nobody(people):
    assert people.list() == []


@pytest.mark.parametrize("role", ["sales_head", "marketing_head", "executive", "viewer"])
def test_every_role_but_planner_has_no_department(people, role):
    assert people.add("Ann", role, "password1") == Person("Ann", role, None, None)
    with pytest.raises(Refused, match="a planner needs a department"):
        people.add("Bob", role, "password1", department="sales")
    assert [p.name for p in people.list()] == ["Ann"]


@pytest.mark.parametrize("department", ["sales", "marketing", "both"])
def test_a_planner_has_one_of_three_departments(people, department):
    added = people.add("Pia", "planner", "password1", department=department)
    assert added == Person("Pia", "planner", department, None)
    assert people.get("Pia").department == department


@pytest.mark.parametrize(("role", "department", "message"), [
    ("planner", None, "a planner needs a department (sales, marketing or both); others none"),
    ("planner", "finance", "unknown department 'finance'; use one of sales, marketing, both"),
    ("planner", "Sales", "unknown department 'Sales'; use one of sales, marketing, both"),
    ("cfo", None, "unknown role 'cfo'; use one of sales_head, marketing_head, executive,"
                  " planner, viewer"),
    ("administrator", None, "unknown role 'administrator'"),
    ("viewer", "both", "a planner needs a department"),
])
def test_roles_and_departments_are_checked(people, store, snapshot, role, department, message):
    before = snapshot(store)
    with pytest.raises(Refused) as refused:
        people.add("Pia", role, "password1", department=department)
    assert str(refused.value).startswith(message)
    assert snapshot(store) == before
    assert rows(store) == [] and audit_rows(store) == []


@pytest.mark.parametrize("name", ["", "   ", "x" * 61])
def test_a_name_has_1_to_60_characters(people, store, name):
    with pytest.raises(Refused, match="^a name has 1 to 60 characters$"):
        people.add(name, "viewer", "password1")
    assert rows(store) == []
    assert people.add("x" * 60, "viewer", "password1").name == "x" * 60


def test_a_duplicate_name_is_refused(people, store, snapshot):
    people.add("Ann Ames", "sales_head", "password1")
    before = snapshot(store)
    for name in ("Ann Ames", " Ann Ames "):
        with pytest.raises(Refused, match=r"^there is already a person named 'Ann Ames'$"):
            people.add(name, "viewer", "password2")
    assert snapshot(store) == before
    assert people.list() == [Person("Ann Ames", "sales_head")]


def test_a_duplicate_email_is_refused_whatever_its_case(people, store, snapshot):
    people.add("Ann Ames", "sales_head", "password1", email="ann@example.com")
    before = snapshot(store)
    for email in ("ann@example.com", "ANN@Example.com", "  ann@example.com "):
        with pytest.raises(Refused, match=r"^the e-mail ann@example.com already belongs to"):
            people.add("Bob Berg", "viewer", "password2", email=email)
    assert snapshot(store) == before
    # People without an e-mail do not clash with each other.
    people.add("Cy Cole", "viewer", "password3")
    people.add("Di Dunn", "viewer", "password4")
    assert [p.email for p in people.list()] == ["ann@example.com", None, None]


def test_a_short_password_is_refused(people, store):
    assert planning.people.MIN_PASSWORD == 8
    with pytest.raises(Refused, match=r"^a password has at least 8 characters$"):
        people.add("Ann", "viewer", "7chars!")
    with pytest.raises(Refused, match="at least 8 characters"):
        people.add("Ann", "viewer", "")
    assert rows(store) == []
    people.add("Ann", "viewer", "8chars!!")
    assert people.sign_in("Ann", "8chars!!") == Person("Ann", "viewer")


# -- the stored hash -------------------------------------------------------------------------
def test_the_stored_hash_is_salted_scrypt_and_holds_no_password(people, store):
    password = "same-password-2026"
    people.add("Ann", "viewer", password)
    people.add("Bob", "viewer", password)
    ann, bob = stored_hash(store, "Ann"), stored_hash(store, "Bob")
    assert ann != bob  # a salt of its own each
    for stored in (ann, bob):
        assert stored.startswith("scrypt$")
        assert password not in stored
        assert password.encode().hex() not in stored
        scheme, n, r, p, salt, digest = stored.split("$")
        # The test run's cost (see conftest), and the parameters the module says.
        assert (scheme, n, r, p) == ("scrypt", str(2**10), "8", "1")
        assert len(bytes.fromhex(salt)) == 16
        assert len(bytes.fromhex(digest)) == 64
    assert ann.split("$")[4] != bob.split("$")[4]
    assert ann.split("$")[5] != bob.split("$")[5]


def test_the_real_cost_is_owasps_minimum(monkeypatch):
    # conftest makes the hashes cheap for the tests; the module's own constant is 2**17.
    monkeypatch.undo()
    assert planning.people.SCRYPT_N == 2**17
    assert (planning.people.SCRYPT_R, planning.people.SCRYPT_P) == (8, 1)


def test_check_password_checks_the_digest_and_the_scheme():
    stored = hash_password("correct horse")
    assert check_password("correct horse", stored) is True
    assert check_password("correct horsE", stored) is False
    assert check_password("", stored) is False
    assert check_password("correct horse", None) is False
    assert check_password("correct horse", "") is False
    assert check_password("correct horse", "garbage") is False
    assert check_password("correct horse", "bcrypt" + stored[len("scrypt"):]) is False
    assert check_password("correct horse", stored.replace("scrypt$", "scrypt$x", 1)) is False


def test_a_hash_made_at_an_older_cost_still_checks(people, monkeypatch):
    people.add("Ann", "viewer", "correct horse")
    monkeypatch.setattr(planning.people, "SCRYPT_N", 2**11)
    assert people.sign_in("Ann", "correct horse") == Person("Ann", "viewer")
    people.add("Bob", "viewer", "correct horse")
    assert people.store.scalar("SELECT password_hash FROM people WHERE name = 'Bob'"
                               ).startswith(f"scrypt${2**11}$8$1$")


# -- signing in ------------------------------------------------------------------------------
def test_sign_in(people):
    people.add("Ann Ames", "planner", "correct horse", department="sales",
               email="ann@example.com")
    people.add("Bob Berg", "viewer", "battery staple")
    people.add("Cy Cole", "executive", None)
    ann = Person("Ann Ames", "planner", "sales", "ann@example.com")
    assert people.sign_in("Ann Ames", "correct horse") == ann
    assert people.sign_in("  Ann Ames ", "correct horse") == ann
    assert people.sign_in("Ann Ames", "battery staple") is None  # Bob's password
    assert people.sign_in("Ann Ames", "correct horse ") is None
    assert people.sign_in("ann ames", "correct horse") == ann  # a name is found whatever its case
    assert people.sign_in("Nobody", "correct horse") is None
    assert people.sign_in("", "") is None
    assert people.sign_in("Cy Cole", "") is None  # no local password: never signs in here
    assert people.sign_in("Cy Cole", "anything at all") is None
    assert people.sign_in("Bob Berg", "battery staple") == Person("Bob Berg", "viewer")


def test_by_email_ignores_case_and_spaces(people):
    people.add("Ann Ames", "marketing_head", "password1", email=" Ann.Ames@Example.com ")
    ann = Person("Ann Ames", "marketing_head", None, "ann.ames@example.com")
    assert people.by_email("ann.ames@example.com") == ann
    assert people.by_email("ANN.AMES@EXAMPLE.COM") == ann
    assert people.by_email("  Ann.Ames@example.COM  ") == ann
    assert people.by_email("bob@example.com") is None
    assert people.by_email("ann.ames@example") is None


# -- the trail -------------------------------------------------------------------------------
def test_adding_a_person_is_audited_without_the_password(people, store):
    people.add("Ann Ames", "planner", "correct horse", department="both",
               email="Ann@Example.com", actor="root")
    people.add("Bob Berg", "viewer", "battery staple")
    assert [r[:3] for r in audit_rows(store)] == [("root", "add person", "person Ann Ames"),
                                                 ("admin", "add person", "person Bob Berg")]
    first = audit_rows(store)[0]
    assert first[3] is None and first[5] is None
    assert json.loads(first[4]) == {"role": "planner", "department": "both",
                                    "email": "ann@example.com"}
    trail = audit.export_csv(store)
    assert "correct horse" not in trail and "scrypt$" not in trail
    assert audit.verify(store) == audit.Verdict(True, 2)


def test_a_refused_add_is_not_audited(people, store):
    people.add("Ann", "viewer", "password1")
    with pytest.raises(Refused):
        people.add("Ann", "viewer", "password2")
    assert [r[:3] for r in audit_rows(store)] == [("admin", "add person", "person Ann")]


# -- what a person may edit ------------------------------------------------------------------
@pytest.mark.parametrize(("person", "head_of", "owners", "described"), [
    (Person("S", "sales_head"), "sales", {"sales", "joint"}, "S (sales head)"),
    (Person("M", "marketing_head"), "marketing", {"marketing", "joint"}, "M (marketing head)"),
    (Person("E", "executive"), None, set(), "E (executive)"),
    (Person("V", "viewer"), None, set(), "V (viewer)"),
    (Person("P", "planner", "sales"), None, {"sales", "joint"}, "P (planner, sales)"),
    (Person("P", "planner", "marketing"), None, {"marketing", "joint"},
     "P (planner, marketing)"),
    (Person("P", "planner", "both"), None, {"sales", "marketing", "joint"},
     "P (planner, both)"),
    (Person("root", ADMIN_ROLE), None, {"sales", "marketing", "joint"}, "root (administrator)"),
])
def test_owners_head_of_and_describe(person, head_of, owners, described):
    assert person.head_of == head_of
    assert person.owners == frozenset(owners)
    assert person.describe() == described


# -- passwords, disabling, removing ----------------------------------------------------------
def test_an_administrator_sets_a_password_and_a_person_changes_their_own(people, store):
    people.add("Ann", "viewer", "first-password")
    people.set_password("Ann", "second-password")
    assert people.sign_in("Ann", "first-password") is None
    assert people.sign_in("Ann", "second-password") == Person("Ann", "viewer")
    with pytest.raises(Refused, match="^the current password is not right$"):
        people.change_password("Ann", "first-password", "third-password")
    with pytest.raises(Refused, match="at least 8"):
        people.change_password("Ann", "second-password", "short")
    people.change_password("Ann", "second-password", "third-password", client="laptop")
    assert people.sign_in("Ann", "third-password") == Person("Ann", "viewer")
    trail = audit_rows(store)
    assert [r[:3] for r in trail[1:]] == [("administrator", "set password", "person Ann"),
                                         ("Ann", "change password", "person Ann")]
    assert "password" not in repr([r[3:] for r in trail])  # no password or hash kept
    with pytest.raises(Refused, match="no person named"):
        people.set_password("Nobody", "whatever-2026")


def test_a_disabled_person_cannot_sign_in_or_act_until_enabled(people, store, snapshot):
    from planning.tandem import Tandem

    people.add("Erin", "executive", "correct horse", email="erin@example.com")
    erin = people.get("Erin")
    people.disable("Erin")
    assert people.sign_in("Erin", "correct horse") is None
    assert people.active("Erin") is None and people.by_email("erin@example.com") is None
    assert people.disabled() == {"Erin"}
    assert people.list() == [erin]  # still listed, as disabled
    before = snapshot(store)
    # A session opened before the disable acts no more: the change is refused whole.
    with pytest.raises(Refused, match="^Erin is disabled and can no longer act"):
        Tandem(store).set_pool(2026, 1000, erin)
    assert snapshot(store) == before
    with pytest.raises(Refused, match="already disabled"):
        people.disable("Erin")
    people.enable("Erin")
    assert people.sign_in("Erin", "correct horse") == erin
    Tandem(store).set_pool(2026, 1000, erin)
    assert [r[:2] for r in audit_rows(store)][-3:] == [("administrator", "disable person"),
                                                      ("administrator", "enable person"),
                                                      ("Erin", "set pool")]


def test_a_removed_person_is_gone_but_their_name_and_history_stay(people, store):
    people.add("Sofia", "sales_head", "correct horse", email="sofia@example.com")
    store.write(lambda cur: cur.execute(
        "INSERT INTO sign_offs VALUES (1, 1, 'sales', 'Sofia', now()::TIMESTAMP)"))
    people.remove("Sofia")
    assert people.list() == [] and people.active("Sofia") is None
    assert people.sign_in("Sofia", "correct horse") is None
    with pytest.raises(Refused, match="no person named 'Sofia'"):
        people.get("Sofia")
    with pytest.raises(Refused, match="was removed; a name is never given again"):
        people.add("Sofia", "viewer", "password-2026")
    # Her sign-off stands, her entries stay, her e-mail is free again.
    assert store.query("SELECT person FROM sign_offs") == [("Sofia",)]
    assert [r[:2] for r in audit_rows(store)] == [("admin", "add person"),
                                                 ("administrator", "remove person")]
    people.add("Sofia Two", "viewer", "password-2026", email="sofia@example.com")
    assert audit.verify(store).intact


def test_the_administrators_name_is_reserved(people):
    with pytest.raises(Refused, match="names the server's administrator"):
        people.add(ADMIN_ROLE, "executive", "password-2026")


# -- the demo firm's accounts ------------------------------------------------------------------
def test_demo_accounts_are_recorded_at_load_and_cleared_one_by_one(demo):
    people = People(demo.store)
    names = ["Sofia Sales", "Marco Marketing", "Erin Executive", "Pat Planner", "Vic Viewer"]
    assert sorted(people.demo_accounts()) == sorted(names)
    people.change_password("Sofia Sales", "sales-demo-2026", "a-private-one-2026")
    people.set_password("Marco Marketing", "another-private-2026")
    people.remove("Vic Viewer")
    people.disable("Pat Planner")
    assert sorted(people.demo_accounts()) == ["Erin Executive"]
    people.enable("Pat Planner")  # still the published password
    assert sorted(people.demo_accounts()) == ["Erin Executive", "Pat Planner"]


def test_a_store_without_the_demo_has_no_demo_accounts(people):
    people.add("Sofia Sales", "sales_head", "sales-demo-2026")  # same password, added by hand
    assert people.demo_accounts() == []
