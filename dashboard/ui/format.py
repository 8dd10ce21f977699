"""Money and percentages as people read them: currency, thousands separators, n/a."""
from __future__ import annotations

from decimal import Decimal

from planning.money import format_compact, format_money

__all__ = ["axis_format", "format_compact", "format_money", "percent", "table_money_format"]


def percent(part: Decimal | None, whole: Decimal | None) -> str:
    if part is None or not whole:
        return "n/a"
    return f"{(Decimal(part) / Decimal(whole) * 100).quantize(Decimal('0.1'))}%"


def axis_format(currency: str) -> str:
    """d3 format for a money axis; the axis title names other currencies."""
    return "$,.0f" if currency == "USD" else ",.0f"


def table_money_format(currency: str) -> str:
    """st.column_config.NumberColumn format for money with separators."""
    return {"USD": "dollar", "EUR": "euro", "JPY": "yen"}.get(currency, "accounting")

