"""Signing in: the throttle (per pair, client and name), its limits, and bounded hashing."""
from __future__ import annotations

import hashlib
import threading
import time
from datetime import datetime, timedelta

import pytest

import planning.people
from planning import throttle
from planning.errors import Refused
from planning.people import People, Person, SignInThrottled
from planning.store import Store, open_store

T0 = datetime(2026, 3, 2, 9, 0, 0)


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(throttle, "now", c)
    return c


@pytest.fixture
def people(store: Store) -> People:
    p = People(store)
    p.add("Ann Ames", "viewer", "correct horse")
    p.add("Bob Berg", "viewer", "battery staple")
    return p


def fail(people: People, times: int, name: str = "Ann Ames", client: str | None = "10.0.0.9",
         password: str = "wrong guess") -> None:
    for _ in range(times):
        assert people.sign_in(name, password, client=client) is None


def retry_after(call) -> int:
    with pytest.raises(SignInThrottled) as held:
        call()
    return held.value.retry_after


def test_five_free_tries_then_a_delay_that_doubles(people, clock):
    fail(people, 5)
    attempt = lambda: people.sign_in("Ann Ames", "correct horse", client="10.0.0.9")  # noqa: E731
    assert retry_after(attempt) == 1
    clock.advance(1)
    fail(people, 1)  # the 6th failure
    assert retry_after(attempt) == 2
    clock.advance(2)
    fail(people, 1)
    assert retry_after(attempt) == 4
    clock.advance(4)
    # The right password, once the wait is over, signs in and clears the count.
    assert attempt() == Person("Ann Ames", "viewer")
    fail(people, 4)
    assert people.sign_in("Ann Ames", "correct horse", client="10.0.0.9") is not None


def test_a_throttled_attempt_checks_no_password_and_is_not_counted(people, clock, monkeypatch):
    fail(people, 5)
    calls = []
    real = hashlib.scrypt
    monkeypatch.setattr(hashlib, "scrypt", lambda *a, **k: calls.append(1) or real(*a, **k))
    for _ in range(50):  # hammering while held
        retry_after(lambda: people.sign_in("Ann Ames", "guess", client="10.0.0.9"))
    assert calls == []  # no scrypt work for a held attempt
    clock.advance(1)
    # ... and none of the 50 counted: the wait is still the 6th failure's.
    fail(people, 1)
    assert retry_after(lambda: people.sign_in("Ann Ames", "x", client="10.0.0.9")) == 2


def test_two_hundred_wrong_passwords_get_about_four_tries_an_hour(people, clock):
    tries = 0
    start = clock.at
    while tries < 200:
        try:
            people.sign_in("Ann Ames", f"guess {tries}", client="10.0.0.9")
            tries += 1
        except SignInThrottled as held:
            clock.advance(held.retry_after)
    elapsed = clock.at - start
    assert elapsed > timedelta(hours=40)  # 200 tries used to take 200 × 0.4 s
    assert throttle.delay("pair", 200) == 15 * 60  # capped: never a permanent lockout


def test_the_throttle_is_per_client_for_a_name(people, clock):
    fail(people, 5, client="attacker")
    with pytest.raises(SignInThrottled):
        people.sign_in("Ann Ames", "correct horse", client="attacker")
    # Ann, elsewhere, is not held by the attacker's failures.
    assert people.sign_in("Ann Ames", "correct horse", client="ann's laptop") is not None
    # Nor is Bob from the attacker's address (20 free tries per client over all names).
    assert people.sign_in("Bob Berg", "battery staple", client="attacker") is not None


def test_a_client_spraying_many_names_is_held(people, clock):
    for i in range(20):
        assert people.sign_in(f"Name {i}", "Summer2026!", client="sprayer") is None
    with pytest.raises(SignInThrottled) as held:
        people.sign_in("Bob Berg", "battery staple", client="sprayer")
    assert held.value.retry_after == 1
    assert people.sign_in("Bob Berg", "battery staple", client="office") is not None


def test_a_guess_spread_over_many_clients_cannot_keep_a_person_out(people, clock):
    # Ann has signed in from her laptop before.
    assert people.sign_in("Ann Ames", "correct horse", client="ann's laptop") is not None
    for i in range(40):  # a botnet: each address guesses once
        try:
            people.sign_in("Ann Ames", f"guess {i}", client=f"bot {i}")
        except SignInThrottled as held:
            assert held.retry_after <= 60  # the name's cap: a minute at most
            clock.advance(held.retry_after)
    with pytest.raises(SignInThrottled) as held:
        people.sign_in("Ann Ames", "correct horse", client="a new cafe")
    assert held.value.retry_after <= 60
    # From where she signed in before, the name-wide throttle does not hold her at all.
    assert people.sign_in("Ann Ames", "correct horse", client="ann's laptop") is not None


def test_failures_are_forgotten_a_day_after_the_last(people, clock):
    fail(people, 5)
    fail(people, 3, client=None)
    clock.advance(24 * 3600)
    assert people.sign_in("Ann Ames", "correct horse", client="10.0.0.9") is not None
    assert people.store.scalar("SELECT count(*) FROM sign_in_failures") <= 3


def test_the_throttle_is_kept_in_the_store_for_every_process(people, store, clock, tmp_path):
    fail(people, 5)
    store.close()
    # Another app process, or after a restart: the same store opened again by its address.
    reopened = open_store(getattr(store, "url", store.path))
    try:
        with pytest.raises(SignInThrottled):
            People(reopened).sign_in("Ann Ames", "correct horse", client="10.0.0.9")
        # Counting failures does not bump the data revision (read caches stay warm).
        before = reopened.revision()
        clock.advance(60)
        People(reopened).sign_in("Ann Ames", "wrong", client="10.0.0.9")
        assert reopened.revision() == before
    finally:
        reopened.close()


def test_the_store_keeps_no_name_or_address_in_clear(people, store, clock):
    fail(people, 2, client="203.0.113.7")
    dump = repr(store.query("SELECT * FROM sign_in_failures"))
    assert "203.0.113.7" not in dump and "Ann" not in dump


def test_a_disabled_or_unknown_account_fails_like_a_wrong_password(people, clock):
    people.disable("Ann Ames")
    assert people.sign_in("Ann Ames", "correct horse", client="x") is None
    assert people.sign_in("Nobody", "correct horse", client="x") is None
    with pytest.raises(Refused, match="retry"):
        raise SignInThrottled(3, "retry")
    assert issubclass(SignInThrottled, Refused)


def test_at_most_two_passwords_are_hashed_at_once(people, monkeypatch):
    running, peak, lock = [0], [0], threading.Lock()
    real = hashlib.scrypt

    def slow_scrypt(*args, **kwargs):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        try:
            return real(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(hashlib, "scrypt", slow_scrypt)
    results = []
    threads = [threading.Thread(target=lambda i=i: results.append(
        planning.people.check_password("correct horse", planning.people.hash_password(
            "correct horse")))) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 12
    assert peak[0] == planning.people.HASHING_AT_ONCE == 2


def test_a_sign_in_waiting_too_long_for_hashing_is_told_to_retry(people, monkeypatch):
    monkeypatch.setattr(planning.people, "HASHING_WAIT", 0.01)
    monkeypatch.setattr(planning.people, "_hashing", threading.BoundedSemaphore(1))
    planning.people._hashing.acquire()
    try:
        with pytest.raises(SignInThrottled, match="at once") as held:
            people.sign_in("Bob Berg", "battery staple", client="y")
        assert held.value.retry_after == 5
    finally:
        planning.people._hashing.release()


def test_a_name_is_found_whatever_its_case(people, clock):
    """People type names as they say them: "ann ames" signs in as Ann Ames."""
    assert people.sign_in("ann ames", "correct horse", client="x") == people.get("Ann Ames")
    assert people.sign_in("  ANN AMES ", "correct horse", client="x").name == "Ann Ames"
    assert people.get("bob berg").name == "Bob Berg"
    assert people.active("BOB BERG").name == "Bob Berg"
    assert people.sign_in("ann ames", "Correct horse", client="x") is None  # passwords keep case


def test_no_two_names_differ_only_in_case(people):
    with pytest.raises(Refused, match="already a person named 'Ann Ames'"):
        people.add("ann ames", "viewer", "another password")
    people.remove("Bob Berg")
    with pytest.raises(Refused, match="'Bob Berg' named a person who was removed"):
        people.add("BOB BERG", "viewer", "another password")


def test_failures_count_for_a_name_whatever_its_case(people, clock):
    for name in ("ann ames", "Ann Ames", "ANN AMES", "Ann ames", "aNN aMES"):
        fail(people, 1, name=name)
    assert retry_after(lambda: people.sign_in("Ann Ames", "correct horse",
                                              client="10.0.0.9")) == 1
