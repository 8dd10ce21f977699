"""Exact money: splits that add up to the cent, the contract's amount form, display formats."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planning.money import (
    CENT,
    format_compact,
    format_money,
    from_cents,
    parse_amount,
    split,
    to_cents,
)

D = Decimal


def amounts(*values: str) -> list[Decimal]:
    return [D(v) for v in values]


# -- split ---------------------------------------------------------------------------------------

def test_split_in_proportion_to_the_weights():
    assert split(D("100.00"), amounts("1", "3")) == amounts("25.00", "75.00")
    assert split(D("1000.00"), amounts("0.2", "0.3", "0.5")) == amounts("200.00", "300.00",
                                                                        "500.00")


def test_split_leftover_cents_go_to_the_largest_remainders():
    # exact shares: 33.333.., 33.333.., 33.333.. cents -> 33, 33, 34 after the tie-break
    assert split(D("1.00"), amounts("1", "1", "1")) == amounts("0.34", "0.33", "0.33")
    # exact shares 1.4, 2.8, 5.8 cents: floors 1, 2, 5 leave 2 cents for .8 and .8
    assert split(D("0.10"), amounts("1.4", "2.8", "5.8")) == amounts("0.01", "0.03", "0.06")


def test_split_ties_go_to_the_earlier_part_deterministically():
    weights = amounts("1", "1", "1", "1", "1", "1", "1")
    first = split(D("0.10"), weights)
    assert first == amounts("0.02", "0.02", "0.02", "0.01", "0.01", "0.01", "0.01")
    for _ in range(20):
        assert split(D("0.10"), weights) == first


def test_split_depends_only_on_the_order_the_caller_gives():
    assert split(D("0.01"), amounts("1", "1")) == amounts("0.01", "0.00")
    assert split(D("0.01"), amounts("2", "2")) == amounts("0.01", "0.00")
    assert split(D("0.02"), amounts("1", "2", "1")) == amounts("0.01", "0.01", "0.00")


def test_split_of_a_negative_total():
    assert split(D("-10.00"), amounts("1", "1", "1")) == amounts("-3.34", "-3.33", "-3.33")
    assert split(D("-0.05"), amounts("1", "4")) == amounts("-0.01", "-0.04")
    assert sum(split(D("-1234.57"), amounts("3", "5", "7"))) == D("-1234.57")


def test_split_of_zero():
    assert split(D("0.00"), amounts("1", "2")) == amounts("0.00", "0.00")


def test_split_with_all_weights_zero_is_an_equal_split():
    assert split(D("10.00"), amounts("0", "0", "0")) == amounts("3.34", "3.33", "3.33")


def test_split_gives_nothing_to_a_zero_weight():
    assert split(D("10.00"), amounts("0", "1", "0", "2")) == amounts("0.00", "3.33", "0.00",
                                                                     "6.67")


def test_split_into_one_part_is_the_total():
    assert split(D("1234.56"), [D("7")]) == [D("1234.56")]


def test_split_refuses_no_weights_and_negative_weights():
    with pytest.raises(ValueError, match="nothing to split"):
        split(D("1.00"), [])
    with pytest.raises(ValueError, match="must not be negative"):
        split(D("1.00"), amounts("1", "-1"))


def test_split_parts_are_decimal_cents():
    parts = split(D("100.00"), amounts("1", "2", "4"))
    assert parts == amounts("14.29", "28.57", "57.14")
    assert all(isinstance(p, Decimal) and p == p.quantize(CENT) for p in parts)
    assert [str(p) for p in parts] == ["14.29", "28.57", "57.14"]


cents = st.integers(min_value=-(10**17), max_value=10**17)
weight = st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False,
                     allow_infinity=False)


@given(total_cents=cents, weights=st.lists(weight, min_size=1, max_size=30))
def test_property_parts_add_up_to_the_total(total_cents, weights):
    total = from_cents(total_cents)
    parts = split(total, weights)
    assert len(parts) == len(weights)
    assert sum(parts, D(0)) == total
    assert all(p == p.quantize(CENT) for p in parts)


@given(total_cents=cents, weights=st.lists(weight, min_size=1, max_size=30))
def test_property_each_part_is_within_a_cent_of_its_exact_share(total_cents, weights):
    parts = split(from_cents(total_cents), weights)
    weight_sum = sum(Fraction(w) for w in weights)
    if weight_sum == 0:
        exact = [Fraction(total_cents, len(weights))] * len(weights)
    else:
        exact = [Fraction(total_cents) * Fraction(w) / weight_sum for w in weights]
    for part, share in zip(parts, exact, strict=True):
        assert abs(Fraction(to_cents(part)) - share) < 1
        # Same sign as the total (a part is never pushed the other way).
        assert to_cents(part) * total_cents >= 0


@given(total_cents=cents, weights=st.lists(weight, min_size=1, max_size=10))
def test_property_split_is_deterministic_and_symmetric_in_sign(total_cents, weights):
    total = from_cents(total_cents)
    assert split(total, weights) == split(total, list(weights))
    assert split(-total, weights) == [-p for p in split(total, weights)]


# -- cents ---------------------------------------------------------------------------------------

def test_cents_round_trip():
    assert to_cents(D("1234.50")) == 123450
    assert to_cents(D("-0.01")) == -1
    assert from_cents(123450) == D("1234.50")
    assert str(from_cents(-5)) == "-0.05"


# -- parse_amount --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("1234.50", "1234.50"), ("1234.5", "1234.50"), ("1234", "1234.00"), (" 7.05 ", "7.05"),
    ("0", "0.00"), ("-120.00", "-120.00"), ("9999999999999999.99", "9999999999999999.99"),
])
def test_parse_amount_accepts_the_plain_form(text, expected):
    value = parse_amount(text)
    assert value == D(expected)
    assert str(value) == expected


@pytest.mark.parametrize("text", ["£1,234.50", "1.234,50", "12.345", "", "   ", "1,234",
                                  "$5", "1e3", ".5", "5.", "+5", "1 234", "abc", "NaN",
                                  "Infinity"])
def test_parse_amount_refuses_other_forms_naming_the_accepted_one(text):
    with pytest.raises(ValueError, match="1234.50"):
        parse_amount(text)


def test_parse_amount_can_refuse_negatives():
    with pytest.raises(ValueError, match="negative"):
        parse_amount("-1.00", allow_negative=False)
    assert parse_amount("0.00", allow_negative=False) == D("0.00")


def test_parse_amount_refuses_more_than_16_digits_before_the_point():
    with pytest.raises(ValueError, match="too large"):
        parse_amount("1" * 17)
    assert parse_amount("1" * 16) == D("1" * 16)


# -- formatting ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "currency", "text"), [
    (D("1234567"), "USD", "$1,234,567.00"),
    (D("-1200"), "USD", "-$1,200.00"),
    (D("0"), "USD", "$0.00"),
    (D("0.005"), "USD", "$0.00"),
    (D("0.015"), "USD", "$0.02"),
    (D("1234.5"), "EUR", "€1,234.50"),
    (D("99.99"), "GBP", "£99.99"),
    (D("10"), "SEK", "SEK 10.00"),
    (None, "USD", "n/a"),
])
def test_format_money(amount, currency, text):
    assert format_money(amount, currency) == text


def test_format_money_without_cents():
    assert format_money(D("1234567.49"), cents=False) == "$1,234,567"
    assert format_money(D("-1200.50"), cents=False) == "-$1,200"


@pytest.mark.parametrize(("amount", "text"), [
    (D("6120000"), "$6.12M"), (D("845200"), "$845.20K"), (D("2500000000"), "$2.50B"),
    (D("-6120000"), "-$6.12M"), (D("999.5"), "$999.50"), (None, "n/a"),
])
def test_format_compact(amount, text):
    assert format_compact(amount) == text
