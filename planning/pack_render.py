"""The meeting pack as Markdown and as a printable HTML page (a board document: title, firm,
period, date made, one section a page on A4, tables with money in the store's currency and
thousands separators, charts as inline SVG drawn by `planning.report_charts`). The figures
are the pack's (`planning.pack`); this module only writes them out. The HTML page loads
nothing from anywhere: it is one self-contained file to mail or print.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from html import escape

from planning.kpis import KPI
from planning.money import format_compact, format_money
from planning.pack import Pack
from planning.sla import STATUS_WORDS

Cell = str | Decimal | int | None
DETAIL = 160  # characters of an audit entry's detail shown (the trail holds the rest)
Row = Sequence[Cell]


# -- figures as people read them (as the pages write them) ---------------------------------------
def share(value: Decimal | None, places: int = 1) -> str:
    return "n/a" if value is None else f"{Decimal(value) * 100:.{places}f}%"


def count(value: int | Decimal | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def day(value: date | datetime) -> str:
    return f"{value.day} {value:%b %Y}"


def stamp(value: datetime) -> str:
    return f"{day(value)} {value:%H:%M} UTC"


def when(value: datetime) -> str:
    """A time in a list of the week's entries: `30 Nov 06:28` (the pack names the year)."""
    return f"{value.day} {value:%b %H:%M}"


def figure(kpi: str, value: Decimal | int | None, currency: str) -> str:
    """A KPI's figure by its unit, as the KPI page writes it."""
    if value is None:
        return "n/a"
    unit = KPI[kpi].unit
    if unit == "money":
        return format_money(Decimal(value), currency, cents=kpi == "cac")
    if unit == "count":
        return count(value)
    if kpi == "roi":
        return f"{Decimal(value):.2f}×"
    return share(value)


def status_word(status: str | None, has_target: bool = True) -> str:
    return STATUS_WORDS.get(status or "", "n/a" if has_target else "no target")


class Money:
    def __init__(self, currency: str) -> None:
        self.currency = currency

    def __call__(self, value: Decimal | None) -> str:
        return format_money(value, self.currency)

    def whole(self, value: Decimal | None) -> str:
        return format_money(value, self.currency, cents=False)

    def compact(self, value: Decimal | None) -> str:
        if value is not None and abs(value) >= 1_000_000:
            return format_compact(Decimal(value), self.currency)
        return self.whole(value)


# -- the content, once, for both forms -----------------------------------------------------------
class Section:
    """A titled section: paragraphs, tables and (in HTML) charts, in order."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.parts: list[tuple[str, object]] = []

    def text(self, line: str) -> Section:
        self.parts.append(("text", line))
        return self

    def items(self, lines: list[str]) -> Section:
        self.parts.append(("items", lines))
        return self

    def table(self, header: Sequence[str], rows: list[Row], numeric: set[int]) -> Section:
        self.parts.append(("table", (list(header), rows, numeric)))
        return self

    def chart(self, build: Callable[[], object]) -> Section:
        self.parts.append(("chart", build))
        return self

    def subtitle(self, line: str) -> Section:
        self.parts.append(("subtitle", line))
        return self


def glance(p: Pack) -> list[tuple[str, str, str]]:
    """The first page's tiles: (label, figure, note)."""
    money = Money(p.currency)
    tiles = []
    revenue = next((r for r in p.kpis if r.kpi == "revenue"), None)
    if revenue is not None:
        tiles.append(("Revenue, year to date", money.compact(revenue.actual),
                      f"{share(revenue.attainment)} of target · {status_word(revenue.status)}"))
    total = p.estimate.total
    side = "over" if total.variance > 0 else "under"
    tiles.append(("Latest estimate of spend", money.compact(total.latest_estimate),
                  f"{money.compact(abs(total.variance))} {side} the plan of"
                  f" {money.compact(total.planned)}"))
    if p.estimate.headroom is not None:
        tiles.append(("Headroom in the pool", money.compact(p.estimate.headroom),
                      f"of a {money.compact(p.estimate.pool)} pool"))
    if p.rewards is not None:
        tiles.append(("Shared payout factor", share(p.rewards.payout),
                      "of the target incentive, for both departments"))
    if p.sla is not None:
        tiles.append(("First touch in time", share(p.sla.year.in_time_rate),
                      f"{count(p.sla.year.breaches)} breaches this year"))
    waits = " · ".join(f"{w.department} head {count(w.lines)}" for w in p.waiting)
    tiles.append(("Lines waiting for sign-off", count(sum(w.lines for w in p.waiting)), waits))
    if p.alignment is not None:
        both = p.alignment.groups["all"]
        tiles.append((f"Alignment, {p.alignment.period}", (both.stage or "n/a").capitalize(),
                      "no score" if both.score is None else f"score {both.score} of 100"))
    tiles.append(("Since the last meeting", f"{count(p.decision_count)} decisions",
                  f"{count(p.note_count)} comments"))
    return tiles


def sections(p: Pack) -> list[Section]:
    return [_kpis(p), _landing(p), _handoff(p), _waiting(p), _decisions(p), _alignment(p),
            _rewards(p)]


def _months(months: list[date]) -> str:
    if not months:
        return "no month with data yet"
    return (f"{months[0]:%b %Y}" if len(months) == 1
            else f"{months[0]:%b %Y} to {months[-1]:%b %Y}")


def _kpis(p: Pack) -> Section:
    s = Section("KPIs against target")
    s.text(f"The year to date ({_months(p.kpi_months)}), against the target phased to it, as"
           " the KPI page grades it; beside it, the whole year against the annual target.")
    rows = []
    for r in p.kpis:
        year = p.annual.get(r.kpi)
        rows.append([KPI[r.kpi].label, figure(r.kpi, r.actual, p.currency),
                     figure(r.kpi, r.target, p.currency), share(r.attainment),
                     status_word(r.status),
                     figure(r.kpi, year.target if year else None, p.currency),
                     share(year.attainment if year else None)])
    s.table(["KPI", "Year to date", "Target to date", "Attainment", "Status", "Annual target",
             "Of annual"], rows, {1, 2, 3, 5, 6})
    if not p.kpis:
        s.text("No KPI has a target for the year to date.")
        return s

    def chart():
        from planning.report_charts import kpi_attainment

        return kpi_attainment([(KPI[r.kpi].label, r.attainment, status_word(r.status))
                               for r in p.kpis if r.attainment is not None],
                              f"KPIs against target, year to date ({_months(p.kpi_months)})")

    return s.chart(chart)


def _landing(p: Pack) -> Section:
    money, e = Money(p.currency), p.estimate
    s = Section("Where we land")
    closed = ("no month closed yet: the estimate is the plan and its forecast"
              if e.as_of is None else f"actuals to {e.as_of:%b %Y}, forecast from then on")
    s.text(f"Adopted scenario **{e.scenario}** · {closed} · amounts in {p.currency}.")
    rows = [[o.capitalize(), money(v.planned), money(v.actual_to_date), money(v.remaining),
             money(v.latest_estimate), money(v.variance)] for o, v in e.owners.items()]
    t = e.total
    rows.append(["All", money(t.planned), money(t.actual_to_date), money(t.remaining),
                 money(t.latest_estimate), money(t.variance)])
    s.table(["Owner", "Plan", "Actual to date", "Remaining", "Latest estimate", "Variance"],
            rows, {1, 2, 3, 4, 5})
    s.text("Pool: not set, so no headroom." if e.pool is None else
           f"Pool {money(e.pool)}; headroom after the latest estimate {money(e.headroom)}.")

    def chart():
        from planning.report_charts import owner_landing

        return owner_landing([(o, v.planned, v.latest_estimate) for o, v in e.owners.items()],
                             p.currency)

    s.chart(chart)
    v = p.variances
    s.subtitle("The largest variances and their explanations")
    if v.as_of is None:
        return s.text("No month is closed yet: there is no variance to explain.")
    s.text(f"Spend of the closed months (to {v.as_of:%b %Y}) against plan, by owner, channel and"
           f" region; a variance beyond {share(v.share, 0)} of its plan and"
           f" {money.whole(v.amount)} is explained by its side and accepted by the other head.")
    if not p.largest:
        return s.text("Every variance is within the thresholds.")
    rows = []
    for g in p.largest:
        x = g.explanation
        said = "not explained yet" if x is None else (
            f"{x.category}: {x.text} ({x.explained_by}; {g.state}"
            + (f" by {x.decided_by}" if x.decided_by and x.status != "explained" else "") + ")")
        if x is not None and x.thread:
            said += f" · latest question, {x.thread[-1].author}: {x.thread[-1].text}"
        rows.append([g.describe(), money(g.planned), money(g.actual), money(g.variance),
                     share(g.variance / g.planned if g.planned else None), said])
    return s.table(["Group", "Plan", "Actual", "Variance", "Of plan", "Explanation"], rows,
                   {1, 2, 3, 4})


def _handoff(p: Pack) -> Section:
    s = Section("The hand-off: SLA breaches")
    h = p.sla
    if h is None:
        return s.text(f"No MQL was handed to sales in fiscal year {p.year}.")
    y = h.year
    s.text(f"First touch within {h.window.hours.normalize():f} hours of an MQL, as of"
           f" {stamp(h.as_of)}. This year: {count(y.mqls)} MQLs, {count(y.in_time)} in time,"
           f" **{count(y.breaches)} breaches** ({count(y.overdue)} still untouched),"
           f" {count(y.pending)} pending; in time {share(y.in_time_rate)}; median"
           f" {_hours(y.p50_hours)}, 95th percentile {_hours(y.p95_hours)}.")
    months = [m for m in h.months if m.mqls]
    s.table(["Month", "MQLs", "Target", "In time", "Breaches", "In-time rate", "Median"],
            [[f"{m.month:%b %Y}", count(m.mqls), count(m.mql_target), count(m.in_time),
              count(m.breaches), share(m.in_time_rate), _hours(m.p50_hours)]
             for m in months[-6:]], {1, 2, 3, 4, 5, 6})
    reps = [r for r in h.reps_by_breaches if r.breaches]  # as the hand-off page orders them
    if reps:
        s.subtitle("Reps with the most breaches")
        s.table(["Rep", "MQLs", "In time", "Breaches", "In-time rate", "Median"],
                [[r.rep, count(r.mqls), count(r.in_time), count(r.breaches),
                  share(r.in_time_rate), _hours(r.p50_hours)] for r in reps[:5]],
                {1, 2, 3, 4, 5})
    return s


def _hours(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value:,.1f} h"


def _waiting(p: Pack) -> Section:
    money = Money(p.currency)
    s = Section("Waiting for sign-off")
    s.text(f"Submitted lines of the adopted scenario **{p.scenario}** that wait for a head's"
           " sign-off (a sales line for the marketing head, a marketing line for the sales"
           " head, a joint line for both).")
    for w in p.waiting:
        s.subtitle(f"For the {w.department} head: {count(w.lines)} line(s)")
        if w.largest:
            s.table(["Line", "Owner", "Category", "Channel", "Region", "Month", "Amount"],
                    [[str(q.id), q.owner, q.category, q.channel, q.region, f"{q.month:%b %Y}",
                      money(q.amount)] for q in w.largest], {6})
    return s


def _decisions(p: Pack) -> Section:
    s = Section(f"Decisions and comments since {day(p.since)}")
    s.text(f"From {stamp(p.since)} to {stamp(p.until)}.")
    s.subtitle(f"Decisions ({count(p.decision_count)})")
    if not p.decisions:
        s.text("No decision was recorded in this period.")
    else:
        if p.decision_count > len(p.decisions):
            s.text(f"The latest {len(p.decisions)} are listed; the audit trail holds all.")
        s.text("Times in UTC.")
        s.table(["When", "Who", "Decision", "About", "Detail"],
                [[when(e.recorded_at), e.actor, e.action, e.entity,
                  _detail(e.after, e.reason, p.currency)]
                 for e in p.decisions], set())
    s.subtitle(f"Comments ({count(p.note_count)})")
    if not p.notes:
        return s.text("No comment was written in this period.")
    if p.note_count > len(p.notes):
        s.text(f"The latest {len(p.notes)} are listed.")
    return s.table(["When", "Who", "On", "Comment"],
                   [[when(n.at), n.author, n.about, n.text] for n in p.notes], set())


MONEY_KEYS = ("pool", "amount", "variance", "total")  # an entry's money, as the trail keeps it


def _detail(after: str | None, reason: str | None, currency: str) -> str:
    """An audit entry's `after` in words: money in the currency, long text cut short."""
    import json

    def value(key: str, v: object) -> str:
        if key in MONEY_KEYS:
            try:
                return format_money(Decimal(str(v)), currency)
            except ArithmeticError:
                return str(v)
        return str(v)

    parts = []
    if after:
        try:
            found = json.loads(after)
            parts = [f"{k.replace('_', ' ')} {value(k, v)}" for k, v in found.items()
                     if v not in (None, "", {}) and not isinstance(v, dict | list)]
        except ValueError:
            parts = [after]
    if reason:
        parts.append(f"reason: {reason}")
    text = "; ".join(parts)
    return text if len(text) <= DETAIL else text[:DETAIL - 1].rstrip() + "…"


def _alignment(p: Pack) -> Section:
    s = Section("Alignment")
    a = p.alignment
    if a is None:
        return s.text("Nobody has answered the relationship survey yet.")
    s.text(f"The relationship survey of {a.period} (each respondent's 20 ratings added up,"
           " 20 to 100): under 40 undefined, 40 to under 60 defined, 60 to under 80 aligned,"
           " 80 and over integrated.")
    rows = []
    for name, label in (("sales", "Sales"), ("marketing", "Marketing"), ("all", "Both")):
        g = a.groups[name]
        rows.append([label, count(g.respondents),
                     "withheld (too few to show)" if g.withheld else
                     ("n/a" if g.score is None else f"{g.score}"),
                     (g.stage or "n/a").capitalize()])
    return s.table(["Department", "Respondents", "Score", "Stage"], rows, {1, 2})


def _rewards(p: Pack) -> Section:
    s = Section("Shared rewards")
    f = p.rewards
    if f is None:
        return s.text(f"No rewards plan is set for fiscal year {p.year}.")
    s.text(f"Both departments are paid on one factor: **{share(f.payout)}** of the target"
           f" incentive ({f.payout}). Each KPI pays by the curve ({f.plan.curve.describe()}),"
           " on the whole fiscal year against its annual target.")
    s.table(["KPI", "Weight", "Attainment", "Payout", "Contribution"],
            [[KPI[k.kpi].label, f"{k.weight.normalize():f}%", share(k.attainment),
              share(k.payout, 2), share(k.contribution, 2)] for k in f.kpis], {1, 2, 3, 4})
    short = [k for k in f.kpis if k.attainment is None or k.attainment < 1]
    if short:
        s.items([f"If {KPI[k.kpi].in_sentence} reaches 100% of target, the factor becomes"
                 f" {share(f.what_if(k.kpi, Decimal(1)))}." for k in short])

    def curve():
        from planning.report_charts import reward_curve

        return reward_curve(f.plan.curve, [(KPI[k.kpi].label, k.attainment, k.payout)
                                           for k in f.kpis])

    return s.chart(curve)


def title(p: Pack) -> str:
    return f"Joint meeting pack · {p.firm}"


def subtitle(p: Pack) -> str:
    return (f"Sales and marketing · fiscal year {p.year} · period covered {day(p.since)} to"
            f" {day(p.until)}")


def made(p: Pack) -> str:
    return f"Made {stamp(p.until)} by {p.made_by}"


# -- Markdown ------------------------------------------------------------------------------------
def _md_cell(value: Cell) -> str:
    return " ".join(str("" if value is None else value).split()).replace("|", "\\|")


def markdown(p: Pack) -> str:
    out = [f"# {title(p)}", "", f"**{subtitle(p)}**  ", f"{made(p)}", "", "## At a glance", ""]
    out += [f"- **{label}**: {value} ({note})" for label, value, note in glance(p)]
    for n, s in enumerate(sections(p), start=1):
        out += ["", f"## {n}. {s.title}", ""]
        for kind, part in s.parts:
            if kind == "text":
                out += [part, ""]
            elif kind == "subtitle":
                out += [f"### {part}", ""]
            elif kind == "items":
                out += [f"- {line}" for line in part] + [""]
            elif kind == "table":
                header, rows, numeric = part
                out.append("| " + " | ".join(header) + " |")
                out.append("| " + " | ".join("---:" if i in numeric else "---"
                                             for i in range(len(header))) + " |")
                out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
                out.append("")
    return "\n".join(line.rstrip() for line in out).rstrip() + "\n"


# -- HTML ------------------------------------------------------------------------------------------
CSS = """
@page { size: A4; margin: 16mm 15mm 18mm 15mm;
  @bottom-left { content: "FOOTER"; font: 8pt Helvetica, Arial, sans-serif; color: #6b7280; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages);
                  font: 8pt Helvetica, Arial, sans-serif; color: #6b7280; } }
* { box-sizing: border-box; }
body { font: 10pt/1.45 "Helvetica Neue", Helvetica, Arial, sans-serif; color: #111827;
       margin: 0 auto; max-width: 190mm; padding: 12mm 0; background: #fff; }
header.cover { border-bottom: 3px solid #7c3aed; padding-bottom: 6mm; margin-bottom: 6mm; }
header.cover .firm { font-size: 11pt; letter-spacing: .08em; text-transform: uppercase;
                     color: #7c3aed; font-weight: 700; }
h1 { font-size: 22pt; margin: 2mm 0 1mm; font-weight: 700; }
header.cover .period { font-size: 11pt; color: #374151; }
header.cover .made { font-size: 9pt; color: #6b7280; margin-top: 1mm; }
h2 { font-size: 15pt; margin: 0 0 3mm; padding-bottom: 1.5mm; border-bottom: 1px solid #d1d5db; }
h2 .n { color: #7c3aed; margin-right: 2mm; }
h3 { font-size: 11pt; margin: 5mm 0 2mm; }
p { margin: 0 0 2.5mm; }
section { break-before: page; page-break-before: always; }
section.first { break-before: auto; page-break-before: auto; }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 3mm; margin: 3mm 0 6mm; }
.tile { border: 1px solid #e5e7eb; border-left: 3px solid #7c3aed; border-radius: 2mm;
        padding: 2.5mm 3mm; break-inside: avoid; }
.tile .label { font-size: 8pt; color: #6b7280; text-transform: uppercase; letter-spacing: .04em; }
.tile .value { font-size: 15pt; font-weight: 700; margin: .5mm 0; }
.tile .note { font-size: 8.5pt; color: #374151; }
table { width: 100%; border-collapse: collapse; margin: 2mm 0 4mm; font-size: 8.8pt; }
thead { display: table-header-group; }
th { text-align: left; font-weight: 600; color: #374151; border-bottom: 1.5px solid #111827;
     padding: 1.5mm 2mm; background: #f9fafb; }
td { padding: 1.3mm 2mm; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
tr { break-inside: avoid; }
td:first-child { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:last-child td { border-bottom: 1.5px solid #111827; }
figure { margin: 3mm 0 4mm; break-inside: avoid; text-align: center; }
figure svg { max-width: 100%; height: auto; }
ul { margin: 0 0 3mm; padding-left: 5mm; }
.status { display: inline-block; padding: 0 2mm; border-radius: 1mm; font-size: 8pt;
          font-weight: 600; white-space: nowrap; }
.status.green { background: #dcfce7; color: #166534; }
.status.amber { background: #fef3c7; color: #92400e; }
.status.red { background: #fee2e2; color: #991b1b; }
@media screen { body { padding: 14mm 12mm; box-shadow: 0 0 8mm #0000001a; margin: 8mm auto; }
                section { margin-top: 12mm; padding-top: 8mm; border-top: 1px dashed #d1d5db; }
                section.first { border-top: 0; margin-top: 0; padding-top: 0; } }
"""


STATUS_CLASS = {"on track": "green", "watch": "amber", "off track": "red"}


def _inline(text: str) -> str:
    """Escape a line, then turn its **bold** into <strong>."""
    parts = escape(text).split("**")
    return "".join(f"<strong>{part}</strong>" if i % 2 else part for i, part in enumerate(parts))


def _svg(build: Callable[[], object]) -> str:
    import vl_convert

    spec = build().to_dict(validate=False)  # type: ignore[attr-defined]
    svg = vl_convert.vegalite_to_svg(spec)
    return svg[svg.index("<svg"):]  # no XML prologue inside HTML


def _html_table(header: list[str], rows: list[Row], numeric: set[int]) -> str:
    status = header.index("Status") if "Status" in header else -1

    def cell(tag: str, i: int, value: Cell) -> str:
        text = escape(str("" if value is None else value))
        if tag == "td" and i == status and value in STATUS_CLASS:
            text = f'<span class="status {STATUS_CLASS[value]}">{text}</span>'
        kind = ' class="num"' if i in numeric else ""
        return f"<{tag}{kind}>{text}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html(p: Pack) -> str:
    # The running footer of every printed page (CSS text: no quote, backslash or tag in it).
    footer = "".join(c for c in f"{title(p)} · FY{p.year} · {day(p.since)} to {day(p.until)}"
                     if c not in '"\\<>')
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{escape(title(p))} · FY{p.year}</title>",
           f"<style>{CSS.replace('FOOTER', footer)}</style>",
           "</head><body>",
           '<header class="cover">', f'<div class="firm">{escape(p.firm)}</div>',
           "<h1>Joint meeting pack</h1>", f'<div class="period">{escape(subtitle(p))}</div>',
           f'<div class="made">{escape(made(p))}</div>', "</header>",
           '<section class="first"><h2>At a glance</h2><div class="tiles">']
    out += [f'<div class="tile"><div class="label">{escape(label)}</div>'
            f'<div class="value">{escape(value)}</div><div class="note">{escape(note)}</div>'
            "</div>" for label, value, note in glance(p)]
    out.append("</div>")
    for n, s in enumerate(sections(p), start=1):
        out.append("" if n == 1 else "</section><section>")
        out.append(f'<h2><span class="n">{n}</span>{escape(s.title)}</h2>')
        for kind, part in s.parts:
            if kind == "text":
                out.append(f"<p>{_inline(part)}</p>")
            elif kind == "subtitle":
                out.append(f"<h3>{escape(part)}</h3>")
            elif kind == "items":
                out.append("<ul>" + "".join(f"<li>{_inline(x)}</li>" for x in part) + "</ul>")
            elif kind == "table":
                out.append(_html_table(*part))
            elif kind == "chart":
                out.append(f"<figure>{_svg(part)}</figure>")
    out += ["</section>", "</body></html>"]
    return "\n".join(out) + "\n"
