"""Scenarios: both heads try allocations of the shared pool, exactly to the cent.

Every operation is one transaction with its audit entry. Locked lines are never changed by scale,
shift or split; a locked scenario is not changed at all. A refused operation writes nothing.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from planning import access, audit
from planning.budget import BudgetFilter
from planning.errors import Refused
from planning.model import BASELINE
from planning.money import CENT, ZERO, split, to_cents
from planning.people import Person
from planning.store import Store, allocate_sql, budget_sql, ids

NAME_LIMIT = 60
WEIGHT_COLUMNS = ("owner", "funnel_stage", "category", "channel", "region", "month")


@dataclass(frozen=True)
class OperationResult:
    scenario: str
    action: str
    lines_changed: int
    total_before: Decimal
    total_after: Decimal
    locked_kept: int = 0

    @property
    def change(self) -> Decimal:
        return self.total_after - self.total_before


@dataclass(frozen=True)
class LineEdit:
    """A new amount (and description) for a line, as of the version the editor opened."""

    line_id: int
    version: int
    amount: Decimal
    description: str | None = None


def _name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= NAME_LIMIT:
        raise Refused(f"a scenario name has 1 to {NAME_LIMIT} characters")
    return name


def adopted_scenario(cur: duckdb.DuckDBPyConnection, year: int) -> str:
    """The scenario whose lines are the year's plan: `baseline` until another is adopted."""
    row = cur.execute(budget_sql.ADOPTED, [year]).fetchone()
    return (row[0] if row else None) or BASELINE


def scenario_id(cur: duckdb.DuckDBPyConnection, year: int, name: str, *,
                writable: bool = False) -> int:
    row = cur.execute("SELECT id, locked FROM scenarios WHERE fiscal_year = ? AND name = ?",
                      [year, name]).fetchone()
    if row is None:
        raise Refused(f"there is no scenario {name!r} in fiscal year {year}")
    if writable and row[1]:
        raise Refused(f"scenario {name!r} is locked; nothing in it can change")
    return row[0]


def _total(cur: duckdb.DuckDBPyConnection, sid: int) -> Decimal:
    found = cur.execute("SELECT sum(amount) FROM plan_lines WHERE scenario_id = ?",
                        [sid]).fetchone()[0]
    return found if found is not None else ZERO


def _where(sid: int, where: BudgetFilter, *, unlocked: bool = True) -> tuple[str, list]:
    clauses, params = where.clauses()
    base = ["l.scenario_id = ?"] + (["NOT l.locked"] if unlocked else [])
    return " AND ".join(base + clauses), [sid, *params]


def _check_values(cur: duckdb.DuckDBPyConnection, sid: int, where: BudgetFilter) -> None:
    """Refuse a filter value the scenario does not have: a typo must not match nothing."""
    for column, values in (("owner", where.owners), ("funnel_stage", where.stages),
                           ("category", where.categories), ("channel", where.channels),
                           ("region", where.regions)):
        if not values:
            continue
        known = {r[0] for r in cur.execute(
            f"SELECT DISTINCT {column} FROM plan_lines WHERE scenario_id = ?", [sid]).fetchall()}
        unknown = [v for v in values if v not in known]
        if unknown:
            raise Refused(f"no line of this scenario has {column} {', '.join(map(repr, unknown))}")


@dataclass(frozen=True)
class _Fill:
    """The unlocked lines of one filter that an operation shares money over, as SQL."""

    where: str  # over `plan_lines l`
    params: list
    group: str  # the line's group number, a SQL expression over `l` ...
    group_params: list  # ... with these parameters
    weight: str  # the line's weight, a SQL expression over `l`
    lines: int
    locked: int  # matched lines left alone because they are locked
    total: Decimal  # of the unlocked lines
    owners: frozenset[str]
    values: list[str]  # with `by_value`, the values that number the groups from 1, in order
    sums: dict[int, tuple[int, int, int]] | None  # group -> lines, sum and max of the weights


def _fill(cur: duckdb.DuckDBPyConnection, sid: int, where: BudgetFilter, weight: str,
          group: int = 0, *, by_value: str | None = None) -> _Fill:
    """The unlocked lines of a filter; refused when none matches or all that match are locked.

    Every line is in group `group`, or with `by_value` (a SQL expression over `l`) in the group
    numbered by its value's place among the sorted values.
    """
    _check_values(cur, sid, where)
    all_sql, all_params = _where(sid, where, unlocked=False)
    lines, matched, total, largest, owners = cur.execute(
        "SELECT count(*) FILTER (WHERE NOT l.locked), count(*),"
        " sum(l.amount) FILTER (WHERE NOT l.locked), max(l.amount) FILTER (WHERE NOT l.locked),"
        " list(DISTINCT l.owner) FILTER (WHERE NOT l.locked)"
        f" FROM plan_lines l WHERE {all_sql}", all_params).fetchone()
    if lines == 0:
        if matched:
            raise Refused(f"all {matched} lines that match are locked; unlock some first")
        raise Refused("no line matches this filter")
    sql, params = _where(sid, where)
    values: list[str] = []
    group_sql, group_params = str(int(group)), []
    if by_value is not None:
        values = [r[0] for r in cur.execute(
            f"SELECT DISTINCT {by_value} FROM plan_lines l WHERE {sql} ORDER BY 1",
            params).fetchall()]
        group_sql, group_params = f"list_position(CAST(? AS VARCHAR[]), {by_value})", [values]
    # The sums of the weights, when they follow from the lines' count and amounts.
    sums = None
    if by_value is None and weight == _weight("amount"):
        sums = {group: (lines, to_cents(total or ZERO), to_cents(largest or ZERO))}
    elif by_value is None and weight == _weight("even"):
        sums = {group: (lines, lines, 1)}
    return _Fill(sql, params, f"CAST({group_sql} AS INTEGER)", group_params, weight, lines,
                 matched - lines, total or ZERO, frozenset(owners or ()), values, sums)


def _allocate(cur: duckdb.DuckDBPyConnection, fills: list[_Fill],
              totals: Mapping[int, int]) -> str:
    """Share `totals` (group -> cents) over the lines of the fills; returns the parts' type."""
    source = " UNION ALL ".join(
        f"SELECT l.id, {fill.group} AS g, {fill.weight} AS w"
        f" FROM plan_lines l WHERE {fill.where}" for fill in fills)
    params = [p for fill in fills for p in (*fill.group_params, *fill.params)]
    sums = None
    if all(fill.sums is not None for fill in fills):
        sums = {g: sum_ for fill in fills for g, sum_ in fill.sums.items()}
    return allocate_sql.allocate(cur, source, params, totals, sums)


def _apply(cur: duckdb.DuckDBPyConnection, sid: int, who: Person, action: str, name: str,
           details: dict, fills: list[_Fill], int_type: str) -> OperationResult:
    """Change the lines of each fill by their part: plain UPDATEs of its filter, no join."""
    statements = []
    for fill in fills:
        line = (int_type, fill.weight, allocate_sql.LINE_TIE, "l.id")
        sql = {"group": fill.group, "where": fill.where, "part": allocate_sql.part(*line),
               "changes": allocate_sql.changes(*line)}
        statements.append((sql, [*fill.group_params, *fill.params]))
    takes = cur.execute("SELECT bool_or(sgn < 0) FROM alloc_plan").fetchone()[0]
    negative = sum(cur.execute(allocate_sql.WOULD_GO_NEGATIVE.format(**sql), params).fetchone()[0]
                   for sql, params in statements) if takes else 0
    if negative:
        raise Refused(f"{negative} line(s) would go below zero; take less"
                      " (taking pro rata to current amounts never empties a line early)")
    before = _total(cur, sid)
    seq = audit.next_seq(cur)  # the entry written below, in this transaction
    for sql, params in statements:
        cur.execute(allocate_sql.RECORD_LINES.format(**sql), [seq, *params])
    changed = 0
    for sql, params in statements:
        cur.execute(allocate_sql.TO_DRAFT.format(**sql), params)
        cur.execute(allocate_sql.TO_EDITOR.format(**sql), [who.name, *params, who.name])
        changed += cur.execute(allocate_sql.APPLY.format(**sql), params).fetchone()[0]
    after = _total(cur, sid)
    audit.record(cur, who.name, action, f"scenario {name}", before={"total": str(before)},
                 after={"total": str(after), "lines_changed": changed, **details}, seq=seq)
    return OperationResult(name, action, changed, before, after,
                           sum(fill.locked for fill in fills))


def _weight(mode: str) -> str:
    if mode in ("amount", "pro_rata"):
        return "CAST(l.amount * 100 AS BIGINT)"
    if mode == "even":
        return "1"
    raise Refused(f"unknown weighting {mode!r}; use pro_rata (by current amounts) or even")


class Scenarios:
    """Scenario management and exact allocation operations for one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- management ----------------------------------------------------------------------------
    def clone(self, year: int, source: str, new: str, actor: Person | str) -> OperationResult:
        who = access.require(access.person(actor), "manage_scenarios")
        new = _name(new)

        def work(cur: duckdb.DuckDBPyConnection) -> OperationResult:
            src = scenario_id(cur, year, source)
            if cur.execute("SELECT 1 FROM scenarios WHERE fiscal_year = ? AND name = ?",
                           [year, new]).fetchone():
                raise Refused(f"scenario {new!r} already exists in fiscal year {year}")
            sid = cur.execute("INSERT INTO scenarios (fiscal_year, name, created_by)"
                              " VALUES (?, ?, ?) RETURNING id", [year, new, who.name]).fetchone()[0]
            # New ids without a window function: shift the source's id range past the largest id.
            lo, hi = cur.execute("SELECT coalesce(min(id), 0), coalesce(max(id), 0)"
                                 " FROM plan_lines WHERE scenario_id = ?", [src]).fetchone()
            base = ids.reserve(cur, "plan_lines", hi - lo + 1)
            cur.execute(
                "INSERT INTO plan_lines (id, scenario_id, owner, category, funnel_stage, channel,"
                " region, month, amount, description, locked, edited_by)"
                " SELECT l.id - ? + ? + 1, ?, owner, category, funnel_stage, channel,"
                " region, month, amount, description, locked, edited_by FROM plan_lines l"
                " WHERE l.scenario_id = ?", [lo, base, sid, src])
            total = _total(cur, sid)
            lines = cur.execute("SELECT count(*) FROM plan_lines WHERE scenario_id = ?",
                                [sid]).fetchone()[0]
            # The copies' ids, and what to subtract from one to find the line it copies: a
            # copied line's history starts with its source's (planning.history).
            made = {"first_line": base + 1, "last_line": base + 1 + hi - lo,
                    "source_offset": base + 1 - lo} if lines else {}
            audit.record(cur, who.name, "clone", f"scenario {new}",
                         after={"from": source, "lines": lines, "total": str(total), **made})
            return OperationResult(new, "clone", lines, ZERO, total)

        return self.store.write(work, bulk=True)

    def rename(self, year: int, old: str, new: str, actor: Person | str) -> None:
        who = access.require(access.person(actor), "manage_scenarios")
        new = _name(new)

        def work(cur: duckdb.DuckDBPyConnection) -> None:
            sid = scenario_id(cur, year, old, writable=True)
            if cur.execute("SELECT 1 FROM scenarios WHERE fiscal_year = ? AND name = ?",
                           [year, new]).fetchone():
                raise Refused(f"scenario {new!r} already exists in fiscal year {year}")
            cur.execute("UPDATE scenarios SET name = ? WHERE id = ?", [new, sid])
            cur.execute("UPDATE fiscal_years SET adopted_scenario = ?"
                        " WHERE fiscal_year = ? AND adopted_scenario = ?", [new, year, old])
            audit.record(cur, who.name, "rename", f"scenario {old}", before={"name": old},
                         after={"name": new})

        self.store.write(work)

    def delete(self, year: int, name: str, actor: Person | str) -> None:
        who = access.require(access.person(actor), "manage_scenarios")

        def work(cur: duckdb.DuckDBPyConnection) -> None:
            sid = scenario_id(cur, year, name, writable=True)
            if adopted_scenario(cur, year) == name:
                raise Refused(f"scenario {name!r} is the adopted plan of FY{year}; adopt another"
                              " one before deleting it")
            lines, total = cur.execute("SELECT count(*), coalesce(sum(amount), 0) FROM plan_lines"
                                       " WHERE scenario_id = ?", [sid]).fetchone()
            cur.execute("DELETE FROM assumptions WHERE scenario_id = ?", [sid])
            for table in ("sign_offs", "comments"):
                cur.execute(f"DELETE FROM {table} WHERE line_id IN"
                            " (SELECT id FROM plan_lines WHERE scenario_id = ?)", [sid])
            cur.execute("DELETE FROM plan_lines WHERE scenario_id = ?", [sid])
            cur.execute("DELETE FROM scenarios WHERE id = ?", [sid])
            audit.record(cur, who.name, "delete", f"scenario {name}",
                         before={"lines": lines, "total": str(total)})

        self.store.write(work)

    def adopt(self, year: int, name: str, actor: Person | str) -> None:
        who = access.require(access.person(actor), "adopt")

        def work(cur: duckdb.DuckDBPyConnection) -> None:
            scenario_id(cur, year, name)
            before = adopted_scenario(cur, year)
            cur.execute("INSERT INTO fiscal_years (fiscal_year, adopted_scenario) VALUES (?, ?)"
                        " ON CONFLICT (fiscal_year) DO UPDATE SET adopted_scenario = ?",
                        [year, name, name])
            audit.record(cur, who.name, "adopt", f"fiscal year {year}",
                         before={"adopted": before}, after={"adopted": name})

        self.store.write(work)

    def lock(self, year: int, name: str, actor: Person | str) -> None:
        """Lock a scenario whose every line is signed off: it is then read-only for everyone."""
        who = access.require(access.person(actor), "lock_scenario")

        def work(cur: duckdb.DuckDBPyConnection) -> None:
            sid = scenario_id(cur, year, name, writable=True)
            waiting = cur.execute("SELECT count(*) FROM plan_lines WHERE scenario_id = ?"
                                  " AND status <> 'signed_off'", [sid]).fetchone()[0]
            if waiting:
                raise Refused(f"{waiting} line(s) of {name} are not signed off yet; a scenario"
                              " locks when every line is")
            cur.execute("UPDATE scenarios SET locked = true WHERE id = ?", [sid])
            audit.record(cur, who.name, "lock", f"scenario {name}", after={"locked": True})

        self.store.write(work)

    def lock_lines(self, year: int, name: str, where: BudgetFilter, actor: Person | str, *,
                   locked: bool = True) -> int:
        """Lock (or unlock) the lines of a filter; returns how many changed."""
        who = access.require(access.person(actor), "change_lines")

        def work(cur: duckdb.DuckDBPyConnection) -> int:
            sid = scenario_id(cur, year, name, writable=True)
            _check_values(cur, sid, where)
            sql, params = _where(sid, where, unlocked=False)
            owners = {r[0] for r in cur.execute(
                f"SELECT DISTINCT l.owner FROM plan_lines l WHERE {sql}", params).fetchall()}
            access.require_owners(who, owners, "lock or unlock")
            audit.note_lines(cur, f"FROM plan_lines l WHERE {sql} AND l.locked <> ?",
                             [*params, locked])
            changed = cur.execute(f"UPDATE plan_lines l SET locked = ? WHERE {sql}"
                                  " AND l.locked <> ?", [locked, *params, locked]).fetchone()[0]
            seq = audit.record(cur, who.name, "lock lines" if locked else "unlock lines",
                               f"scenario {name}",
                               after={"lines": changed, "filter": where.describe()})
            audit.record_lines(cur, seq)
            return changed

        return self.store.write(work)

    # -- allocation -----------------------------------------------------------------------------
    def scale(self, year: int, name: str, percent: Decimal, where: BudgetFilter,
              actor: Person | str) -> OperationResult:
        """Scale the unlocked lines of a filter by `percent` (10 adds 10%, -100 empties them).

        The change is the matched total times percent, rounded to the cent; it is spread pro
        rata to the lines' amounts, so the scenario total changes by exactly that.
        """
        who = access.require(access.person(actor), "change_lines")
        percent = Decimal(percent)
        if not percent.is_finite() or percent < -100:
            raise Refused("a line cannot be scaled below zero: use a percent of -100 or more")

        def work(cur: duckdb.DuckDBPyConnection) -> OperationResult:
            sid = scenario_id(cur, year, name, writable=True)
            fill = _fill(cur, sid, where, _weight("amount"))
            access.require_owners(who, fill.owners)
            change = (fill.total * percent / 100).quantize(CENT)
            int_type = _allocate(cur, [fill], {0: to_cents(change)})
            return _apply(cur, sid, who, "scale", name,
                          {"percent": str(percent), "change": str(change)}, [fill], int_type)

        return self.store.write(work)

    def shift(self, year: int, name: str, amount: Decimal, source: BudgetFilter,
              target: BudgetFilter, actor: Person | str, *,
              mode: str = "pro_rata") -> OperationResult:
        """Move `amount` from the lines of one filter to those of another; the total stays."""
        who = access.require(access.person(actor), "change_lines")
        amount = Decimal(amount)
        if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
            raise Refused("shift a positive amount with at most 2 decimals")

        def work(cur: duckdb.DuckDBPyConnection) -> OperationResult:
            sid = scenario_id(cur, year, name, writable=True)
            fills = [_fill(cur, sid, source, _weight(mode), 0),
                     _fill(cur, sid, target, _weight(mode), 1)]
            both = cur.execute(f"SELECT count(*) FROM plan_lines l WHERE ({fills[0].where})"
                               f" AND ({fills[1].where})",
                               [*fills[0].params, *fills[1].params]).fetchone()[0]
            if both:
                raise Refused(f"{both} line(s) match both the source and the target filter")
            available = fills[0].total
            if amount > available:
                raise Refused(f"the source lines hold {available} (unlocked), less than {amount}")
            access.require_owners(who, fills[0].owners | fills[1].owners)
            cents = to_cents(amount)
            int_type = _allocate(cur, fills, {0: -cents, 1: cents})
            return _apply(cur, sid, who, "shift", name,
                          {"amount": str(amount), "from": source.describe(),
                           "to": target.describe(), "mode": mode}, fills, int_type)

        return self.store.write(work)

    def split(self, year: int, name: str, amount: Decimal, where: BudgetFilter,
              actor: Person | str, *, by: str = "amount",
              weights: Mapping[str, Decimal] | None = None) -> OperationResult:
        """Spread `amount` over the lines of a filter (top-down allocation).

        `by` is `amount` (pro rata to current amounts), `even`, or a column (owner, funnel_stage,
        category, channel, region, month): the amount is first split over that column's values
        by `weights` (equal when none are given), then over each value's lines pro rata.
        """
        who = access.require(access.person(actor), "change_lines")
        amount = Decimal(amount)
        if not amount.is_finite() or amount == 0 or amount != amount.quantize(CENT):
            raise Refused("split a non-zero amount with at most 2 decimals")

        def work(cur: duckdb.DuckDBPyConnection) -> OperationResult:
            sid = scenario_id(cur, year, name, writable=True)
            if by in WEIGHT_COLUMNS:
                value = f"CAST(l.{by} AS VARCHAR)" if by != "month" else \
                    "strftime(l.month, '%Y-%m')"
                fill = _fill(cur, sid, where, _weight("amount"), by_value=value)
                groups = fill.values
                given = {k: Decimal(v) for k, v in (weights or {}).items()}
                if any(not w.is_finite() or w < 0 for w in given.values()):
                    raise Refused("a weight is a number of 0 or more")
                unknown = sorted(set(given) - set(groups))
                if unknown:
                    raise Refused(f"no matching line has {by} {', '.join(map(repr, unknown))}")
                shares = [given.get(g, Decimal(0) if given else Decimal(1)) for g in groups]
                if sum(shares) <= 0:
                    raise Refused("the weights must add up to more than zero")
                totals = {number: to_cents(p) for number, p in
                          enumerate(split(amount, shares), start=1)}
            else:
                fill = _fill(cur, sid, where, _weight(by))
                totals = {0: to_cents(amount)}
            access.require_owners(who, fill.owners)
            int_type = _allocate(cur, [fill], totals)
            return _apply(cur, sid, who, "split", name,
                          {"amount": str(amount), "by": by, "filter": where.describe()}, [fill],
                          int_type)

        return self.store.write(work)

    def edit_lines(self, year: int, name: str, edits: list[LineEdit],
                   actor: Person | str) -> OperationResult:
        """Change single lines; refused whole if one is locked or changed since it was opened.

        A changed line is a new version, a draft again: its sign-offs no longer count.
        """
        who = access.require(access.person(actor), "change_lines")

        def work(cur: duckdb.DuckDBPyConnection) -> OperationResult:
            sid = scenario_id(cur, year, name, writable=True)
            before = _total(cur, sid)
            changed = 0
            for edit in edits:
                amount = Decimal(edit.amount)
                if amount < 0 or amount != amount.quantize(CENT):
                    raise Refused(f"line {edit.line_id}: {amount} is not an amount of 0 or more"
                                  " with at most 2 decimals")
                if edit.description is not None and len(edit.description) > 200:
                    raise Refused(f"line {edit.line_id}: the description is over 200 characters")
                row = cur.execute("SELECT version, locked, amount, description, owner"
                                  " FROM plan_lines WHERE id = ? AND scenario_id = ?",
                                  [edit.line_id, sid]).fetchone()
                if row is None:
                    raise Refused(f"line {edit.line_id} is not in scenario {name!r}")
                version, locked, old_amount, old_description, owner = row
                access.require_owners(who, [owner])
                if locked:
                    raise Refused(f"line {edit.line_id} is locked")
                if version != edit.version:
                    raise Refused(f"line {edit.line_id} changed since you opened it (now version"
                                  f" {version}, amount {old_amount}); reload and edit again")
                if (amount, edit.description) == (old_amount, old_description):
                    continue
                audit.note_line_ids(cur, [edit.line_id])
                cur.execute("UPDATE plan_lines SET amount = ?, description = ?,"
                            " version = version + 1, status = 'draft', edited_by = ?,"
                            " updated_at = current_timestamp WHERE id = ?",
                            [amount, edit.description, who.name, edit.line_id])
                changed += 1
                seq = audit.record(cur, who.name, "edit line", f"line {edit.line_id}",
                                   before={"amount": str(old_amount),
                                           "description": old_description},
                                   after={"amount": str(amount), "description": edit.description})
                audit.record_lines(cur, seq)
            after = _total(cur, sid)
            return OperationResult(name, "edit", changed, before, after)

        return self.store.write(work)
