"""`tandem pack [--since YYYY-MM-DD] [--year Y] [--format markdown|html] [--out FILE]`."""
from __future__ import annotations

import pytest

from planning import pack
from planning.cli import main
from planning.store import open_store


@pytest.fixture
def db(new_store) -> str:
    store = new_store("demo")
    path = str(store.path)
    store.close()  # the command opens the store itself
    return path


def test_markdown_to_standard_output_then_html_to_a_file(db, capsys, tmp_path):
    assert main(["--db", db, "pack", "--since", "2026-11-01"]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    assert out.out.startswith("# Joint meeting pack · Northwind Analytics\n")
    assert "period covered 1 Nov 2026 to " in out.out
    target = tmp_path / "pack.html"
    assert main(["--db", db, "pack", "--year", "2026", "--format", "html", "--out",
                 str(target)]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"{target}: the meeting pack of fiscal year 2026, ")
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    store = open_store(db)
    try:
        made = [r[0] for r in store.query("SELECT after FROM audit_log WHERE action = ?"
                                          " ORDER BY seq", [pack.ACTION])]
        assert len(made) == 2 and '"as":"html"' in made[1]
        # Without --since, the second pack covered the time since the first was made.
        first = store.query("SELECT min(recorded_at) FROM audit_log WHERE action = ?",
                            [pack.ACTION])[0][0]
        assert f'"since":"{first:%Y-%m-%d %H:%M}"' in made[1]
    finally:
        store.close()


@pytest.mark.parametrize("args", [
    ["pack", "--since", "2026-11-31"],
    ["pack", "--since", "last week"],
    ["pack", "--format", "pdf"],
    ["pack", "--out", "/no/such/folder/pack.md"],
])
def test_usage_errors_exit_2(db, capsys, args):
    with pytest.raises(SystemExit) as stop:
        main(["--db", db, *args])
    assert stop.value.code == 2
    assert capsys.readouterr().err


def test_a_pack_from_the_future_is_refused(db, capsys):
    assert main(["--db", db, "pack", "--since", "2999-01-01"]) == 1
    assert capsys.readouterr().err == (
        "tandem: the pack covers a period up to now: 2999-01-01 is later\n")


def test_a_viewer_is_refused(db, capsys, monkeypatch):
    monkeypatch.setenv("TANDEM_PASSWORD", "viewer-demo-2026")  # the demo's published one
    assert main(["--db", db, "--as", "Vic Viewer", "pack"]) == 1
    assert capsys.readouterr().err.startswith(
        "tandem: Vic Viewer (viewer) may not export the plan's data")
