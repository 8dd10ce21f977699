"""Write the demo data of Tandem: Northwind Analytics, a B2B software firm, fiscal year 2026.

Running ``python data/demo/generate.py`` writes ``plan.csv``, ``actuals.csv``, ``outcomes.csv``,
``targets.csv``, ``leads.csv`` and ``survey.csv`` next to this script, in the forms of
``DATA-CONTRACT.md``. The output is deterministic (seeded generators, fixed iteration order): two
runs give byte-identical files. Money is ``decimal.Decimal`` throughout; floats never touch it
(they only draw the leads' times and the survey's ratings). Standard library only.
"""

from __future__ import annotations

import csv
import math
import random
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 2026
FISCAL_YEAR = 2026
MONTHS = [f"{FISCAL_YEAR}-{m:02d}" for m in range(1, 13)]
ACTUAL_MONTHS = MONTHS[:10]  # the year so far: January to October

PLAN_HEADER = "fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description"
ACTUALS_HEADER = "owner,category,funnel_stage,channel,region,month,amount,description,reference"
OUTCOMES_HEADER = (
    "month,region,channel,sourced_by,leads,mqls,sqls,opportunities,wins,pipeline,revenue,"
    "renewals_due,renewals_won"
)
TARGETS_HEADER = "fiscal_year,kpi,period,target"
LEADS_HEADER = "lead_id,created_at,region,channel,sourced_by,mql_at,rep,first_touch_at,sql_at"
SURVEY_HEADER = "respondent,department,period,item,score"

CENT = Decimal("0.01")
DOLLAR = Decimal("1")
THOUSANDTH = Decimal("0.001")

# Region shares of spend and of the funnel.
REGIONS = {
    "North America": Decimal("0.45"),
    "EMEA": Decimal("0.30"),
    "APAC": Decimal("0.17"),
    "LATAM": Decimal("0.08"),
}

# Monthly seasonality of spend by category (relative weights, January to December).
FLAT = [1] * 12
SEASON = {
    "Events": [5, 6, 9, 15, 16, 12, 4, 4, 10, 15, 16, 8],  # spring and autumn show seasons
    "Programs": [9, 10, 11, 11, 11, 10, 8, 8, 11, 12, 11, 8],
    "Content": [9, 10, 10, 10, 10, 10, 9, 9, 10, 10, 10, 8],
    "Customer marketing": [8, 8, 10, 10, 12, 10, 8, 8, 10, 12, 12, 8],
    # Headcount grows with hiring through the year.
    "Headcount": [96, 97, 98, 99, 100, 101, 101, 102, 102, 103, 103, 104],
    "Commissions": [6, 7, 12, 7, 8, 13, 7, 7, 12, 8, 9, 16],  # quarter-end closes
    "Travel": [8, 10, 11, 11, 11, 10, 7, 7, 11, 12, 11, 7],
    "Enablement": [16, 8, 8, 10, 8, 8, 12, 8, 8, 8, 8, 6],  # January kick-off, July mid-year
}

# Budget lines: (owner, category, funnel_stage, channel, annual USD for the whole firm).
COMBOS: list[tuple[str, str, str, str, int]] = [
    # marketing: top of the funnel
    ("marketing", "Programs", "awareness", "Paid search", 360_000),
    ("marketing", "Programs", "awareness", "Paid social", 261_000),
    ("marketing", "Programs", "awareness", "Content & SEO", 72_000),
    ("marketing", "Programs", "awareness", "Partners", 54_000),
    ("marketing", "Programs", "awareness", "Webinars", 36_000),
    ("marketing", "Programs", "consideration", "Paid search", 135_000),
    ("marketing", "Programs", "consideration", "Paid social", 90_000),
    ("marketing", "Programs", "consideration", "Email nurture", 63_000),
    ("marketing", "Programs", "consideration", "Webinars", 68_000),
    ("marketing", "Programs", "consideration", "Content & SEO", 50_000),
    ("marketing", "Programs", "consideration", "Partners", 40_000),
    ("marketing", "Content", "awareness", "Content & SEO", 171_000),
    ("marketing", "Content", "awareness", "Paid social", 45_000),
    ("marketing", "Content", "consideration", "Content & SEO", 76_000),
    ("marketing", "Content", "consideration", "Webinars", 45_000),
    ("marketing", "Content", "consideration", "Email nurture", 36_000),
    ("marketing", "Content", "preference", "Webinars", 27_000),
    ("marketing", "Events", "awareness", "Trade shows", 270_000),
    ("marketing", "Events", "consideration", "Trade shows", 104_000),
    ("marketing", "Events", "consideration", "Webinars", 50_000),
    ("marketing", "Events", "consideration", "Field sales", 58_000),
    ("marketing", "Tools", "awareness", "Paid search", 36_000),
    ("marketing", "Tools", "awareness", "Content & SEO", 43_000),
    ("marketing", "Tools", "consideration", "Email nurture", 76_000),
    ("marketing", "Tools", "consideration", "Webinars", 27_000),
    ("marketing", "Research", "awareness", "Content & SEO", 50_000),
    # sales: mostly the purchase stage
    ("sales", "Headcount", "purchase", "Field sales", 621_000),
    ("sales", "Headcount", "purchase", "Inside sales", 369_000),
    ("sales", "Headcount", "consideration", "Inside sales", 207_000),
    ("sales", "Headcount", "loyalty", "Customer success", 225_000),
    ("sales", "Commissions", "purchase", "Field sales", 261_000),
    ("sales", "Commissions", "purchase", "Inside sales", 140_000),
    ("sales", "Commissions", "purchase", "Partners", 104_000),
    ("sales", "Travel", "purchase", "Field sales", 130_000),
    ("sales", "Travel", "purchase", "Inside sales", 14_000),
    ("sales", "Travel", "preference", "Field sales", 52_000),
    ("sales", "Travel", "preference", "Partners", 25_000),
    ("sales", "Travel", "loyalty", "Customer success", 22_000),
    ("sales", "Enablement", "purchase", "Field sales", 52_000),
    ("sales", "Enablement", "purchase", "Inside sales", 40_000),
    ("sales", "Enablement", "purchase", "Partners", 27_000),
    ("sales", "Enablement", "consideration", "Inside sales", 27_000),
    ("sales", "Enablement", "loyalty", "Customer success", 18_000),
    ("sales", "Tools", "purchase", "Inside sales", 61_000),
    ("sales", "Tools", "purchase", "Field sales", 43_000),
    ("sales", "Tools", "consideration", "Inside sales", 52_000),
    ("sales", "Tools", "loyalty", "Customer success", 34_000),
    # joint: the middle and the end of the funnel
    ("joint", "Events", "preference", "Trade shows", 158_000),
    ("joint", "Events", "preference", "Webinars", 34_000),
    ("joint", "Events", "preference", "Field sales", 94_000),
    ("joint", "Events", "loyalty", "Customer success", 70_000),
    ("joint", "Events", "advocacy", "Trade shows", 52_000),
    ("joint", "Events", "advocacy", "Webinars", 18_000),
    ("joint", "Enablement", "preference", "Partners", 79_000),
    ("joint", "Enablement", "preference", "Webinars", 25_000),
    ("joint", "Enablement", "preference", "Inside sales", 34_000),
    ("joint", "Enablement", "preference", "Field sales", 31_000),
    ("joint", "Customer marketing", "preference", "Content & SEO", 40_000),
    ("joint", "Customer marketing", "loyalty", "Customer success", 104_000),
    ("joint", "Customer marketing", "loyalty", "Email nurture", 43_000),
    ("joint", "Customer marketing", "loyalty", "Webinars", 25_000),
    ("joint", "Customer marketing", "advocacy", "Customer success", 61_000),
    ("joint", "Customer marketing", "advocacy", "Content & SEO", 34_000),
    ("joint", "Customer marketing", "advocacy", "Partners", 34_000),
    ("joint", "Customer marketing", "advocacy", "Trade shows", 22_000),
    ("joint", "Tools", "preference", "Email nurture", 34_000),
    ("joint", "Tools", "preference", "Inside sales", 43_000),
    ("joint", "Tools", "loyalty", "Customer success", 52_000),
]

# Descriptions on chosen plan lines: (owner, category, stage, channel, region, month) -> text.
# One starts with "-" and one with "=" (exports must escape them against CSV injection); one
# holds a comma (it must be quoted).
DESCRIPTIONS: dict[tuple[str, str, str, str, str, str], str] = {
    ("marketing", "Events", "awareness", "Trade shows", "North America", "2026-04"): (
        "Q2 launch campaign: SaaStr booth"
    ),
    ("marketing", "Events", "awareness", "Trade shows", "EMEA", "2026-05"): "Gartner Data Summit",
    ("marketing", "Events", "awareness", "Trade shows", "North America", "2026-10"): (
        "Autumn roadshow: Austin, Chicago, Toronto"
    ),
    ("marketing", "Programs", "awareness", "Paid search", "North America", "2026-01"): (
        "Always-on search"
    ),
    ("marketing", "Programs", "awareness", "Paid social", "EMEA", "2026-03"): (
        "Q2 launch campaign teaser"
    ),
    ("marketing", "Tools", "consideration", "Email nurture", "North America", "2026-01"): (
        "- carried over from 2025"
    ),
    ("sales", "Tools", "purchase", "Inside sales", "EMEA", "2026-07"): (
        "=dialer licences moved from Q3 2025"
    ),
    ("sales", "Headcount", "purchase", "Field sales", "APAC", "2026-04"): (
        "Two account executives, Singapore"
    ),
    ("sales", "Enablement", "purchase", "Field sales", "North America", "2026-01"): (
        "Sales kick-off"
    ),
    ("sales", "Commissions", "purchase", "Field sales", "North America", "2026-12"): (
        "Year-end accelerators"
    ),
    ("joint", "Events", "loyalty", "Customer success", "North America", "2026-06"): (
        "Northwind Connect user conference"
    ),
    ("joint", "Events", "loyalty", "Customer success", "EMEA", "2026-10"): (
        "Northwind Connect London"
    ),
    ("joint", "Customer marketing", "advocacy", "Customer success", "North America", "2026-05"): (
        "Customer advisory board"
    ),
    ("joint", "Enablement", "preference", "Partners", "LATAM", "2026-02"): (
        "Partner certification, Sao Paulo"
    ),
    ("joint", "Customer marketing", "preference", "Content & SEO", "EMEA", "2026-09"): (
        "Case study series (3 customers)"
    ),
}

# Unplanned spend: keys that match no plan line.
UNPLANNED = {
    ("marketing", "Agency fees", "awareness", "Paid social", "North America", "2026-03"): (
        "18750.00",
        "Creative agency retainer",
    ),
    ("marketing", "Agency fees", "awareness", "Paid social", "North America", "2026-06"): (
        "12400.00",
        "Creative agency, launch assets",
    ),
    ("marketing", "Agency fees", "consideration", "Content & SEO", "EMEA", "2026-05"): (
        "6850.00",
        "Translation agency",
    ),
    ("sales", "Recruiting", "purchase", "Field sales", "APAC", "2026-02"): (
        "22000.00",
        "Recruiter fee, AE Singapore",
    ),
    ("joint", "Events", "advocacy", "Customer success", "LATAM", "2026-08"): (
        "3180.45",
        "Customer dinner, Mexico City",
    ),
}

# Credit notes: net negative actuals on keys that exist in the plan.
CREDITS = {
    ("joint", "Events", "preference", "Trade shows", "APAC", "2026-07"): (
        "-1200.00",
        "Credit note: cancelled booth deposit",
    ),
    ("marketing", "Tools", "consideration", "Email nurture", "EMEA", "2026-09"): (
        "-850.00",
        "Credit note: licence downgrade",
    ),
    ("marketing", "Programs", "awareness", "Paid social", "LATAM", "2026-05"): (
        "-430.50",
        "Refund: unused ad credit",
    ),
}

VENDORS = {
    "Paid search": "Google Ads",
    "Paid social": "LinkedIn Ads",
    "Content & SEO": "Content studio",
    "Webinars": "ON24",
    "Trade shows": "Event venue",
    "Email nurture": "HubSpot",
    "Partners": "Partner MDF",
    "Field sales": "Field programme",
    "Inside sales": "Outreach",
    "Customer success": "Gainsight",
}

# Funnel rows: (channel, sourced_by, leads per month for the whole firm, deal size in USD,
# quality from 0 (conversion at the low end of each range) to 10 (the high end)).
FUNNEL = [
    ("Paid search", "marketing", 500, 27_000, 3),
    ("Paid social", "marketing", 350, 26_000, 2),
    ("Content & SEO", "marketing", 330, 29_000, 4),
    ("Webinars", "marketing", 190, 31_000, 5),
    ("Webinars", "joint", 70, 35_000, 6),
    ("Trade shows", "marketing", 170, 37_000, 4),
    ("Trade shows", "joint", 80, 41_000, 6),
    ("Email nurture", "marketing", 150, 28_000, 5),
    ("Partners", "joint", 190, 39_000, 6),
    ("Field sales", "sales", 290, 43_000, 9),
    ("Inside sales", "sales", 380, 30_000, 7),
    ("Customer success", "sales", 150, 26_000, 9),
    ("Customer success", "joint", 60, 28_000, 8),
]
# Conversion ranges in thousandths: lead->MQL, MQL->SQL, SQL->opportunity, opportunity->win.
CONVERSION = [(300, 450), (350, 500), (500, 700), (200, 300)]
# Renewals due per month for the whole firm, by Customer success row.
RENEWALS_DUE = {"sales": 70, "joint": 14}
# Funnel seasonality, January to December (also the shape of the monthly revenue targets).
FUNNEL_SEASON = [80, 85, 100, 95, 100, 110, 90, 85, 105, 110, 115, 125]


def money(value: Decimal) -> str:
    """Format money as a plain decimal with exactly two places, e.g. ``1234.50``."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def factor(rng: random.Random, low: int, high: int, scale: int = 1000) -> Decimal:
    """A random Decimal between low/scale and high/scale, inclusive."""
    return Decimal(rng.randint(low, high)) / Decimal(scale)


def stochastic_round(rng: random.Random, value: Decimal) -> int:
    """Round a non-negative value up with probability equal to its fraction (keeps the mean)."""
    whole = int(value)
    return whole + (1 if factor(rng, 0, 999_999, 1_000_000) < value - whole else 0)


def split(total: Decimal, weights: list[int], unit: Decimal) -> list[Decimal]:
    """Split total in proportion to weights, in multiples of unit, by largest remainder.

    The parts add up to total exactly (total must be a multiple of unit); ties go to the
    earlier part.
    """
    units = int(total / unit)
    exact = [Decimal(units) * w / sum(weights) for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: units - sum(parts)]:
        parts[i] += 1
    return [part * unit for part in parts]


def write_csv(name: str, header: str, rows: list[list[str]]) -> None:
    with open(HERE / name, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header.split(","))
        writer.writerows(rows)


def make_plan(rng: random.Random) -> list[list[str]]:
    """Cross each budget combination with the regions and the twelve months."""
    rows = []
    for owner, category, stage, channel, annual in COMBOS:
        season = SEASON.get(category, FLAT)
        season_total = sum(season)
        for region, share in REGIONS.items():
            for month, weight in zip(MONTHS, season, strict=True):
                amount = Decimal(annual) * share * Decimal(weight) / Decimal(season_total)
                amount = (amount * factor(rng, 920, 1080)).quantize(DOLLAR, rounding=ROUND_HALF_UP)
                key = (owner, category, stage, channel, region, month)
                rows.append([str(FISCAL_YEAR), *key, money(amount), DESCRIPTIONS.get(key, "")])
    return rows


def make_actuals(rng: random.Random, plan: list[list[str]]) -> list[list[str]]:
    """Spend for January to October: most plan lines at 85-112% of plan, some not yet spent."""
    rows = []
    invoice = credit = 0
    for line in plan:
        key = tuple(line[1:7])
        month = key[5]
        if month not in ACTUAL_MONTHS:
            continue
        if key in CREDITS:
            amount, text = CREDITS[key]
            credit += 1
            rows.append([*key, amount, text, f"CN-{FISCAL_YEAR}-{credit:04d}"])
            continue
        if rng.random() < 0.05:  # not yet spent
            continue
        amount = (Decimal(line[7]) * factor(rng, 850, 1120)).quantize(CENT, rounding=ROUND_HALF_UP)
        category, channel = key[1], key[3]
        if category in ("Headcount", "Commissions"):
            text, reference = "Payroll", f"PAYROLL-{month}"
        else:
            text = "Expense reports" if category == "Travel" else VENDORS[channel]
            invoice += 1
            reference = f"INV-{FISCAL_YEAR}-{invoice:05d}" if rng.random() < 0.93 else ""
        rows.append([*key, money(amount), text, reference])
    plan_keys = {tuple(line[1:7]) for line in plan}
    for key, (amount, text) in UNPLANNED.items():
        assert key not in plan_keys, key
        invoice += 1
        rows.append([*key, amount, text, f"INV-{FISCAL_YEAR}-{invoice:05d}"])
    return rows


def make_outcomes(rng: random.Random) -> list[list[str]]:
    """The shared funnel for January to October, one row per month, region, channel, source."""
    rows = []
    for month, weight in zip(ACTUAL_MONTHS, FUNNEL_SEASON[: len(ACTUAL_MONTHS)], strict=True):
        for region, share in REGIONS.items():
            for channel, sourced_by, leads_base, deal_base, quality in FUNNEL:
                expected = Decimal(leads_base) * share * Decimal(weight) / 100
                counts = [stochastic_round(rng, expected * factor(rng, 850, 1150))]
                for low, high in CONVERSION:
                    centre = low + (high - low) * quality // 10
                    rate = factor(rng, max(low, centre - 50), min(high, centre + 50))
                    counts.append(stochastic_round(rng, counts[-1] * rate))
                leads, mqls, sqls, opportunities, wins = counts
                deal = (Decimal(deal_base) * factor(rng, 930, 1070)).quantize(DOLLAR)
                won_deal = (deal * factor(rng, 900, 1050)).quantize(DOLLAR)
                due = won = 0
                if channel == "Customer success":
                    due_expected = Decimal(RENEWALS_DUE[sourced_by]) * share
                    due = stochastic_round(rng, due_expected * factor(rng, 800, 1200))
                    won = stochastic_round(rng, due * factor(rng, 840, 960))
                rows.append(
                    [
                        month,
                        region,
                        channel,
                        sourced_by,
                        str(leads),
                        str(mqls),
                        str(sqls),
                        str(opportunities),
                        str(wins),
                        money(opportunities * deal),
                        money(wins * won_deal),
                        str(due),
                        str(won),
                    ]
                )
    return rows


def percent(numerator: Decimal, denominator: Decimal) -> str:
    return f"{(100 * numerator / denominator).quantize(DOLLAR, rounding=ROUND_HALF_UP)}%"


def make_targets(plan: list[list[str]], outcomes: list[list[str]]) -> list[list[str]]:
    """Targets a little above the annualised run-rate of the year so far (attainment ~95%)."""
    year = str(FISCAL_YEAR)
    # Annualise the year so far along the funnel seasonality, then stretch by 5%.
    so_far = Decimal(sum(FUNNEL_SEASON[: len(ACTUAL_MONTHS)]))
    stretch = Decimal(sum(FUNNEL_SEASON)) / so_far * Decimal("1.05")
    columns = ["leads", "mqls", "sqls", "opportunities", "wins", "pipeline", "revenue"]
    totals = {name: sum(Decimal(row[4 + i]) for row in outcomes) for i, name in enumerate(columns)}
    annual = {name: total * stretch for name, total in totals.items()}
    revenue = annual["revenue"].quantize(Decimal("1E5"), rounding=ROUND_HALF_UP)
    pipeline = annual["pipeline"].quantize(Decimal("1E5"), rounding=ROUND_HALF_UP)
    counts = {name: annual[name].quantize(Decimal("1E1")) for name in columns[:5]}
    spend = sum(Decimal(line[7]) for line in plan).quantize(Decimal("1E3"), rounding=ROUND_HALF_UP)
    marketing = sum(Decimal(row[10]) for row in outcomes if row[3] == "marketing")
    rows = [
        [year, "revenue", year, money(revenue)],
        [year, "pipeline", year, money(pipeline)],
        *[[year, name, year, str(int(value))] for name, value in counts.items()],
        [year, "win_rate", year, percent(counts["wins"], counts["opportunities"])],
        [year, "lead_to_win", year, str((counts["wins"] / counts["leads"]).quantize(THOUSANDTH))],
        [year, "spend", year, money(spend)],
        [year, "budget_variance", year, "0"],
        [year, "cac", year, money((spend / counts["wins"]).quantize(DOLLAR))],
        [year, "roi", year, str(((revenue - spend) / spend).quantize(CENT))],
        [year, "marketing_sourced_share", year, percent(marketing, totals["revenue"])],
        [year, "retention_rate", year, "90%"],
    ]
    # Months split the year's revenue target exactly; quarters are the sums of their months.
    monthly = {
        "revenue": split(revenue, FUNNEL_SEASON, Decimal("1000")),
        "pipeline": split(pipeline, FUNNEL_SEASON, Decimal("1000")),
    }
    for name, months in monthly.items():
        for quarter in range(4):
            target = sum(months[3 * quarter : 3 * quarter + 3])
            rows.append([year, name, f"{year}-Q{quarter + 1}", money(target)])
    for month, target in zip(MONTHS, monthly["revenue"], strict=True):
        rows.append([year, "revenue", month, money(target)])
    return rows


# -- the hand-off, lead by lead ------------------------------------------------------------------
# The CRM's leads behind the outcomes: each outcomes row's leads, MQLs and SQLs are that many
# leads of its month, region, channel and source, so the KPI page's MQLs and the hand-off's agree.
# A few leads of December 2025 (the month before the fiscal year) come before them; the data end
# with October, the demo's as-of month. Times are UTC; each region works its own business hours.
LEADS_FROM, LEADS_TO = datetime(2025, 12, 1), datetime(2026, 11, 1)
BEFORE_THE_YEAR = "2025-12"
BEFORE_SHARE = 0.1  # December's leads, against January's
# (UTC hour a region's working day starts, the reps leads of the region are routed to).
REGION_DAYS = {"North America": 14, "EMEA": 8, "APAC": 1, "LATAM": 12}
REPS = {
    "North America": ("Alex Morgan", "Jamie Chen"),
    "EMEA": ("Priya Shah", "Lukas Weber"),
    "APAC": ("Kenji Sato",),
    "LATAM": ("Camila Rocha",),
}
SLOW_REP = "Lukas Weber"  # often past the 24-hour first-touch window
# July 2026: marketing committed more MQLs for its summer campaign, which then paused: July
# fell short of its target. A month's weight in the MQL commitment (FUNNEL_SEASON otherwise).
COMMITMENT_WEIGHT = {7: 118}
NEVER_TOUCHED = 0.02  # MQLs sales never follows up


def _weekday_time(rng: random.Random, day: datetime, start_hour: int) -> datetime:
    """A time in the region's working day (ten hours from its start, UTC)."""
    return day + timedelta(hours=start_hour, minutes=rng.randint(0, 10 * 60 - 1),
                           seconds=rng.randint(0, 59))


def _after(start: datetime, hours: float) -> datetime:
    return start + timedelta(seconds=round(hours * 3600))


def _touch_delay(rng: random.Random, rep: str, mql: datetime) -> float:
    """Hours from the hand-off to the rep's first call: a few hours as a rule; the slow rep
    takes most of a day, often more, and leaves the weekend's MQLs to Monday (the others pick
    up most of theirs on their phones)."""
    slow = rep == SLOW_REP
    hours = rng.lognormvariate(math.log(19 if slow else 2.5), 0.55 if slow else 0.75)
    if mql.weekday() >= 5 and (slow or rng.random() < 0.3):
        monday = (mql + timedelta(days=7 - mql.weekday())).replace(hour=8, minute=0, second=0)
        hours = max(hours, (monday - mql).total_seconds() / 3600 + rng.uniform(0.2, 3))
    return hours


def _stamp(moment: datetime | None) -> str:
    """A time as the CRM exports it (UTC); empty for none, or for one after the data's end."""
    return "" if moment is None or moment >= LEADS_TO else f"{moment:%Y-%m-%d %H:%M:%S}"


def _days(month: str) -> list[datetime]:
    year, number = int(month[:4]), int(month[5:])
    first = datetime(year, number, 1)
    return [first + timedelta(days=d) for d in range(31)
            if (first + timedelta(days=d)).month == number]


def make_leads(rng: random.Random, outcomes: list[list[str]]) -> list[list[str]]:
    """One row per lead: its month's leads of a region, channel and source as the outcomes
    count them, that many of them qualified by marketing in the month (most within a day of
    coming in), routed to a rep of the region and touched (as a rule within hours), and that
    many accepted by sales. What would happen after the end of October (the demo's as-of
    month) has not happened yet: the latest MQLs wait for a rep's call."""
    found = []
    for row in outcomes:
        month, region, channel, sourced_by = row[:4]
        leads, mqls, sqls = (int(n) for n in row[4:7])
        months = [(month, leads, mqls, sqls)]
        if month == f"{FISCAL_YEAR}-01":
            months.append((BEFORE_THE_YEAR, *(round(n * BEFORE_SHARE) for n in (leads, mqls,
                                                                             sqls))))
        for when, count, qualified, accepted in months:
            days = _days(when)
            found += [_lead(rng, days, region, channel, sourced_by, i < qualified, i < accepted)
                      for i in range(count)]
    found.sort(key=lambda lead: lead[0])  # as the CRM numbers them: by creation
    return [[f"NW-{i + 1:06d}", _stamp(created), region, channel, sourced_by, _stamp(mql),
             rep or "", _stamp(touch), _stamp(accepted)]
            for i, (created, region, channel, sourced_by, mql, rep, touch, accepted)
            in enumerate(found)]


def _lead(rng: random.Random, days: list[datetime], region: str, channel: str,
          sourced_by: str, qualified: bool, accepted: bool) -> tuple:
    """(created, region, channel, sourced_by, mql, rep, first touch, sql): times or None. A
    qualified lead's MQL falls in the month; it came in some hours before."""
    # Fewer at the weekend (web forms keep coming, events and calls do not).
    day = rng.choices(days, weights=[1 if d.weekday() < 5 else 0.3 for d in days])[0]
    moment = _weekday_time(rng, day, REGION_DAYS[region])
    if not qualified:
        return moment, region, channel, sourced_by, None, None, None, None
    nurture = 60 if channel == "Email nurture" else 14  # hours from a lead to an MQL, median
    created = _after(moment, -min(rng.lognormvariate(math.log(nurture), 0.9), 24 * 20))
    mql, rep = moment, rng.choice(REPS[region])
    if mql >= LEADS_TO:
        return created, region, channel, sourced_by, None, None, None, None
    if not accepted and rng.random() < NEVER_TOUCHED:
        return created, region, channel, sourced_by, mql, rep, None, None
    touch = _after(mql, _touch_delay(rng, rep, mql))
    sql = _after(touch, rng.uniform(6, 200)) if accepted else None
    if LEADS_TO - mql < timedelta(hours=30) and rng.random() < 0.7:
        touch = sql = None  # the last day's MQLs: most wait for a call
    return created, region, channel, sourced_by, mql, rep, touch, sql


def make_mql_targets(targets: list[list[str]]) -> list[list[str]]:
    """Monthly `mqls` targets for the fiscal year: the year's MQL target phased by the funnel's
    season (and marketing's July commitment), rounded to 5; the months add up to the year's."""
    year = next(Decimal(r[3]) for r in targets if r[1] == "mqls" and r[2] == str(FISCAL_YEAR))
    weights = [COMMITMENT_WEIGHT.get(m, w) for m, w in enumerate(FUNNEL_SEASON, start=1)]
    return [[str(FISCAL_YEAR), "mqls", month, str(target)]
            for month, target in zip(MONTHS, split(year, weights, Decimal(5)), strict=True)]


# -- the relationship survey ---------------------------------------------------------------------
SURVEY_PERIODS = (f"{FISCAL_YEAR}-Q2", f"{FISCAL_YEAR}-Q3")
SURVEY_RESPONDENTS = {"sales": ("S01", "S02", "S03", "S04", "S05"),
                      "marketing": ("M01", "M02", "M03", "M04", "M05", "M06")}
INCOMPLETE = ("M06", f"{FISCAL_YEAR}-Q3", 12)  # answered the first 12 statements only
# Mean rating of each statement (1 to 20) by each side: sales sees less of the relationship
# than marketing does (a 'defined' relationship to sales, an 'aligned' one to marketing), most of
# all on marketing's material (5), its part in key accounts (3, 13) and the shared funnel (14).
SURVEY_MEANS = {
    "sales": (2.6, 2.4, 2.0, 2.7, 1.9, 3.0, 2.8, 2.9, 2.5, 2.3,
              2.6, 2.7, 1.8, 2.1, 2.6, 2.9, 2.0, 1.9, 2.4, 2.5),
    "marketing": (3.2, 3.3, 3.6, 2.8, 3.9, 2.6, 3.7, 3.8, 3.6, 3.4,
                  3.7, 3.5, 3.5, 3.6, 3.9, 3.8, 2.9, 2.6, 3.5, 3.4),
}
SURVEY_GAIN = 0.15  # the third quarter a little better than the second, on both sides


def make_survey(rng: random.Random) -> list[list[str]]:
    rows = []
    for period_index, period in enumerate(SURVEY_PERIODS):
        for department, respondents in SURVEY_RESPONDENTS.items():
            for respondent in respondents:
                if respondent == "M06" and period_index == 0:
                    continue  # joined marketing in the third quarter
                bias = rng.uniform(-0.35, 0.35)
                items = range(1, 21)
                if (respondent, period) == INCOMPLETE[:2]:
                    items = range(1, INCOMPLETE[2] + 1)
                for item in items:
                    mean = SURVEY_MEANS[department][item - 1] + bias + SURVEY_GAIN * period_index
                    score = min(5, max(1, round(rng.gauss(mean, 0.6))))
                    rows.append([respondent, department, period, str(item), str(score)])
    return rows


def main() -> None:
    rng = random.Random(SEED)
    plan = make_plan(rng)
    actuals = make_actuals(rng, plan)
    outcomes = make_outcomes(rng)
    targets = make_targets(plan, outcomes)
    targets += make_mql_targets(targets)
    write_csv("plan.csv", PLAN_HEADER, plan)
    write_csv("actuals.csv", ACTUALS_HEADER, actuals)
    write_csv("outcomes.csv", OUTCOMES_HEADER, outcomes)
    write_csv("targets.csv", TARGETS_HEADER, targets)
    # Seeded apart, so the files above stay as they were.
    write_csv("leads.csv", LEADS_HEADER, make_leads(random.Random(SEED + 1), outcomes))
    write_csv("survey.csv", SURVEY_HEADER, make_survey(random.Random(SEED + 2)))


if __name__ == "__main__":
    main()
