"""What differs between the two stores' SQL, in one place: the embedded DuckDB file and PostgreSQL.

Domain SQL is written once, in the SQL both engines read (`?` placeholders; the PostgreSQL cursor
turns them into its own), and reaches for a fragment here only where the engines truly differ.
A store gives its dialect as `store.dialect`; a cursor of a PostgreSQL store as `cur.dialect`
(`of(cur)` answers for either). Functions DuckDB has and PostgreSQL lacks (`strftime`, `year`,
`month`, `day`, the `list` aggregate, the line key's `hash`) are created by the PostgreSQL text of
the first migration (`planning.store.migrations_postgres`), so SQL using them needs no fragment.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Dialect:
    name: str
    # An integer wide enough for a total in cents times a weight (allocation), and the type of
    # the line key's hash.
    huge_int: str
    hash_int: str
    # The schema domain tables live in, as information_schema names it.
    schema: str
    # `{a}` divided by `{b}`, both non-negative integers, rounded down.
    int_div: str
    # True when the text `{c}` matches the regular expression `{p}` anywhere.
    regexp_matches: str
    # The store's sequences with the last value each gave (NULL before the first).
    sequences: str
    # The quantiles `{qs}` (comma-separated fractions) of `{x}` as one list, each by linear
    # interpolation between the two nearest values, NULLs left out (NULL over no value):
    # DuckDB's quantile_cont is PostgreSQL's percentile_cont.
    quantiles_cont: str = ""
    # The microseconds from timestamp `{a}` to timestamp `{b}`, exact, as a BIGINT.
    micros_between: str = ""

    def div(self, a: str, b: str) -> str:
        return self.int_div.format(a=a, b=b)

    def matches(self, c: str, p: str) -> str:
        return self.regexp_matches.format(c=c, p=p)

    def quantiles(self, x: str, qs: tuple[float, ...]) -> str:
        return self.quantiles_cont.format(x=x, qs=", ".join(str(q) for q in qs))

    def micros(self, a: str, b: str) -> str:
        return self.micros_between.format(a=a, b=b)


DUCKDB = Dialect(
    name="duckdb",
    huge_int="HUGEINT",
    hash_int="UBIGINT",
    schema="main",
    int_div="({a} // {b})",
    regexp_matches="regexp_matches({c}, {p})",
    sequences="SELECT sequence_name, last_value FROM duckdb_sequences()",
    quantiles_cont="quantile_cont({x}, [{qs}])",
    micros_between="(epoch_us({b}) - epoch_us({a}))",
)

POSTGRES = Dialect(
    name="postgres",
    huge_int="NUMERIC(38, 0)",
    hash_int="BIGINT",
    schema="public",
    int_div="div({a}, {b})",
    regexp_matches="({c} ~ {p})",
    sequences="SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'",
    quantiles_cont="percentile_cont(ARRAY[{qs}]) WITHIN GROUP (ORDER BY {x})",
    micros_between="CAST(EXTRACT(EPOCH FROM {b} - {a}) * 1000000 AS BIGINT)",
)


def of(cur: Any) -> Dialect:
    """The dialect of a cursor: PostgreSQL cursors say so, a DuckDB cursor does not."""
    return getattr(cur, "dialect", DUCKDB)
