"""Exact money: Decimal in Python, DECIMAL(18,2) in DuckDB, never float."""
from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal

CENT = Decimal("0.01")
RATIO = Decimal("0.000001")  # rates and ratios keep six decimals
ZERO = Decimal("0.00")
# DECIMAL(18,2) holds 16 digits before the point.
MAX_INTEGER_DIGITS = 16
PLAIN_AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]{1,2})?")
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CHF": "CHF "}


def parse_amount(text: str, *, allow_negative: bool = True) -> Decimal:
    """Parse the contract's plain amount (`1234.50`); raise ValueError naming the accepted form."""
    cleaned = text.strip()
    if not PLAIN_AMOUNT.fullmatch(cleaned):
        raise ValueError(f"{text!r} is not a plain amount; write it like 1234.50")
    if not allow_negative and cleaned.startswith("-"):
        raise ValueError(f"{text!r} is negative; the amount must be 0 or more")
    if len(cleaned.lstrip("-").split(".")[0]) > MAX_INTEGER_DIGITS:
        raise ValueError(f"{text!r} is too large")
    return Decimal(cleaned).quantize(CENT)


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_EVEN))


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def split(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `total` pro rata to `weights` so the parts add up to the total, to the cent.

    Largest-remainder method in exact integer arithmetic: every part gets its floor in cents,
    then the cents left over go to the parts with the largest remainders; ties go to the earlier
    part, so the result depends only on the order the caller gives.
    """
    if not weights:
        raise ValueError("nothing to split over")
    if any(not Decimal(w).is_finite() or w < 0 for w in weights):
        raise ValueError("weights must be finite and must not be negative")
    # Whole numbers in the same proportions: scale by the most decimal places of any weight.
    places = max(max(-Decimal(w).as_tuple().exponent, 0) for w in weights)
    units = [int(Decimal(w).scaleb(places)) for w in weights]
    if sum(units) == 0:
        units = [1] * len(units)
    whole = sum(units)
    total_cents = to_cents(total)
    magnitude = abs(total_cents)
    floors = [magnitude * u // whole for u in units]
    remainders = [magnitude * u % whole for u in units]
    left = magnitude - sum(floors)
    for i in sorted(range(len(units)), key=lambda i: (-remainders[i], i))[:left]:
        floors[i] += 1
    sign = -1 if total_cents < 0 else 1
    return [from_cents(sign * c) for c in floors]


def ratio(top: Decimal | int, bottom: Decimal | int) -> Decimal | None:
    """top / bottom to six decimals; none when the denominator is zero (n/a, never 0 or
    infinity)."""
    return None if not bottom else (Decimal(top) / Decimal(bottom)).quantize(RATIO)


def format_money(amount: Decimal | None, currency: str = "USD", *, cents: bool = True) -> str:
    """`$1,234,567.00`, `-$1,200.00`, or `n/a` for a missing amount."""
    if amount is None:
        return "n/a"
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    places = CENT if cents else Decimal(1)
    value = Decimal(amount).quantize(places, rounding=ROUND_HALF_EVEN)
    digits = f"{abs(value):,.2f}" if cents else f"{abs(value):,.0f}"
    return f"-{symbol}{digits}" if value < 0 else f"{symbol}{digits}"


def format_compact(amount: Decimal | None, currency: str = "USD") -> str:
    """`$6.12M`, `$845.2K`: for tiles where the full figure would not fit."""
    if amount is None:
        return "n/a"
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    value = Decimal(amount)
    sign = "-" if value < 0 else ""
    value = abs(value)
    for size, suffix in ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "K")):
        if value >= size:
            return f"{sign}{symbol}{(value / size).quantize(Decimal('0.01'))}{suffix}"
    return f"{sign}{symbol}{value.quantize(CENT):,}"
