"""The README documents what the code does: every KPI, every CSV column, every page."""
from __future__ import annotations

import re
from pathlib import Path

from planning.imports.kinds import KINDS
from planning.kpis import KPIS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_kpi_table_matches_the_code():
    rows = re.findall(r"^\| `(\w+)` \| (.+?) \| (.+?) \|$", _section("Joint KPIs"), re.M)
    assert [name for name, _f, _b in rows] == [k.name for k in KPIS]
    for (name, formula, better), kpi in zip(rows, KPIS, strict=True):
        assert better == kpi.better, name
        assert formula == kpi.formula, name


def test_every_csv_column_is_documented():
    section = _section("CSV files")
    for kind in KINDS.values():
        row = next(line for line in section.splitlines() if line.startswith(f"| `{kind.name}` |"))
        for column in kind.names:
            assert f"`{column}`" in row or (kind.name == "actuals" and column != "reference"), (
                kind.name, column)


def test_every_page_is_documented():
    app = (Path(__file__).resolve().parents[1] / "dashboard" / "app.py").read_text()
    titles = re.findall(r'^\s+\("\w+\.py", "([^"]+)"', app, re.M)
    assert titles, "no pages found in dashboard/app.py"
    for title in titles:
        assert f"| **{title}** |" in _section("Pages"), title
