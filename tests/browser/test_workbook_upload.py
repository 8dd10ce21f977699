"""An Excel workbook uploaded on the Import page, as a planner brings it: checked, then imported."""
from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from tests.browser.conftest import choose, click, go_to, screenshot, sign_in, upload

HEADER = ["owner", "category", "funnel_stage", "channel", "region", "month", "amount",
          "description", "reference"]


def test_a_planner_uploads_a_workbook_of_actuals(draft_server, page, tmp_path):
    import openpyxl

    url = draft_server
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Actuals"
    sheet.append(HEADER)
    # A date cell in the month column is its month; 1234.5 typed by Excel is 1234.50.
    sheet.append(["marketing", "Programs", "awareness", "Paid search", "Atlantis",
                  dt.datetime(2026, 3, 14), 1234.5, "Workbook row", "XL-1"])
    sheet.append(["sales", "Travel", "purchase", "Field sales", "Atlantis", "2026-04", 99,
                  None, "XL-2"])
    path = tmp_path / "spend.xlsx"
    book.save(path)

    sign_in(page, url, "Pat Planner", "planner-demo-2026")
    go_to(page, "Import & export")
    choose(page, "kind", "actuals — money actually spent, by the same keys as the plan")
    upload(page, path)
    expect(page.get_by_text("spend.xlsx is valid")).to_be_visible()
    expect(page.get_by_text("2 rows: 2 new, 0 changed, 0 unchanged")).to_be_visible()
    expect(page.get_by_text("control total $1,333.50")).to_be_visible()
    screenshot(page, "import-workbook")
    click(page, "Import 2 rows")
    expect(page.get_by_text("Imported spend.xlsx")).to_be_visible()
