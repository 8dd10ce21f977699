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
    assert people.sign_in("ann ames", "correct horse") is None  # names are exact
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
