"""Personal access tokens: made with the person's password, kept hashed, revocable."""
from __future__ import annotations

import hashlib

import pytest

from planning.errors import Refused
from planning.people import People, Person
from planning.tokens import Tokens


@pytest.fixture
def tokens(store) -> Tokens:
    People(store).add("Pat", "planner", "correct horse", department="both")
    People(store).add("Sam", "viewer", "battery staple")
    return Tokens(store)


def test_a_token_is_made_with_the_password_and_kept_only_as_its_hash(tokens, store):
    number, token = tokens.create("Pat", "correct horse")
    assert tokens.person(token) == Person("Pat", "planner", "both")
    assert store.query("SELECT id, token_hash FROM access_tokens") == [
        (number, hashlib.sha256(token.encode()).hexdigest())]
    with pytest.raises(Refused, match="not the password of 'Pat'"):
        tokens.create("Pat", "battery staple")
    other = tokens.create("Pat", "correct horse")[1]
    assert other != token and tokens.person("tandem_guess") is None


def test_revoked_tokens_and_tokens_of_people_who_may_not_act_prove_nobody(tokens):
    first = tokens.create("Pat", "correct horse")
    second = tokens.create("Pat", "correct horse")
    sam = tokens.create("Sam", "battery staple")[1]
    assert tokens.revoke("Pat", first[0]) == 1
    assert tokens.person(first[1]) is None and tokens.person(second[1]) is not None
    People(tokens.store).disable("Pat")
    assert tokens.person(second[1]) is None
    People(tokens.store).enable("Pat")
    assert tokens.person(second[1]) is not None
    People(tokens.store).remove("Sam")  # removing a person revokes their tokens
    assert tokens.person(sam) is None
    assert [t.revoked_at is not None for t in tokens.list("Sam")] == [True]
    assert tokens.revoke("Pat") == 1
    with pytest.raises(Refused, match="^Pat has no live token$"):
        tokens.revoke("Pat")
