"""The joint KPIs of a fiscal year, a period and filters, against their targets.

Periods are named as targets are: `YYYY` (the fiscal year), `YYYY-Qn` (fiscal quarter n),
`YYYY-MM` (a month), plus `YYYY-YTD` (the months up to the last one with actuals or outcomes)
and `YYYY-YTDn` (the first n months: the same span of another year).
Region and channel filters apply to outcomes, spend and plan; `sourced_by` to outcomes only
(spend is not sourced). Where a period has no target of its own, counts and money take the sum
of its monthly targets when all are set, else the annual target phased evenly by month; ratios
take the annual target. Status, by default: green at or above 100% attainment, amber from
90%, red below; budget variance is green within ±5% and amber within ±10%. The thresholds are
settings of the store (`Thresholds`, `set_thresholds`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from planning import access, audit
from planning.errors import Refused
from planning.kpis import FORMULAS, KPI, KPIS, Totals, attainment
from planning.money import CENT, ZERO
from planning.people import Person
from planning.store import Store
from planning.store import kpi_sql as sql


@dataclass(frozen=True)
class Thresholds:
    """Attainment from which a KPI is green / amber, and budget variance within which it is."""

    green: Decimal = Decimal("1.00")
    amber: Decimal = Decimal("0.90")
    variance_green: Decimal = Decimal("0.05")
    variance_amber: Decimal = Decimal("0.10")

    def describe(self) -> str:
        return (f"on track at {self.green * 100:.0f}% of target or better, watch from"
                f" {self.amber * 100:.0f}%, off track below (budget variance: within"
                f" ±{self.variance_green * 100:.0f}% / ±{self.variance_amber * 100:.0f}%)")


DEFAULT_THRESHOLDS = Thresholds()
SETTING = "kpi_thresholds"  # four decimals, comma-separated, in Thresholds' field order


def thresholds(store: Store) -> Thresholds:
    found = store.scalar("SELECT value FROM settings WHERE key = ?", [SETTING])
    return Thresholds(*(Decimal(v) for v in found.split(","))) if found else DEFAULT_THRESHOLDS


def set_thresholds(store: Store, actor: Person | str, new: Thresholds) -> None:
    """Change the status thresholds (an executive, or the server's administrator)."""
    who = access.require(access.person(actor), "configure")
    values = (new.green, new.amber, new.variance_green, new.variance_amber)
    if any(not Decimal(v).is_finite() or v < 0 for v in values):
        raise Refused("thresholds are numbers of 0 or more")
    if new.amber > new.green or new.variance_green > new.variance_amber:
        raise Refused("amber starts below green: green ≥ amber, and the green variance band"
                      " is the narrower one")
    before = thresholds(store)

    def work(cur) -> None:
        cur.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET"
                    " value = excluded.value", [SETTING, ",".join(str(v) for v in values)])
        audit.record(cur, who.name, "set thresholds", "KPI status",
                     before={"thresholds": before.describe()},
                     after={"thresholds": new.describe()})

    store.write(work)


@dataclass(frozen=True)
class KpiFilter:
    regions: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    sourced_by: tuple[str, ...] = ()

    def where(self, *, outcomes: bool) -> tuple[str, list]:
        clauses, params = [], []
        fields = [("region", self.regions), ("channel", self.channels)]
        if outcomes:
            fields.append(("sourced_by", self.sourced_by))
        for column, values in fields:
            if values:
                clauses.append(f"AND x.{column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
        return " ".join(clauses), params


@dataclass(frozen=True)
class KpiResult:
    kpi: str
    period: str
    actual: Decimal | int | None
    target: Decimal | None
    attainment: Decimal | None
    status: str | None  # "green", "amber", "red", or None without a target


def fiscal_months(store: Store, year: int) -> list[date]:
    start = store.fiscal_year_start_month
    return [date(year + (start - 1 + i) // 12, (start - 1 + i) % 12 + 1, 1) for i in range(12)]


def period_months(store: Store, year: int, period: str) -> list[date]:
    months = fiscal_months(store, year)
    suffix = period[5:] if len(period) > 4 else ""
    if not suffix:
        return months
    if suffix == "YTD":
        last = store.scalar(sql.LAST_MONTH_WITH_DATA, [months])
        return [m for m in months if last is not None and m <= last]
    if suffix.startswith("YTD"):
        return months[: int(suffix[3:])]
    if suffix.startswith("Q"):
        n = int(suffix[1:])
        return months[3 * (n - 1): 3 * n]
    month = date(int(period[:4]), int(suffix), 1)
    return [month] if month in months else []


def previous_period(store: Store, year: int, period: str) -> str | None:
    """The period before: the quarter or month before, or the same span of last year."""
    suffix = period[5:] if len(period) > 4 else ""
    if not suffix:
        return f"{year - 1}"
    if suffix.startswith("YTD"):
        return f"{year - 1}-YTD{len(period_months(store, year, period))}"
    if suffix.startswith("Q"):
        n = int(suffix[1:])
        return f"{year}-Q{n - 1}" if n > 1 else f"{year - 1}-Q4"
    months = fiscal_months(store, year)
    month = date(int(period[:4]), int(suffix), 1)
    i = months.index(month)
    if i:
        return f"{months[i - 1]:%Y-%m}"
    before = fiscal_months(store, year - 1)[-1]
    return f"{before:%Y-%m}"


def totals(store: Store, year: int, months: list[date], where: KpiFilter) -> Totals:
    """The sums of a set of months."""
    return _totals(store, year, months, where).get(None, Totals())


def _totals(store: Store, year: int, months: list[date], where: KpiFilter, *,
            by_month: bool = False) -> dict[date | None, Totals]:
    """Sums over the months, per month when `by_month`, else under the key None."""
    if not months:
        return {}
    o_where, o_params = where.where(outcomes=True)
    s_where, s_params = where.where(outcomes=False)
    group = ({"group": "x.month,", "group_by": "GROUP BY x.month"} if by_month else
             {"group": "NULL,", "group_by": ""})
    with store.cursor() as cur:
        outcomes = cur.execute(sql.OUTCOMES.format(where=o_where, **group),
                               [months, *o_params]).fetchall()
        spend = dict(cur.execute(sql.SPEND.format(where=s_where, **group),
                                 [months, *s_params]).fetchall())
        adopted = cur.execute("SELECT adopted_scenario FROM fiscal_years WHERE fiscal_year = ?",
                              [year]).fetchone()
        planned = dict(cur.execute(sql.PLANNED.format(where=s_where, **group),
                                   [year, adopted[0] if adopted else "baseline", months,
                                    *s_params]).fetchall())
    found = {key: (int(a or 0), int(b or 0), int(c or 0), int(d or 0), int(e or 0),
                   f if f is not None else ZERO, g if g is not None else ZERO,
                   h if h is not None else ZERO, int(i or 0), int(j or 0))
             for key, a, b, c, d, e, f, g, h, i, j in outcomes}
    keys = set(found) | set(spend) | set(planned)
    empty = (0, 0, 0, 0, 0, ZERO, ZERO, ZERO, 0, 0)
    return {key: Totals(*found.get(key, empty),
                        spend.get(key) if spend.get(key) is not None else ZERO,
                        planned.get(key) if planned.get(key) is not None else ZERO)
            for key in keys}


def values(t: Totals) -> dict[str, Decimal | int | None]:
    return {name: formula(t) for name, formula in FORMULAS.items()}


def targets(store: Store, year: int) -> dict[tuple[str, str], Decimal]:
    return {(k, p): v for k, p, v in store.query(sql.TARGETS, [year])}


def target_for(store: Store, year: int, kpi: str, period: str,
               found: dict[tuple[str, str], Decimal], *, phase: bool = True,
               months: list[date] | None = None) -> Decimal | None:
    """The target set for the period, or (with `phase`) one derived as the module says.

    `months` are the period's months when the caller has them already."""
    if (kpi, period) in found:
        return found[(kpi, period)]
    if not phase:
        return None
    annual = found.get((kpi, str(year)))
    if not KPI[kpi].additive:
        return annual
    months = period_months(store, year, period) if months is None else months
    monthly = [found.get((kpi, f"{m:%Y-%m}")) for m in months]
    if months and all(v is not None for v in monthly):
        return sum(monthly, Decimal(0))
    if annual is None:
        return None
    return (annual * len(months) / 12).quantize(CENT)


def status(kpi: str, actual: Decimal | int | None, target: Decimal | None,
           reached: Decimal | None, limits: Thresholds = DEFAULT_THRESHOLDS) -> str | None:
    if KPI[kpi].better == "closer to 0":
        if actual is None or target is None:
            return None
        off = abs(Decimal(actual) - target)
        return ("green" if off <= limits.variance_green else
                "amber" if off <= limits.variance_amber else "red")
    if reached is None:
        return None
    return "green" if reached >= limits.green else "amber" if reached >= limits.amber else "red"


def scorecard(store: Store, year: int, period: str, where: KpiFilter | None = None,
              *, phase: bool = True) -> list[KpiResult]:
    """Every KPI for one period: actual, target, attainment and status."""
    where = where or KpiFilter()
    months = period_months(store, year, period)
    actual = values(totals(store, year, months, where))
    found = targets(store, year)
    limits = thresholds(store)
    rows = []
    for kpi in KPIS:
        target = target_for(store, year, kpi.name, period, found, phase=phase, months=months)
        reached = attainment(kpi.name, actual[kpi.name], target)
        rows.append(KpiResult(kpi.name, period, actual[kpi.name], target, reached,
                              status(kpi.name, actual[kpi.name], target, reached, limits)))
    return rows


def contract_rows(store: Store, year: int) -> list[KpiResult]:
    """What `tandem kpis` prints: each KPI for the year, plus one row per quarter or month
    target that is set (targets as set, never phased)."""
    rows = scorecard(store, year, str(year), phase=False)
    periods = sorted({p for (_k, p) in targets(store, year) if len(p) > 4})
    order = {k.name: i for i, k in enumerate(KPIS)}
    found = targets(store, year)
    for period in periods:
        card = {r.kpi: r for r in scorecard(store, year, period, phase=False)}
        rows += [card[k] for k in sorted((k for (k, p) in found if p == period),
                                         key=order.__getitem__)]
    return rows


def monthly(store: Store, year: int, where: KpiFilter | None = None
            ) -> dict[date, dict[str, Decimal | int | None]]:
    """Every KPI per month of the fiscal year (the trend charts), in three grouped queries."""
    months = fiscal_months(store, year)
    found = _totals(store, year, months, where or KpiFilter(), by_month=True)
    return {m: values(found.get(m, Totals())) for m in months}
