"""The hand-off's SLA on a set of leads worked by hand (both stores).

Fiscal year 2026 (January start), first-touch window 24 h, as of 2026-03-10 12:00 UTC.

  lead mql_at (UTC)            rep first touch         sql  channel / region   it is
  L00  2025-12-31 23:59:59     Ana -                   -    Paid search / EMEA before the year
  L01  2026-01-05 09:00        Ana 01-05 09:30 (0.5 h) yes  Paid search / EMEA in time
  L02  2026-01-05 10:00        Ana 01-06 10:00 (24 h)  -    Paid search / EMEA in time (deadline)
  L03  2026-01-07 08:00        Ben 01-08 08:00:01      -    Paid search / EMEA breach (1 s late)
  L04  2026-02-01T01:30+02:00  Ben 02-01 01:30 (2 h)   -    Events / NA        in time (Jan UTC)
  L05  2026-01-20 12:00        -   -                   -    Events / NA        breach (unrouted)
  L06  2026-02-10 09:00        Ana 02-10 13:00 (4 h)   yes  Paid search / EMEA in time
  L07  2026-02-11 09:00        Ben 02-12 15:00 (30 h)  yes  Events / NA        breach (late)
  L08  2026-02-12 09:00        Cy  -                   -    Events / NA        breach (603 h over)
  L09  2026-03-09 13:00        Cy  -                   -    Webinars / EMEA    pending (due 13:00)
  L10  2026-03-09 12:00        Ana -                   -    Webinars / EMEA    breach (due at as-of)
  L11  2026-03-02 08:00        Ana 03-02 08:06 (0.1 h) -    Webinars / EMEA    in time
  L12  a lead with no mql_at: not an MQL

Targets (mqls): 2026-01 5, 2026-02 4, 2026-03 6, 2026-04 10.

  month mqls target attain in_time breaches pending p50   p95   accepted bands 0-1,1-4,4-24,>24
  Jan   5    5      1.0    3       2        0       13.00 24.00 1        1, 1, 1, 1
  Feb   3    4      0.75   1       2        0       17.00 28.70 2        0, 1, 0, 1
  Mar   3    6      0.5    1       1        1        0.10  0.10 0        1, 0, 0, 0
  Apr   0    10     0      0       0        0       -     -     0
Jan: touched 1800, 7200, 86400, 86401 s: p50 at 1.5 = 7200 + 0.5 × 79200 = 46800 s = 13.00 h;
p95 at 2.85 = 86400.85 s = 24.00 h. Feb: 14400, 108000: p50 61200 s = 17.00 h, p95 at 0.95 =
14400 + 0.95 × 93600 = 103320 s = 28.70 h. Year: 360, 1800, 7200, 14400, 86400, 86401, 108000:
p50 = 14400 s = 4.00 h; p95 at 5.7 = 86401 + 0.7 × 21599 = 101520.3 s = 28.20 h.
Status: Jan 100% on track; Feb 75% off track; March runs (9.5 of 31 days gone): its target paced
is 6 × 228/744 = 1.84, 3 MQLs are on track; April has not started: not judged. Year to date
(Jan-Mar): 11 MQLs against 5 + 4 + 1.84 = 10.84.

Reps: Ana 5 MQLs, 4 in time, 1 breach, p50 of 360, 1800, 14400, 86400 s = 8100 s = 2.25 h;
Ben 3, 1, 2, p50 86401 s = 24.00 h; Cy 2, 0, 1, no touch. Routed to nobody: L05.
Spend (actuals, every owner, the year's months): Paid search / EMEA 1000.00 + 500.50 - 0.50 =
1500.00 (999.00 of December 2025 is not the year's); Events / NA 1000.00; Webinars / EMEA
1000.00; Field sales / APAC 200.00 with no MQL.
  Paid search / EMEA  4 MQLs, 2 accepted: 375.00 per MQL, 750.00 per accepted SQL
  Events / NA         4 MQLs, 1 accepted: 250.00, 1000.00
  Webinars / EMEA     3 MQLs, 0 accepted: 333.33, n/a
  Field sales / APAC  0 MQLs: n/a, n/a
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import pytest

from planning.sla import BANDS, parse_as_of, sla, utc, window
from planning.store import Store
from planning.tandem import Tandem

AS_OF = datetime(2026, 3, 10, 12, 0)
LEADS = [  # lead_id, mql_at, rep, first_touch_at, sql_at, channel, region
    ("L00", "2025-12-31 23:59:59", "Ana", None, None, "Paid search", "EMEA"),
    ("L01", "2026-01-05 09:00", "Ana", "2026-01-05 09:30", "2026-01-06 10:00", "Paid search",
     "EMEA"),
    ("L02", "2026-01-05 10:00", "Ana", "2026-01-06 10:00", None, "Paid search", "EMEA"),
    ("L03", "2026-01-07 08:00", "Ben", "2026-01-08 08:00:01", None, "Paid search", "EMEA"),
    ("L04", "2026-02-01T01:30:00+02:00", "Ben", "2026-02-01 01:30", None, "Events", "NA"),
    ("L05", "2026-01-20 12:00", None, None, None, "Events", "NA"),
    ("L06", "2026-02-10 09:00", "Ana", "2026-02-10 13:00", "2026-02-11 09:00", "Paid search",
     "EMEA"),
    ("L07", "2026-02-11 09:00", "Ben", "2026-02-12 15:00", "2026-02-13 09:00", "Events", "NA"),
    ("L08", "2026-02-12 09:00", "Cy", None, None, "Events", "NA"),
    ("L09", "2026-03-09 13:00", "Cy", None, None, "Webinars", "EMEA"),
    ("L10", "2026-03-09 12:00", "Ana", None, None, "Webinars", "EMEA"),
    ("L11", "2026-03-02 08:00", "Ana", "2026-03-02 08:06", None, "Webinars", "EMEA"),
    ("L12", None, None, None, None, "Webinars", "EMEA"),
]
TARGETS = """fiscal_year,kpi,period,target
2026,mqls,2026-01,5
2026,mqls,2026-02,4
2026,mqls,2026-03,6
2026,mqls,2026-04,10
"""
ACTUALS = """owner,category,funnel_stage,channel,region,month,amount
marketing,Programs,awareness,Paid search,EMEA,2026-01,1000.00
marketing,Programs,awareness,Paid search,EMEA,2026-02,500.50
sales,Programs,awareness,Paid search,EMEA,2026-03,-0.50
marketing,Programs,awareness,Paid search,EMEA,2025-12,999.00
marketing,Events,consideration,Events,NA,2026-02,1000.00
joint,Webinars,consideration,Webinars,EMEA,2026-03,1000.00
sales,Travel,purchase,Field sales,APAC,2026-01,200.00
"""


def add_leads(store: Store, leads=LEADS) -> None:
    """Leads as a CRM export holds them, times converted to UTC as the import does."""
    def at(text: str | None) -> datetime | None:
        return None if text is None else parse_as_of(text)

    def work(cur) -> None:
        for lead, mql, rep, touch, accepted, channel, region in leads:
            created = at(mql) or datetime(2026, 1, 2)
            cur.execute("INSERT INTO leads (lead_id, created_at, region, channel, sourced_by,"
                        " mql_at, rep, first_touch_at, sql_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [lead, created, region, channel, "marketing", at(mql), rep, at(touch),
                         at(accepted)])

    store.write(work)


@pytest.fixture
def firm(store: Store) -> Store:
    t = Tandem(store)
    for kind, text in (("targets", TARGETS), ("actuals", ACTUALS)):
        report = t.import_csv(kind, text.encode(), file_name=f"{kind}.csv")
        assert report.ok, report.problems
    add_leads(store)
    return store


def handled(row) -> tuple:
    return (row.mqls, row.in_time, row.breaches, row.pending, row.p50_hours, row.p95_hours,
            row.accepted)


def test_each_month_both_sides(firm):
    found = sla(firm, 2026, AS_OF)
    assert [r.month for r in found.months] == [date(2026, m, 1) for m in (1, 2, 3, 4)]
    jan, feb, mar, apr = found.months
    assert handled(jan) == (5, 3, 2, 0, D("13.00"), D("24.00"), 1)
    assert handled(feb) == (3, 1, 2, 0, D("17.00"), D("28.70"), 2)
    assert handled(mar) == (3, 1, 1, 1, D("0.10"), D("0.10"), 0)
    assert handled(apr) == (0, 0, 0, 0, None, None, 0)
    assert [r.mql_target for r in found.months] == [D(5), D(4), D(6), D(10)]
    assert [r.mql_attainment for r in found.months] == [D(1), D("0.75"), D("0.5"), D(0)]
    assert [r.in_time_rate for r in found.months] == [D("0.6"), D("0.333333"), D("0.5"), None]
    assert [r.acceptance_rate for r in found.months] == [D("0.2"), D("0.666667"), D(0), None]
    assert [r.bands for r in found.months] == [(1, 1, 1, 1), (0, 1, 0, 1), (1, 0, 0, 0),
                                               (0, 0, 0, 0)]
    assert [label for label, _edge in BANDS] == ["0-1 h", "1-4 h", "4-24 h", "over 24 h"]


def test_the_deadline_is_in_time_and_a_second_later_is_a_breach(firm):
    """L02 touched at its deadline is in time, L03 a second after is a breach; L10, untouched,
    is a breach at the instant its deadline passes and pending a second before it."""
    at_deadline = sla(firm, 2026, AS_OF).months[2]
    assert (at_deadline.in_time, at_deadline.breaches, at_deadline.pending) == (1, 1, 1)
    before = sla(firm, 2026, datetime(2026, 3, 10, 11, 59, 59)).months[2]
    assert (before.in_time, before.breaches, before.pending) == (1, 0, 2)
    jan = sla(firm, 2026, AS_OF).months[0]
    assert (jan.in_time, jan.breaches) == (3, 2)  # L01, L02, L04 in time; L03, L05 breaches


def test_an_offset_time_counts_in_its_utc_month(firm):
    """L04's MQL, 01:30 on 1 February at +02:00, is 23:30 on 31 January in UTC: a January MQL,
    touched two hours later."""
    assert parse_as_of("2026-02-01T01:30:00+02:00") == datetime(2026, 1, 31, 23, 30)
    assert parse_as_of("2026-02-01 01:30Z") == datetime(2026, 2, 1, 1, 30)
    assert utc(datetime.fromisoformat("2026-03-10T13:00:00+01:00")) == AS_OF
    jan, feb = sla(firm, 2026, AS_OF).months[:2]
    assert (jan.mqls, feb.mqls) == (5, 3)
    assert jan.bands[1] == 1  # its 2 hours: the 1-4 h band
    # An as-of time with an offset is the same instant.
    assert sla(firm, 2026, parse_as_of("2026-03-10T14:00:00+02:00")).months == \
        sla(firm, 2026, AS_OF).months


def test_the_month_before_the_fiscal_year_is_not_in_it(firm):
    found = sla(firm, 2026, AS_OF)
    assert found.year.mqls == 11  # L00 (December 2025) and L12 (no MQL) are not counted
    assert "L00" not in {o.lead_id for o in found.overdue}
    assert sum(r.mqls for r in found.reps if r.rep == "Ana") == 5
    previous = sla(firm, 2025, AS_OF)
    assert [(r.month, r.mqls, r.breaches) for r in previous.months] == [(date(2025, 12, 1), 1, 1)]


def test_the_year_and_marketing_to_date(firm):
    found = sla(firm, 2026, AS_OF)
    assert handled(found.year) == (11, 5, 5, 1, D("4.00"), D("28.20"), 3)
    assert found.year.in_time_rate == D("0.5")
    assert found.year.overdue == 3
    assert found.latest_mql == datetime(2026, 3, 9, 13)
    to_date = found.to_date
    assert to_date.months == (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1))
    assert (to_date.mqls, to_date.target) == (11, D("10.84"))
    assert to_date.attainment == (11 / (D(9) + D(6) * 228 / 744)).quantize(D("0.000001"))
    assert to_date.status == "green"


def test_status_uses_the_kpi_thresholds_and_paces_the_month_in_progress(firm):
    found = sla(firm, 2026, AS_OF)
    assert [(r.stage, r.status) for r in found.months] == [
        ("closed", "green"), ("closed", "red"), ("in progress", "green"), ("ahead", None)]
    # Early on 1 March, nothing is expected yet of March; once March is over, 3 of 6 is red.
    assert sla(firm, 2026, datetime(2026, 4, 1)).months[2].status == "red"
    # One more MQL in February makes 4 of its 4: on track.
    add_leads(firm, [("L13", "2026-02-20 09:00", "Ana", "2026-02-20 10:00", None, "Events",
                      "NA")])
    assert sla(firm, 2026, AS_OF).months[1].status == "green"


def test_each_rep_and_the_slowest(firm):
    found = sla(firm, 2026, AS_OF)
    assert [(r.rep, r.mqls, r.in_time, r.breaches, r.pending, r.p50_hours) for r in found.reps] \
        == [("Ana", 5, 4, 1, 0, D("2.25")), ("Ben", 3, 1, 2, 0, D("24.00")),
            ("Cy", 2, 0, 1, 1, None)]
    assert [r.rep for r in found.reps_by_breaches] == ["Ben", "Cy", "Ana"]  # Cy: 0% in time
    assert found.slowest_rep.rep == "Ben"
    # Later, Cy's pending MQL is a breach too: two each, and Cy touched none in time.
    assert sla(firm, 2026, datetime(2026, 4, 1)).slowest_rep.rep == "Cy"
    assert (found.unrouted.mqls, found.unrouted.breaches) == (1, 1)


def test_overdue_untouched_mqls_oldest_first(firm):
    found = sla(firm, 2026, AS_OF)
    assert [(o.lead_id, o.rep, o.channel, o.region, o.mql_at, o.hours_overdue)
            for o in found.overdue] == [
        ("L05", None, "Events", "NA", datetime(2026, 1, 20, 12), D("1152.00")),
        ("L08", "Cy", "Events", "NA", datetime(2026, 2, 12, 9), D("603.00")),
        ("L10", "Ana", "Webinars", "EMEA", datetime(2026, 3, 9, 12), D("0.00"))]
    assert [o.lead_id for o in sla(firm, 2026, AS_OF, overdue_shown=2).overdue] == ["L05", "L08"]
    assert [o.days_overdue for o in found.overdue] == [D("48.00"), D("25.13"), D("0.00")]


def test_channel_and_region_costs(firm):
    found = sla(firm, 2026, AS_OF)
    assert [(p.channel, p.region, p.mqls, p.accepted, p.spend, p.acceptance_rate,
             p.cost_per_mql, p.cost_per_accepted) for p in found.places] == [
        ("Events", "NA", 4, 1, D("1000.00"), D("0.25"), D("250.00"), D("1000.00")),
        ("Field sales", "APAC", 0, 0, D("200.00"), None, None, None),
        ("Paid search", "EMEA", 4, 2, D("1500.00"), D("0.5"), D("375.00"), D("750.00")),
        ("Webinars", "EMEA", 3, 0, D("1000.00"), D(0), D("333.33"), None)]
    total = found.all_places  # 3700.00 over 11 MQLs and 3 accepted
    assert (total.mqls, total.accepted, total.spend, total.cost_per_mql,
            total.cost_per_accepted) == (11, 3, D("3700.00"), D("336.36"), D("1233.33"))


def test_the_window_in_force_and_who_set_it(firm):
    from planning.agreements import FIRST_TOUCH, agree, propose_sla
    from planning.people import Person

    assert window(firm).hours == D(24) and window(firm).default  # never changed
    # Marketing's head proposes 4 hours: nothing changes until sales' head agrees.
    propose_sla(firm, Person("Marco Marketing", "marketing_head"), 4)
    assert window(firm).hours == D(24) and window(firm).set_by is None
    agree(firm, Person("Sofia Sales", "sales_head"), [FIRST_TOUCH])
    terms = window(firm)
    assert (terms.hours, terms.set_by, terms.default) == (D(4), "Sofia Sales", False)
    assert terms.how.startswith("proposed by Marco Marketing (marketing) on ")
    assert ", agreed by Sofia Sales on " in terms.how
    # With 4 hours, L02 (24 h) is a breach too; L04 (2 h) stays in time and L06 (4 h) is on time.
    found = sla(firm, 2026, AS_OF)
    assert [(r.in_time, r.breaches) for r in found.months[:2]] == [(2, 3), (1, 2)]
    assert found.window.hours == D(4)
    # The administrator's word is in force at once, and says so.
    propose_sla(firm, "administrator", 48)
    terms = window(firm)
    assert (terms.hours, terms.set_by) == (D(48), "administrator")
    assert "in force without agreement" in terms.how


def test_no_mql_and_no_target(store):
    found = sla(store, 2026, AS_OF)
    assert found.months == () and found.reps == () and found.places == ()
    assert found.latest_mql is None
    assert found.year.mqls == 0 and found.year.in_time_rate is None
    assert found.to_date.target is None and found.to_date.status is None


def test_the_fiscal_year_of_a_moment(store):
    from planning.sla import fiscal_year_at

    assert fiscal_year_at(store, datetime(2026, 1, 1)) == 2026
    store.set_setting("fiscal_year_start_month", "4")
    assert fiscal_year_at(store, datetime(2026, 3, 31, 23, 59)) == 2025
    assert fiscal_year_at(store, datetime(2026, 4, 1)) == 2026


def test_bad_as_of_text_is_refused_naming_the_form():
    for text in ("2026-03-10", "10/03/2026 12:00", "2026-13-01 00:00", "yesterday"):
        with pytest.raises(ValueError, match="YYYY-MM-DD HH:MM"):
            parse_as_of(text)
