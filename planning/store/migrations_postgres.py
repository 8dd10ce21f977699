"""The migrations as PostgreSQL runs them: the same names as `planning.store.migrations`, so both
stores record the same history, with PostgreSQL's own text where DuckDB's syntax differs.

Of the shared migrations two differ. The first: exact money as NUMERIC(18,2), the first-of-month
checks by EXTRACT, and the functions DuckDB has built in that the shared domain SQL uses (created
here once, so that SQL needs no second spelling). And `0017_plan_totals`: DuckDB's view of the
scenario totals is here a table kept by triggers. Every other migration is standard SQL and runs
as written. Never edit one that has shipped; append, as for DuckDB. A few migrations are
PostgreSQL's own (`POSTGRES_ONLY`: indexes the server's planner needs where DuckDB needs none);
they run after the shared ones.
"""
from __future__ import annotations

from planning.store.migrations import (
    MIGRATIONS,
    MONTH_VALUE,
    PLAN_TOTALS_DIMENSIONS,
    plan_totals_of,
)

# DuckDB built-ins the shared SQL calls. `strftime` knows the codes Tandem's SQL uses; the line
# key's `hash` only orders ties in an allocation (any stable 64-bit hash of the key will do, so
# an allocation's leftover cents may fall on other tied lines than in DuckDB; sums are the same).
FUNCTIONS = r"""
CREATE FUNCTION year(d date) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CAST(EXTRACT(YEAR FROM d) AS integer);
CREATE FUNCTION month(d date) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CAST(EXTRACT(MONTH FROM d) AS integer);
CREATE FUNCTION day(d date) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CAST(EXTRACT(DAY FROM d) AS integer);
CREATE FUNCTION strftime(t timestamp, f text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN to_char(t, replace(replace(replace(replace(replace(replace(replace(replace(
        f, 'T', '"T"'), '%Y', 'YYYY'), '%m', 'MM'), '%d', 'DD'), '%H', 'HH24'), '%M', 'MI'),
        '%S', 'SS'), '%f', 'US'));
CREATE FUNCTION strftime(d date, f text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN strftime(CAST(d AS timestamp), f);
CREATE FUNCTION hash(owner varchar, category varchar, funnel_stage varchar, channel varchar,
                     region varchar, month date) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ('x' || left(md5(concat_ws(chr(31), owner, category, funnel_stage, channel, region,
                                      month)), 16))::bit(64)::bigint;
CREATE AGGREGATE list(anycompatible) (SFUNC = array_append, STYPE = anycompatiblearray);
CREATE FUNCTION list_position(anycompatiblearray, anycompatible) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT array_position($1, $2)';
CREATE FUNCTION first_of(anyelement, anyelement) RETURNS anyelement
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT coalesce($1, $2)';
CREATE AGGREGATE any_value(anyelement) (SFUNC = first_of, STYPE = anyelement);
-- DuckDB's wide integers and its integer division, as the allocation's SQL spells them.
CREATE DOMAIN hugeint AS NUMERIC(38, 0);
CREATE DOMAIN ubigint AS NUMERIC(20, 0);
CREATE OPERATOR // (LEFTARG = integer, RIGHTARG = integer, FUNCTION = int4div);
CREATE OPERATOR // (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = int8div);
CREATE OPERATOR // (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = div);
"""

FIRST = (MIGRATIONS[0][1]
         .replace("DECIMAL(", "NUMERIC(")
         .replace("CHECK (day(month) = 1)", "CHECK (EXTRACT(DAY FROM month) = 1)"))

# A statement's lines are summed in two groupings that together hold every dimension, each read
# once, and the totals are added up from those (a grouping has at most as many rows as the
# lines): five groupings, one per dimension, read a million inserted lines five times (3 s),
# two take under 1 s.
_GROUPINGS = (("funnel_stage", "region", "month"), ("category", "channel"))
assert sorted(sum(_GROUPINGS, ())) == sorted((*PLAN_TOTALS_DIMENSIONS, "month"))


def _grouped(rows: str, tag: str, sign: str = "") -> list[str]:
    """CTEs `{tag}_0`, `{tag}_1`: the lines of `rows` summed in each grouping (taken off with
    `sign` "-")."""
    return [f"{tag}_{k} AS MATERIALIZED (SELECT scenario_id, owner, {', '.join(cols)},"
            f" {sign}sum(amount) AS total, {sign}count(*) AS lines FROM {rows}"
            f" GROUP BY scenario_id, owner, {', '.join(cols)})"
            for k, cols in enumerate(_GROUPINGS)]


_LIST = ",\n"


def _rolled_up(tag: str) -> list[str]:
    """SELECTs of plan_totals rows from the groupings `_grouped` named `tag`."""
    return [f"SELECT scenario_id, '{col}' AS dim,"
            f" {MONTH_VALUE if col == 'month' else col} AS value,"
            f" owner, sum(total) AS total, sum(lines) AS lines FROM {tag}_{k}"
            f" GROUP BY scenario_id, {col}, owner"
            for k, cols in enumerate(_GROUPINGS) for col in cols]


def _add_totals(ctes: list[str], totals: str) -> str:
    """SQL adding `totals` (rows of plan_totals, one per key, over `ctes`) to the table, then
    dropping the rows no line counts in any more."""
    return (f"WITH {_LIST.join(ctes)}\nINSERT INTO plan_totals AS t {totals}\n"
            "ON CONFLICT (scenario_id, dim, value, owner) DO UPDATE"
            " SET total = t.total + excluded.total, lines = t.lines + excluded.lines;\n"
            "DELETE FROM plan_totals WHERE lines = 0;")


_UNION = "\nUNION ALL\n"
# The fields a total depends on: an update that changes none of them (a review's status, a
# lock, a description) moves no total.
_TOTALLED = ("scenario_id", "owner", "category", "funnel_stage", "channel", "region", "month",
             "amount")
_MOVED = [
    "moved AS (SELECT " + ", ".join(f"o.{f} AS o_{f}, n.{f} AS n_{f}" for f in _TOTALLED)
    + " FROM old_lines o JOIN new_lines n ON n.id = o.id WHERE "
    + " OR ".join(f"o.{f} IS DISTINCT FROM n.{f}" for f in _TOTALLED) + ")",
    *(f"{side}_moved AS (SELECT " + ", ".join(f"{side}_{f} AS {f}" for f in _TOTALLED)
      + " FROM moved)" for side in ("o", "n")),
    *_grouped("o_moved", "o", "-"), *_grouped("n_moved", "n"),
]
_MOVED_TOTALS = ("SELECT scenario_id, dim, value, owner, sum(total), sum(lines) FROM (\n"
                 + _UNION.join(_rolled_up("o") + _rolled_up("n"))
                 + "\n) AS d GROUP BY scenario_id, dim, value, owner")

# The shared migration's view as a table, kept by statement triggers in the transaction that
# changes the lines: each statement adds what it inserts and takes off what it deletes; an
# update, both, for the lines whose key or amount it changed (the old rows joined to the new
# once). Every write of plan lines is a statement on the table (COPY too), so none can leave
# the totals behind; `planning.store.integrity` checks them against the lines.
PLAN_TOTALS = f"""
CREATE TABLE plan_totals (
    scenario_id INTEGER NOT NULL,
    dim VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    owner VARCHAR NOT NULL,
    total NUMERIC(38,2) NOT NULL,
    lines BIGINT NOT NULL,
    PRIMARY KEY (scenario_id, dim, value, owner)
);
INSERT INTO plan_totals {plan_totals_of("plan_lines")};

CREATE FUNCTION plan_totals_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{_add_totals(_grouped("new_lines", "n"), _UNION.join(_rolled_up("n")))}
RETURN NULL;
END $$;

CREATE FUNCTION plan_totals_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{_add_totals(_grouped("old_lines", "o", "-"), _UNION.join(_rolled_up("o")))}
RETURN NULL;
END $$;

CREATE FUNCTION plan_totals_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{_add_totals(_MOVED, _MOVED_TOTALS)}
RETURN NULL;
END $$;

CREATE TRIGGER plan_totals_insert AFTER INSERT ON plan_lines
    REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION plan_totals_inserted();
CREATE TRIGGER plan_totals_delete AFTER DELETE ON plan_lines
    REFERENCING OLD TABLE AS old_lines FOR EACH STATEMENT EXECUTE FUNCTION plan_totals_deleted();
CREATE TRIGGER plan_totals_update AFTER UPDATE ON plan_lines
    REFERENCING OLD TABLE AS old_lines NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION plan_totals_updated();
"""
PLAN_TOTALS_NAME = "0017_plan_totals"

# PostgreSQL's own, after the shared ones (named apart from them, so a shared migration added
# later never takes a name one of these holds).
#
# pg_0001: a block range index on the plan lines' scenario. Every Budget query reads one scenario,
# and a scenario's lines lie together in the table (an import, or a clone, writes them in one
# go), so the index lets a query read that scenario's pages only, where it read the whole table
# (every scenario of every year). A BRIN index is a few pages, and COPY of a million lines keeps
# it up to date at almost no cost, where a B-tree on the column would cost the import more
# (DuckDB needed neither: it skips row groups by their min/max on its own). A range is 32 pages
# (about 1,800 lines), so a small scenario's query reads few pages of its neighbours.
POSTGRES_ONLY: list[tuple[str, str]] = [
    ("pg_0001_plan_lines_by_scenario",
     "CREATE INDEX plan_lines_scenario ON plan_lines USING brin (scenario_id)"
     " WITH (pages_per_range = 32);"),
]

# A block range index knows only the ranges it has summarized: pages a large write adds after
# them are read by every query until they are (a million cloned lines made each Budget query of
# the first scenario read both). The store summarizes these after a bulk write (see
# PostgresStore.grown).
BRIN_INDEXES = {"plan_lines": "plan_lines_scenario"}

MIGRATIONS_POSTGRES: list[tuple[str, str]] = [
    (MIGRATIONS[0][0], FUNCTIONS + FIRST),
    *((name, PLAN_TOTALS if name == PLAN_TOTALS_NAME else sql.replace("DECIMAL(", "NUMERIC("))
      for name, sql in MIGRATIONS[1:]),
    *POSTGRES_ONLY,
]
