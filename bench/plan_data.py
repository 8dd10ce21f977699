"""A seeded generator of valid plan CSV files (see DATA-CONTRACT.md, "plan"), shared by benchmarks.

Every line has a distinct key (owner, category, funnel_stage, channel, region, month): line i takes
combination (i * STRIDE) mod the number of combinations, and STRIDE is coprime with that number, so
N lines are N different keys, spread over every dimension even for small N.
"""
from __future__ import annotations

import csv
import math
import random
from pathlib import Path

from planning.model import FUNNEL_STAGES, OWNERS

FISCAL_YEAR = 2026
MONTHS = tuple(f"{FISCAL_YEAR}-{m:02d}" for m in range(1, 13))
CATEGORIES = (
    "Programs", "Headcount", "Events", "Tools", "Travel", "Enablement", "Content", "Brand",
    "Research", "Agencies", "Training", "Sponsorships", "Webinars", "Partners", "Promotions",
    "Print", "Video", "Analytics", "Field marketing", "Customer success", "Demand gen",
    "Public relations", "Community", "Recruiting", "Consulting", "Software", "Hardware",
    "Offsites", "Awards", "Gifts", "Samples", "Localisation",
)
CHANNELS = (
    "Paid search", "Paid social", "Organic search", "Email", "Events", "Field sales", "Partners",
    "Inside sales", "Display", "Webinars", "Direct mail", "Referrals", "Trade shows", "Podcasts",
    "Content syndication", "Affiliates", "Marketplace", "Outbound calls", "SMS", "Retargeting",
)
REGIONS = (
    "EMEA North", "EMEA South", "DACH", "UK & Ireland", "North America East",
    "North America West", "LATAM", "APAC", "ANZ", "Japan",
)
HEADER = ("fiscal_year", "owner", "category", "funnel_stage", "channel", "region", "month",
          "amount", "description")
DESCRIPTIONS = ("Q1 push", "Renewal campaign", "Launch, phase 2", 'The "big" event',
                "Shared with partners", "Carry-over from last year")
STRIDE = 7_919  # a prime; key_space() makes sure it divides no combination count


def key_space(lines: int) -> list[tuple[str, ...]]:
    """The dimensions, in mixed-radix order (month fastest); 20 categories, more if needed."""
    per_category = len(OWNERS) * len(FUNNEL_STAGES) * len(CHANNELS) * len(REGIONS) * len(MONTHS)
    count = max(20, math.ceil(lines / per_category))
    categories = (*CATEGORIES, *(f"Other {k}" for k in range(1, count - len(CATEGORIES) + 1)))
    if math.gcd(count * per_category, STRIDE) != 1:
        raise ValueError("STRIDE must be coprime with the number of combinations")
    return [categories[:count], CHANNELS, REGIONS, FUNNEL_STAGES, OWNERS, MONTHS]


def write_plan_csv(path: Path, lines: int, seed: int = 2026) -> Path:
    """Write `lines` valid plan lines with unique keys to `path` (plus the header)."""
    dims = key_space(lines)
    total = math.prod(len(d) for d in dims)
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(lines):
            j = i * STRIDE % total
            key = []
            for values in reversed(dims):  # decode j, fastest digit first
                j, digit = divmod(j, len(values))
                key.append(values[digit])
            month, owner, stage, region, channel, category = key
            cents = rng.randrange(0, 5_000_000)
            description = rng.choice(DESCRIPTIONS) if rng.random() < 0.2 else ""
            writer.writerow((FISCAL_YEAR, owner, category, stage, channel, region, month,
                             f"{cents // 100}.{cents % 100:02d}", description))
    return path
