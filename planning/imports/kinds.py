"""The contract's CSV kinds, column by column, and the SQL that checks and converts a cell.

A column type is an ordered list of (problem code, SQL condition on the trimmed cell `v`). A cell
is valid when no condition holds; the first that holds names its problem. The same conditions
guard the conversion, so the checks and the typed value can never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from planning.kpis import KPI_NAMES
from planning.model import FUNNEL_STAGES, OWNERS

SURVEY_DEPARTMENTS = ("sales", "marketing")  # a file's answers; the app's may be 'neutral'
SURVEY_ITEMS = 20

AMOUNT = r"-?[0-9]+(\.[0-9]{1,2})?"
MAX_AMOUNT = Decimal("9999999999999999.99")  # DECIMAL(18,2), the store's money
YEARS = (1900, 2999)  # the fiscal years the store holds (a CHECK on fiscal_years)
# Control characters a spreadsheet cell cannot hold (XML, and so .xlsx, has no way to write
# them): every C0 control but tab, line feed and carriage return. NUL refuses the whole file.
CONTROL = r"[\x01-\x08\x0b\x0c\x0e-\x1f]"
# A timestamp (leads): `YYYY-MM-DD HH:MM`, with `:SS` and a fraction of a second or not, a `T`
# for the space (ISO 8601), and an offset from UTC or not (`Z`, `+02`, `+0200`, `+02:00`).
_DAYS = "(0[1-9]|[12][0-9]|3[01])"
_TIME = r"[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,9})?)?"
TIMESTAMP = f"[0-9]{{4}}-(0[1-9]|1[0-2])-{_DAYS}{_TIME}(Z|[+-][0-9]{{2}}(:?[0-9]{{2}})?)?"
MAX_OFFSET_HOURS = 14  # no place is further from UTC: a larger offset is a typing error
# An offset of at most 14 hours, its minutes 00 to 59.
VALID_OFFSET = "[+-]((0[0-9]|1[0-3])(:?[0-5][0-9])?|14(:?00)?)"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = True
    max_length: int = 60
    values: tuple[str, ...] = ()
    default: str | None = None
    low: int = 0    # the range of an "integer" column
    high: int = 0

    def describe(self) -> str:
        """The accepted form, in words, for error messages and the README."""
        return {
            "year": "a four-digit year, e.g. 2026",
            "enum": "one of " + ", ".join(self.values),
            "text": f"text of 1 to {self.max_length} characters",
            "month": "a month written YYYY-MM, e.g. 2026-03",
            "money": "an amount of 0 or more like 1234.50",
            "signed_money": "an amount like 1234.50 or -120.00",
            "count": "a whole number of 0 or more",
            "target": "a number like 1250000.00, or a rate like 0.25 or 25%",
            "period": "YYYY, YYYY-Qn or YYYY-MM",
            "timestamp": "a time written YYYY-MM-DD HH:MM or YYYY-MM-DD HH:MM:SS (UTC), or ISO"
                         " 8601 with T and an offset, e.g. 2026-03-02T09:30:00+01:00",
            "quarter": "a fiscal quarter written YYYY-Qn, e.g. 2026-Q3",
            "integer": f"a whole number from {self.low} to {self.high}",
        }[self.type]


def text(name: str, max_length: int = 60, required: bool = True) -> Column:
    return Column(name, "text", required, max_length)


def enum(name: str, values: tuple[str, ...]) -> Column:
    return Column(name, "enum", values=values)


def count(name: str, required: bool = True) -> Column:
    return Column(name, "count", required, default=None if required else "0")


def timestamp(name: str, required: bool = True) -> Column:
    return Column(name, "timestamp", required)


def integer(name: str, low: int, high: int) -> Column:
    return Column(name, "integer", low=low, high=high)


@dataclass(frozen=True)
class Kind:
    name: str
    table: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    control: str | None  # the money column whose sum is the file's control total
    # Whether the table numbers its rows with an `id` of its own; without one (leads, survey
    # answers), a stored row is found and updated by the contract's key.
    numbered: bool = True

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


_LINE = (
    enum("owner", OWNERS),
    text("category"),
    enum("funnel_stage", FUNNEL_STAGES),
    text("channel"),
    text("region"),
    Column("month", "month"),
)
_LINE_KEY = ("owner", "category", "funnel_stage", "channel", "region", "month")

KINDS: dict[str, Kind] = {
    "plan": Kind(
        "plan",
        "plan_lines",
        (Column("fiscal_year", "year"), *_LINE, Column("amount", "money"),
         text("description", 200, required=False)),
        _LINE_KEY,
        "amount",
    ),
    "actuals": Kind(
        "actuals",
        "actuals",
        (*_LINE, Column("amount", "signed_money"), text("description", 200, required=False),
         text("reference", 100, required=False)),
        _LINE_KEY,
        "amount",
    ),
    "outcomes": Kind(
        "outcomes",
        "outcomes",
        (Column("month", "month"), text("region"), text("channel"), enum("sourced_by", OWNERS),
         count("leads"), count("mqls"), count("sqls"), count("opportunities"), count("wins"),
         Column("pipeline", "money"), Column("revenue", "money"),
         count("renewals_due", required=False), count("renewals_won", required=False)),
        ("month", "region", "channel", "sourced_by"),
        "revenue",
    ),
    "targets": Kind(
        "targets",
        "targets",
        (Column("fiscal_year", "year"), enum("kpi", KPI_NAMES), Column("period", "period"),
         Column("target", "target")),
        ("fiscal_year", "kpi", "period"),
        None,
    ),
    # The latest estimate of an open month, per plan key of the fiscal year's adopted plan
    # (planning.forecast): columns as in plan; the month must be open (see cross_row).
    "forecast": Kind(
        "forecast",
        "forecasts",
        (Column("fiscal_year", "year"), *_LINE, Column("amount", "money"),
         text("description", 200, required=False)),
        ("fiscal_year", *_LINE_KEY),
        "amount",
    ),
    # The hand-off from marketing to sales, one row per lead (planning.store: table leads).
    # Order of its times and the rep: see cross_row.
    "leads": Kind(
        "leads",
        "leads",
        (text("lead_id", 100), timestamp("created_at"), text("region"), text("channel"),
         enum("sourced_by", OWNERS), timestamp("mql_at", required=False),
         text("rep", 100, required=False), timestamp("first_touch_at", required=False),
         timestamp("sql_at", required=False)),
        ("lead_id",),
        None,
        numbered=False,
    ),
    # How each side rates the relationship: a respondent's rating of one of 20 statements in a
    # fiscal quarter (a respondent answers a quarter for one department: see cross_row).
    "survey": Kind(
        "survey",
        "survey_answers",
        (text("respondent", 100), enum("department", SURVEY_DEPARTMENTS),
         Column("period", "quarter"), integer("item", 1, SURVEY_ITEMS), integer("score", 1, 5)),
        ("respondent", "period", "item"),
        None,
        numbered=False,
    ),
}


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def trimmed(col: Column, present: bool, has_cr: bool = False) -> str:
    """SQL for the raw cell trimmed, NULL when empty (or the column's default when it has one).

    With `has_cr` (the file holds a CR somewhere), a line break in a text cell written CRLF or
    CR alone is read as LF, the one way a cell holds it, so an export reads back the same.
    """
    if not present:
        return f"'{col.default}'" if col.default is not None else "NULL::VARCHAR"
    cell = f'"{col.name}"'
    if has_cr and col.type == "text":
        cell = (f"CASE WHEN contains({cell}, chr(13)) THEN replace(replace({cell}, chr(13)"
                f" || chr(10), chr(10)), chr(13), chr(10)) ELSE {cell} END")
    # DuckDB's trim takes off Unicode spaces, at a sixth of the staging's time on a million
    # rows; a cell of ASCII characters with no space at either end, the most of them, has
    # nothing to take off (tabs and line ends are kept either way).
    trim = (f"CASE WHEN strlen({cell}) = length({cell}) AND NOT starts_with({cell}, ' ')"
            f" AND NOT ends_with({cell}, ' ') THEN {cell} ELSE trim({cell}) END")
    raw = f"nullif({trim}, '')"
    return f"coalesce({raw}, '{col.default}')" if col.default is not None else raw


def cleaned(col: Column, decimal_comma: bool = False) -> str:
    """SQL for the trimmed cell as the contract reads it: text loses its CSV-injection guard;
    with `decimal_comma` (a semicolon-separated file), a comma in a number is its decimal
    point (`1234,50`), so `1.234,50` becomes `1.234.50` and fails as a thousands separator."""
    v = f'"{col.name}"'
    if decimal_comma and col.type in ("money", "signed_money", "target"):
        return f"replace({v}, ',', '.')"
    if col.type != "text":
        return v
    # Exports prefix a cell that a spreadsheet would run as a formula with an apostrophe; a
    # cell that starts with apostrophes before such a character gets one more, so one goes.
    # Nested CASE: the pattern is tried only on a cell that starts with an apostrophe (with an
    # AND it ran on every cell: the staging's CPU doubled on a million rows).
    guarded = f"regexp_matches({v}, '^''+[-=+@\\t\\r]')"
    return (f"(CASE WHEN starts_with({v}, chr(39)) THEN (CASE WHEN {guarded} THEN {v}[2:]"
            f" ELSE {v} END) ELSE {v} END)")


def checks(col: Column) -> list[tuple[str, str]]:
    """Ordered (code, condition) pairs; `@v` stands for the trimmed cell."""
    found: list[tuple[str, str]] = [("empty", "@v IS NULL")] if col.required else []
    kind = col.type
    if kind == "text":
        found += [("control", f"regexp_matches(@v, '{CONTROL}')"),
                  ("too_long", f"length(@v) > {col.max_length}")]
    elif kind == "enum":
        found.append(("not_one_of", f"lower(@v) NOT IN ({_sql_list(col.values)})"))
    elif kind == "year":
        found += [("not_year", "NOT regexp_full_match(@v, '[0-9]{4}')"),
                  ("year_range", f"NOT (TRY_CAST(@v AS INTEGER) BETWEEN {YEARS[0]} AND"
                                 f" {YEARS[1]})")]
    elif kind == "month":
        found.append(("not_month", "NOT regexp_full_match(@v, '[0-9]{4}-(0[1-9]|1[0-2])')"))
    elif kind in ("money", "signed_money"):
        found += [
            ("too_many_places", r"regexp_full_match(@v, '-?[0-9]+\.[0-9]{3,}')"),
            ("not_amount", f"NOT regexp_full_match(@v, '{AMOUNT}')"),
            ("too_large", "length(split_part(ltrim(@v, '-'), '.', 1)) > 16"),
        ]
        if kind == "money":
            found.append(("negative", "@v[1] = '-'"))
    elif kind == "count":
        found += [
            ("negative_count", "regexp_full_match(@v, '-[0-9]+')"),
            ("not_count", "NOT regexp_full_match(@v, '[0-9]+')"),
            ("too_large", "length(@v) > 15"),
        ]
    elif kind == "target":
        found += [
            ("not_decimal", r"NOT regexp_full_match(@v, '-?[0-9]+(\.[0-9]+)?%?')"),
            ("too_many_places", "length(split_part(rtrim(@v, '%'), '.', 2))"
                                " + CASE WHEN @v[-1] = '%' THEN 2 ELSE 0 END > 6"),
            ("too_large", "length(split_part(ltrim(rtrim(@v, '%'), '-'), '.', 1)) > 12"),
        ]
    elif kind == "period":
        period = "[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?"
        found.append(("bad_period", f"NOT regexp_full_match(upper(@v), '{period}')"))
    elif kind == "quarter":
        found.append(("bad_quarter", "NOT regexp_full_match(upper(@v), '[0-9]{4}-Q[1-4]')"))
    elif kind == "integer":
        found.append(("not_in_range", f"NOT (regexp_full_match(@v, '[0-9]{{1,9}}') AND"
                                       f" TRY_CAST(@v AS INTEGER) BETWEEN {col.low} AND"
                                       f" {col.high})"))
    elif kind == "timestamp":
        found += [
            ("not_timestamp", f"NOT regexp_full_match(@v, '{TIMESTAMP}')"),
            ("no_such_time", f"@v IS NOT NULL AND {_local_time('@v')} IS NULL"),
            # (the year's four digits compared as text: cheaper than reading them as a number)
            ("year_range", f"@v < '{YEARS[0]}' OR @v >= '{YEARS[1] + 1}'"),
            ("bad_offset", f"{_has_offset('@v')} AND NOT regexp_matches(@v, '{VALID_OFFSET}$')"),
        ]
    return found


# A timestamp cell's parts, read once the regular expression TIMESTAMP holds. Each is measured:
# string slicing and trimming in DuckDB cost ten times what a cast or a regular expression does
# (a million leads' four times were 40 s to check with them).
OFFSET = "[+-][0-9]{2}(:?[0-9]{2})?"  # (Z is UTC: a cast reads it as it is)


def _has_offset(v: str) -> str:
    return f"regexp_matches({v}, '{OFFSET}$')"


def _local_time(v: str) -> str:
    """SQL: the cell's date and time as written, to the second (a fraction is dropped)."""
    return (f"TRY_CAST(substr({v}, 1, CASE WHEN substr({v}, 17, 1) = ':' THEN 19 ELSE 16 END)"
            " AS TIMESTAMP)")


def _minus_offset(v: str) -> str:
    """SQL: the local time of a cell with an offset, less the offset (by parts of the text: the
    slow way, for the form DuckDB's cast does not read, HH:MM then an offset)."""
    o = f"replace(regexp_extract({v}, '[+-][0-9:]+$'), ':', '')"
    size = (f"(CAST(substr({o}, 2, 2) AS INTEGER) * 60"
            f" + coalesce(TRY_CAST(nullif(substr({o}, 4, 2), '') AS INTEGER), 0))")
    return (f"{_local_time(v)} - to_minutes(CASE WHEN substr({o}, 1, 1) = '-' THEN -{size}"
            f" ELSE {size} END)")


def timestamp_sql(v: str) -> str:
    """SQL: a checked timestamp cell as a TIMESTAMP in UTC, to the second.

    A cell without an offset (or with Z) is its local time. DuckDB's cast to TIMESTAMP reads an
    offset and ignores it (10:00+02:00 is 10:00): a cell with one is cast to TIMESTAMPTZ, whose
    instant the offset fixes whatever the session's time zone, and taken back as UTC; a form that
    cast does not read (HH:MM+02:00) is computed from its parts.
    """
    instant = (f"date_trunc('second', make_timestamp(epoch_us(TRY_CAST({v} AS TIMESTAMPTZ))))")
    # YYYY-MM-DD HH:MM and YYYY-MM-DD HH:MM:SS (T or a space), the forms of most cells, are
    # cast at once: measured, half the time of the general case on a million cells.
    return (f"(CASE WHEN length({v}) = 16 OR length({v}) = 19 AND substr({v}, 17, 1) = ':'"
            f" THEN TRY_CAST({v} AS TIMESTAMP) WHEN {_has_offset(v)}"
            f" THEN coalesce({instant}, {_minus_offset(v)}) ELSE {_local_time(v)} END)")


def convert(col: Column) -> str:
    """SQL for the stored value of a cleaned cell; NULL (never an error) when it is not valid."""
    v = f'"{col.name}"'
    return {
        "text": v,
        "enum": f"lower({v})",
        "year": f"TRY_CAST({v} AS INTEGER)",
        "month": f"TRY_CAST({v} || '-01' AS DATE)",
        "money": f"TRY_CAST({v} AS DECIMAL(18,2))",
        "signed_money": f"TRY_CAST({v} AS DECIMAL(18,2))",
        "count": f"TRY_CAST({v} AS BIGINT)",
        "target": f"(CASE WHEN {v}[-1] = '%' THEN TRY_CAST(TRY_CAST(rtrim({v}, '%')"
                  f" AS DECIMAL(18,6)) * 0.01 AS DECIMAL(18,6))"
                  f" ELSE TRY_CAST({v} AS DECIMAL(18,6)) END)",
        "period": f"upper({v})",
        "quarter": f"upper({v})",
        "integer": f"TRY_CAST({v} AS INTEGER)",
        "timestamp": timestamp_sql(v),
    }[col.type]


# One expression where `checks` needs several: the same cells pass (a test holds them equal),
# in a fifth of the time on a million rows (the amount column was the slowest to check). A time
# is one pattern holding the year's range and the offset's, and a day that may not exist (29 to
# 31) is cast to see (a quarter of the time of the checks on a million leads).
_EVERY_MONTH = "(0[1-9]|1[0-9]|2[0-8])"  # days every month has
_STRICT_TIME = f"(19|2[0-9])[0-9]{{2}}-(0[1-9]|1[0-2])-@days{_TIME}(Z|{VALID_OFFSET})?"
_VALID = {
    "money": r"regexp_full_match(@v, '[0-9]{1,16}(\.[0-9]{1,2})?')",
    "signed_money": r"regexp_full_match(@v, '-?[0-9]{1,16}(\.[0-9]{1,2})?')",
    # (a CASE: DuckDB evaluates its branches for the cells that reach them, an OR for all)
    "timestamp": (f"CASE WHEN @v IS NULL THEN NULL"
                  f" WHEN regexp_full_match(@v, '{_STRICT_TIME.replace('@days', _EVERY_MONTH)}')"
                  f" THEN true WHEN regexp_full_match(@v, '{_STRICT_TIME.replace('@days', _DAYS)}')"
                  f" THEN {_local_time('@v')} IS NOT NULL ELSE false END"),
}


def invalid(col: Column, controls: bool = True) -> str:
    """SQL that is true when the column's cleaned cell has any problem (see `checks`).

    `controls=False` leaves out the search for control characters, for a file known to have
    none (it is a fifth of the checks' time on a million rows).
    """
    v = f'"{col.name}"'
    if col.type in _VALID:
        empty = f"{v} IS NULL OR " if col.required else ""
        return f"({empty}NOT coalesce({_bind(_VALID[col.type], v)}, true))"
    conds = [f"coalesce({_bind(cond, v)}, false)" for code, cond in checks(col)
             if controls or code != "control"]
    return " OR ".join(conds) if conds else "false"


# Every problem code `checks` gives, numbered: staging keeps a bad cell's code as its number
# (one byte a cell; as text it was sixteen, 290 MB for a file of two million bad rows).
CODES = ("empty", "control", "too_long", "not_one_of", "not_year", "year_range", "not_month",
         "too_many_places", "not_amount", "too_large", "negative", "negative_count", "not_count",
         "not_decimal", "bad_period", "bad_quarter", "not_in_range", "not_timestamp",
         "no_such_time", "bad_offset")


def code_sql(col: Column) -> str:
    """CASE giving the first problem code of the column's cleaned cell, or NULL when valid."""
    v = f'"{col.name}"'
    whens = " ".join(f"WHEN {_bind(cond, v)} THEN '{code}'" for code, cond in checks(col))
    return f"CASE {whens} END" if whens else "NULL"


def code_number_sql(col: Column) -> str:
    """`code_sql` as the code's place in CODES (1 = the first), a UTINYINT."""
    v = f'"{col.name}"'
    whens = " ".join(f"WHEN {_bind(cond, v)} THEN {CODES.index(code) + 1}"
                     for code, cond in checks(col))
    return f"(CASE {whens} END)::UTINYINT" if whens else "NULL::UTINYINT"


def code_name_sql(number: str) -> str:
    """SQL naming the code whose number (see `code_number_sql`) is the expression `number`."""
    return f"([{_sql_list(CODES)}])[{number}]"


def _bind(condition: str, v: str) -> str:
    """Put the cell expression in place of `@v` in a condition."""
    return condition.replace("@v", v)
