"""The demo firm's year end in sight: a few forecasts of the open months, and variances explained
(one accepted on each side, one questioned), made through the domain as its people would."""
from __future__ import annotations

from decimal import Decimal

from planning.forecast import ForecastLine, open_lines, set_forecast
from planning.money import CENT
from planning.people import People
from planning.tandem import Tandem
from planning.variance import decide, explain, variances

# (who, owner, channel, month, change): forecasts of open-month lines, by a share of their plan
FORECASTS = (
    ("Sofia Sales", "sales", "Field sales", "2026-12", Decimal("1.15")),  # new reps on the road
    ("Pat Planner", "marketing", "Paid search", "2026-11", Decimal("0.90")),  # cheaper clicks
)
# (explained by, decided by or None, accept, category, text, question)
EXPLANATIONS = {
    "marketing": ("Marco Marketing", "Sofia Sales", True, "timing",
                  "Trade show deposits for next spring were booked in October.", ""),
    "sales": ("Sofia Sales", "Marco Marketing", False, "volume",
              "More field visits than planned to close Q3 deals.",
              "Which deals? Win rate in that region did not move."),
    "joint": ("Sofia Sales", "Marco Marketing", True, "price",
              "The partner event venue cost less than quoted.", ""),
}


def landing_in_progress(tandem: Tandem, year: int) -> None:
    people = People(tandem.store)
    store = tandem.store
    for name, owner, channel, month, share in FORECASTS:
        lines = [ln for ln in open_lines(store, year, [owner])
                 if ln.line.channel == channel and f"{ln.line.month:%Y-%m}" == month]
        set_forecast(store, people.get(name), year, [
            ForecastLine(*ln.line.key, (ln.line.amount * share).quantize(CENT))
            for ln in lines])
    found = variances(store, year)
    for owner, (by, decider, accept, category, text, question) in EXPLANATIONS.items():
        owed = sorted((g for g in found.groups if g.needs_explaining and g.owner == owner
                       and not g.is_total), key=lambda g: -abs(g.variance))
        if not owed:
            continue
        group = owed[0]
        explain(store, people.get(by), year, owner, group.channel, group.region, category, text)
        decide(store, people.get(decider), year, owner, group.channel, group.region,
               accept=accept, comment=question)
