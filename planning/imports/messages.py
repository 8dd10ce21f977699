"""Turn a problem code into words a planner can act on: what is wrong, and the fix."""
from __future__ import annotations

import re

from planning.imports.kinds import CONTROL, MAX_AMOUNT, MAX_OFFSET_HOURS, YEARS, Column
from planning.imports.problems import clip
from planning.imports.source import SEPARATORS


def explain(code: str, col: Column | None, value: str | None,
            detail: str | None, chars: int | None = None, *, separator: str = ",",
            ) -> tuple[str, str]:
    """(message, fix) for a problem code; `detail` carries the other half of a cross-row check.

    `chars` is the length of the cell when `value` is only its start; `separator` is the
    file's (in a semicolon file a decimal comma is accepted, and the fixes say so).
    """
    sep = SEPARATORS.get(separator, "comma")
    point = ("',' or '.' before the cents" if separator == ";" else "'.' before the cents")
    example = "1234,50" if separator == ";" else "1234.50"
    chars = len(value or "") if chars is None else chars
    shown = "" if value is None else repr(clip(value, length=chars))
    form = col.describe() if col else ""
    name = col.name if col else ""
    longest = col.max_length if col else 0
    table = {
        "empty": ("is empty", f"fill in {name}: {form}"),
        "too_long": (f"is {chars} characters long, more than {longest}",
                     f"shorten it to at most {longest} characters"),
        "not_one_of": (f"{shown} is not one of the accepted values", f"use {form}"),
        "not_year": (f"{shown} is not a year", "write the fiscal year as four digits, e.g. 2026"),
        "year_range": (f"{shown} is not a fiscal year the store holds"
                       if not col or col.type != "timestamp" else
                       f"{shown} is in a year the store does not hold",
                       f"use a year from {YEARS[0]} to {YEARS[1]}, e.g. 2026"),
        "control": (f"{shown} holds a control character ({_controls(value, code)})",
                    "remove it: a cell holds text, tabs and line breaks only"),
        "total": (f"the amounts up to this row add up to {detail}, more than a total can hold"
                  f" ({MAX_AMOUNT})", "check the amounts for a typing error, or split the file"),
        "not_month": (f"{shown} is not a month", "write the month as YYYY-MM, e.g. 2026-03"),
        "not_amount": (f"{shown} is not a plain amount",
                       f"write digits with {point} and no currency sign or thousands"
                       f" separator, e.g. {example}"),
        "too_many_places": (f"{shown} has too many decimal places",
                            "a target takes at most 6 decimals (4 before a %)"
                            if col and col.type == "target" else
                            f"round it to cents: at most 2 decimals, e.g. {example}"),
        "too_large": (f"{shown} is too large", "check the figure: it has too many digits"),
        "negative": (f"{shown} is negative",
                     "use an amount of 0 or more (refunds and credit notes belong in actuals)"),
        "negative_count": (f"{shown} is negative", "a count is a whole number of 0 or more"),
        "not_count": (f"{shown} is not a whole number", "write a count as digits only, e.g. 42"),
        "not_decimal": (f"{shown} is not a number",
                        "write a number like 1250000.00, or a rate like 0.25 or 25%"),
        "bad_period": (f"{shown} is not a period",
                       "write YYYY for the year, YYYY-Qn for a fiscal quarter or YYYY-MM"),
        "bad_quarter": (f"{shown} is not a fiscal quarter",
                        "write the quarter as YYYY-Qn with n from 1 to 4, e.g. 2026-Q3"),
        "not_in_range": (f"{shown} is not {form}", f"use {form}"),
        "not_timestamp": (f"{shown} is not a time in an accepted form",
                          "write YYYY-MM-DD HH:MM or YYYY-MM-DD HH:MM:SS (read as UTC), or ISO"
                          " 8601 with a T and an offset, e.g. 2026-03-02T09:30:00+01:00"),
        "no_such_time": (f"{shown} is not a day of the calendar",
                         "check the day of the month (e.g. 2026-02-29 does not exist)"),
        "bad_offset": (f"{shown} has an offset from UTC of more than"
                       f" {MAX_OFFSET_HOURS} hours (or more than 59 minutes)",
                       "write the offset as +HH:MM or -HH:MM, e.g. +01:00, or Z for UTC"),
        "earlier": (f"{name} {value} is earlier than {detail} (both in UTC)",
                    f"correct {name} or {(detail or '').split(' ')[0]}: a lead is created, then"
                    " handed over as an MQL, then touched or accepted by sales"),
        "rep_missing": (f"rep is empty, but the lead has a {detail}",
                        "name the salesperson the lead was routed to (1 to 100 characters)"),
        "two_departments": (f"department {value} differs from row {detail}, for the same"
                            " respondent and quarter",
                            "a respondent answers a quarter for one department: give all of"
                            " their rows of that quarter the same department"),
        "department_stored": (f"department {value} differs from the answers stored: {detail}",
                              "use the department stored, or include all 20 items of this"
                              " respondent's quarter with the new one"),
        "month_outside": (f"month {value} is not in fiscal year {detail}",
                          "correct the month or the fiscal_year of this row"),
        "month_closed": (f"month {value} is closed: its fiscal year's actuals run to {detail}",
                         "forecast only the months after it (a closed month counts its"
                         " actuals)"),
        "period_outside": (f"period {value} is not in fiscal year {detail}",
                           "correct the period or the fiscal_year of this row"),
        "renewals": (f"renewals_won {value} is more than renewals_due {detail}",
                     "renewals_won must be at most renewals_due"),
        "too_few_cells": (f"this row has {detail}",
                          f"check for a missing {sep}: each row needs a cell, even an empty one,"
                          " for every column of the header"),
        "too_many_cells": (f"this row has {detail}",
                           f"a cell holds a {sep}: put that cell in double quotes, and write"
                           " amounts without thousands separators (12500.00, not 12,500.00)"),
        "duplicate": (f"this row has the same key as row {detail} ({value})",
                      "keep one of the two rows, or merge their amounts into one"),
        "signed_off": (f"the line {value} is signed off and cannot be changed by an import",
                       "remove this row, or have the line reopened in review first"),
        "scenario_locked": (f"scenario {detail} is locked; no line of it can be changed",
                            "import into another scenario, or have the scenario reopened"),
    }
    return table[code]


_CONTROL = re.compile(CONTROL)


def _controls(value: str | None, code: str) -> str:
    """The control characters of a cell, named as code points: 'U+001B, U+0007'."""
    if code != "control":  # the table above is built whole; only this code needs the scan
        return ""
    found = sorted(set(_CONTROL.findall(value or "")))
    return ", ".join(f"U+{ord(c):04X}" for c in found[:5])
