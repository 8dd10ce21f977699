"""Saved column mappings: an ERP's spend report imported as actuals, its problems named by the
file's own headers, all at once, nothing written unless the whole file is good."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from planning import mappings
from planning.cli import main
from planning.errors import Refused
from planning.people import Person

ERP = '''kind = "actuals"
[columns]
month = "Posting Date"
amount = "Amount (USD)"
channel = "Vendor"
region = "Cost Center"
reference = "Document No"
[constants]
owner = "marketing"
category = "Programs"
funnel_stage = "awareness"
[values.channel]
"Google Ads" = "Paid search"
"LinkedIn Ads" = "Paid social"
[values.region]
"CC-100 EMEA" = "EMEA"
"CC-200 NA" = "North America"
[format]
date = "%d/%m/%Y"
decimal = "."
thousands = ","
'''

REPORT = (
    'Document No,Posting Date,Vendor,Cost Center,Amount (USD),Approver\n'
    'INV-1,15/01/2026,Google Ads,CC-100 EMEA,"12,500.00",Ann\n'
    'INV-2,31/01/2026,LinkedIn Ads,CC-200 NA,980.5,Bob\n'
    'INV-3,02/02/2026,Google Ads,CC-200 NA,"1,234,567.89",Ann\n'
)


def stored(store) -> list[tuple]:
    with store.cursor() as cur:
        return cur.execute(
            "SELECT owner, category, funnel_stage, channel, region, strftime(month, '%Y-%m'),"
            " amount, reference FROM actuals ORDER BY reference").fetchall()


def test_an_erp_report_is_read_as_actuals_through_a_saved_mapping(store):
    mapping = mappings.save(store, "administrator", "ERP spend", ERP)
    report = mappings.import_mapped(store, mapping, REPORT.encode(), file_name="erp.csv")
    assert report.ok and report.committed and report.rows == 3
    assert report.control_total == Decimal("1248048.39")
    assert stored(store) == [
        ("marketing", "Programs", "awareness", "Paid search", "EMEA", "2026-01",
         Decimal("12500.00"), "INV-1"),
        ("marketing", "Programs", "awareness", "Paid social", "North America", "2026-01",
         Decimal("980.50"), "INV-2"),
        ("marketing", "Programs", "awareness", "Paid search", "North America", "2026-02",
         Decimal("1234567.89"), "INV-3"),
    ]
    again = mappings.import_mapped(store, mapping, REPORT.encode(), file_name="erp.csv")
    assert (again.added, again.unchanged) == (0, 3)  # upserted on the key, as the kind is


def test_every_problem_is_named_by_the_files_header_and_nothing_is_written(store, snapshot):
    mapping = mappings.save(store, "administrator", "ERP spend", ERP)
    before = snapshot(store, logs=False)
    bad = (REPORT
           + 'INV-4,03/02/2026,Meta Ads,CC-100 EMEA,100.00,Ann\n'   # a vendor not in the map
           + 'INV-5,2026/02/04,Google Ads,CC-100 EMEA,100.00,Ann\n'  # a date not in its format
           + 'INV-6,05/02/2026,Google Ads,CC-100 EMEA,12x,Ann\n')    # the importer's problem
    report = mappings.import_mapped(store, mapping, bad.encode(), file_name="erp.csv")
    assert not report.ok and not report.committed
    assert report.problem_count == 3
    found = {(p.row, p.column, p.value): p.message for p in report.problems}
    assert "not in mapping ERP spend's [values.channel]" in found[(5, "Vendor", "Meta Ads")]
    assert "(%d/%m/%Y)" in found[(6, "Posting Date", "2026/02/04")]
    assert (7, "Amount (USD)", "12x") in found
    assert snapshot(store, logs=False) == before


def test_a_semicolon_file_with_decimal_commas_and_a_workbook_read_through_mappings(
        store, tmp_path):
    european = ERP.replace('decimal = "."', 'decimal = ","').replace(
        'thousands = ","', 'thousands = "."')
    mapping = mappings.save(store, "administrator", "ERP EU", european)
    text = ("Document No;Posting Date;Vendor;Cost Center;Amount (USD)\n"
            "EU-1;15/03/2026;Google Ads;CC-100 EMEA;1.234,50\n"
            "EU-2;16/04/2026;Google Ads;CC-100 EMEA;-20,00\n")
    report = mappings.import_mapped(store, mapping, text.encode(), file_name="eu.csv")
    assert report.ok, report.problems
    assert [r[6] for r in stored(store)] == [Decimal("1234.50"), Decimal("-20.00")]

    import datetime as dt

    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Document No", "Posting Date", "Vendor", "Cost Center", "Amount (USD)"])
    sheet.append(["XL-1", dt.datetime(2026, 4, 9), "LinkedIn Ads", "CC-200 NA", 75.25])
    path = tmp_path / "erp.xlsx"
    book.save(path)
    report = mappings.import_mapped(store, mappings.save(store, "administrator", "ERP", ERP),
                                    path.read_bytes(), file_name="erp.xlsx")
    assert report.ok, report.problems
    assert ("Paid social", "North America", "2026-04", Decimal("75.25"), "XL-1") in [
        r[3:] for r in stored(store)]


def test_a_file_without_a_column_the_mapping_reads_is_refused_naming_it(store):
    mapping = mappings.save(store, "administrator", "ERP spend", ERP)
    report = mappings.import_mapped(store, mapping, b"Document No,Vendor\nX,Google Ads\n",
                                    file_name="other.csv")
    assert not report.ok
    assert {p.column for p in report.problems} == {"Posting Date", "Cost Center",
                                                   "Amount (USD)"}


@pytest.mark.parametrize(("change", "named"), [
    (("month = \"Posting Date\"\n", ""), "required column 'month' is neither mapped"),
    (("[constants]\n", "[constants]\nbudget = \"x\"\n"), "'budget' is not a column of actuals"),
    (("kind = \"actuals\"", "kind = \"spend\""), "kind 'spend' is not one of"),
    (("[values.region]", "[values.description]\n\"a\" = \"b\"\n[values.region]"),
     "[values.description] translates a column the mapping does not take"),
    (("thousands = \",\"", "thousands = \".\""), "decimal and thousands are the same"),
    (("date = \"%d/%m/%Y\"", "date = \"dd/mm/yyyy\""), "is not a date format"),
    (("owner = \"marketing\"", "owner = \"marketing\"\nmonth = \"2026-01\""),
     "'month' is both mapped from the file and a constant"),
])
def test_a_mapping_that_cannot_work_is_refused_when_it_is_added(store, change, named):
    with pytest.raises(Refused, match="mapping ERP:") as refused:
        mappings.save(store, "administrator", "ERP", ERP.replace(*change))
    assert named in str(refused.value)
    assert mappings.saved(store) == []


def test_only_people_who_import_may_save_mappings_and_a_replacement_is_audited(store):
    with pytest.raises(Refused):
        mappings.save(store, Person("Vic", "viewer"), "ERP", ERP)
    mappings.save(store, Person("Pat", "planner", "marketing"), "ERP", ERP)
    mappings.save(store, Person("Pat", "planner", "marketing"), "ERP",
                  ERP.replace("CC-100 EMEA", "CC-101 EMEA"))
    assert "CC-101" in mappings.get(store, "ERP").text
    with store.cursor() as cur:
        actions = [r[0] for r in cur.execute(
            "SELECT action FROM audit_log WHERE entity = 'mapping ERP' ORDER BY seq").fetchall()]
    assert actions == ["add mapping", "replace mapping"]


def test_the_mappings_command(tmp_path: Path, capsys):
    db = str(tmp_path / "cli.duckdb")
    assert main(["--db", db, "init"]) == 0
    toml = tmp_path / "erp.toml"
    toml.write_text(ERP, encoding="utf-8")
    report = tmp_path / "erp.csv"
    report.write_text(REPORT, encoding="utf-8")
    assert main(["--db", db, "mappings", "add", "erp", str(toml)]) == 0
    assert main(["--db", db, "mappings", "list"]) == 0
    assert main(["--db", db, "mappings", "show", "erp"]) == 0
    out = capsys.readouterr().out
    assert "mapping erp saved: reads files as actuals" in out
    assert out.endswith(ERP)
    assert main(["--db", db, "import", "actuals", str(report), "--mapping", "erp"]) == 0
    assert "imported 3 rows of actuals" in capsys.readouterr().out
    with pytest.raises(SystemExit) as usage:  # a mapping of another kind is a usage error
        main(["--db", db, "import", "plan", str(report), "--mapping", "erp"])
    assert usage.value.code == 2
    assert main(["--db", db, "import", "actuals", str(report), "--mapping", "nope"]) == 1
    assert "there is no mapping named 'nope'" in capsys.readouterr().err
    assert main(["--db", db, "mappings", "delete", "erp"]) == 0
    assert main(["--db", db, "mappings", "show", "erp"]) == 1
