"""The migrations as PostgreSQL runs them: the same names as `planning.store.migrations`, so both
stores record the same history, with PostgreSQL's own text where DuckDB's syntax differs.

Of the shared migrations only the first differs: exact money as NUMERIC(18,2), the first-of-month
checks by EXTRACT, and the functions DuckDB has built in that the shared domain SQL uses (created
here once, so that SQL needs no second spelling). Every other migration is standard SQL and runs
as written. Never edit one that has shipped; append, as for DuckDB. A few migrations are
PostgreSQL's own (`POSTGRES_ONLY`: indexes the server's planner needs where DuckDB needs none);
they run after the shared ones.
"""
from __future__ import annotations

from planning.store.migrations import MIGRATIONS

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

MIGRATIONS_POSTGRES: list[tuple[str, str]] = [
    (MIGRATIONS[0][0], FUNCTIONS + FIRST),
    *((name, sql.replace("DECIMAL(", "NUMERIC(")) for name, sql in MIGRATIONS[1:]),
    *POSTGRES_ONLY,
]
