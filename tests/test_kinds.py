"""The fast validity check of a cell and the detailed problem codes never disagree."""
from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from planning.imports.kinds import KINDS, code_sql, invalid

COLUMNS = {c.type + ("" if c.required else "?"): c
           for kind in KINDS.values() for c in kind.columns}
CELLS = st.one_of(
    st.none(),
    st.text(alphabet="0123456789.-%,£eE Q", max_size=22),
    st.from_regex(r"-?[0-9]{1,18}(\.[0-9]{0,4})?%?", fullmatch=True),
    st.sampled_from(["2026", "2026-13", "2026-Q3", "sales", "SALES", "x" * 61, "0.25", "25%"]),
)


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(CELLS, min_size=1, max_size=20))
def test_a_cell_is_invalid_exactly_when_it_has_a_problem_code(cells):
    con = duckdb.connect()
    for col in COLUMNS.values():
        rows = con.execute(
            f'SELECT ({invalid(col)}), ({code_sql(col)}) FROM (SELECT unnest(?) AS "{col.name}")',
            [cells]).fetchall()
        for cell, (bad, code) in zip(cells, rows, strict=True):
            assert bool(bad) == (code is not None), (col.name, col.type, cell, code)
