"""A file from another tool on the Import page: map its columns and values once, see its first
rows as they will be read, save the mapping, then import the file through it."""
from __future__ import annotations

from dashboard.ui.mapping_form import builder_key
from tests.app.conftest import open_page

ERP = (b"Document No,Posting Date,Vendor,Cost Center,Amount (USD)\n"
       b"INV-1,15/01/2026,Google Ads,EMEA,\"12,500.00\"\n"
       b"INV-2,20/02/2026,LinkedIn Ads,EMEA,980.50\n")
MAPPED = {"owner": (None, "marketing"), "category": (None, "Mapped programs"),
          "funnel_stage": (None, "awareness"), "channel": ("Vendor", ""),
          "region": ("Cost Center", ""), "month": ("Posting Date", ""),
          "amount": ("Amount (USD)", ""), "reference": ("Document No", "")}


def _editor_key(_at, suffix: str) -> str:
    return builder_key("actuals", "erp.csv", None) + suffix


def _mapped_actuals(store_file) -> list[tuple]:
    from dashboard.ui.context import open_tandem

    return open_tandem(str(store_file)).store.query(
        "SELECT channel, region, strftime(month, '%Y-%m'), amount, reference FROM actuals"
        " WHERE category = 'Mapped programs' ORDER BY reference")


def test_a_file_from_another_tool_is_mapped_saved_and_imported_through_the_mapping(
        app, store_file):
    at = open_page(app, "import_data.py")
    at.selectbox(key="kind").set_value("actuals").run()
    # A file in its own columns, read as Tandem's: the page points to the mapping.
    at.file_uploader(key="upload_0").upload("erp.csv", ERP, "text/csv").run()
    assert any("unknown column" in p for p in at.dataframe[0].value["Problem"])
    assert any("Map the columns of a file from another tool" in i.value for i in at.info)

    at.selectbox(key="mapping_choice").set_value(
        "Map the columns of a file from another tool…").run()
    assert not at.exception
    columns = _editor_key(at, "_columns")
    order = ["owner", "category", "funnel_stage", "channel", "region", "month", "amount",
             "description", "reference"]
    at.session_state[columns] = {
        "edited_rows": {order.index(c): {"From the file's column": h, **(
            {"Or the same value on every row": v} if v else {})}
            for c, (h, v) in MAPPED.items()},
        "added_rows": [], "deleted_rows": []}
    at.run()
    at.multiselect(key=next(m.key for m in at.multiselect)).set_value(["channel"]).run()
    values = _editor_key(at, "_values_channel")
    at.session_state[values] = {"edited_rows": {0: {"Means": "Paid search"},
                                                1: {"Means": "Paid social"}},
                                "added_rows": [], "deleted_rows": []}
    at.run()
    at.text_input(key=_editor_key(at, "_date")).input("%d/%m/%Y").run()
    at.selectbox(key=_editor_key(at, "_thousands")).set_value(",").run()
    assert not at.exception
    preview = next(d.value for d in at.dataframe if "reference" in d.value.columns)
    assert list(preview["channel"]) == ["Paid search", "Paid social"]
    assert list(preview["amount"]) == ["12500.00", "980.50"]
    assert list(preview["month"]) == ["2026-01", "2026-02"]
    at.text_input(key=_editor_key(at, "_name")).input("ERP spend")
    next(b for b in at.button if b.label == "Save mapping").click().run()
    assert not at.exception
    assert any("Mapping **ERP spend** saved" in s.value for s in at.success)

    # Read through the saved mapping: checked, then imported in one step.
    at.selectbox(key="mapping_choice").set_value("ERP spend").run()
    assert any("would write **2** rows: **2** new" in s.value for s in at.success)
    at.button(key="commit").click().run()
    assert not at.exception
    assert _mapped_actuals(store_file) == [
        ("Paid search", "EMEA", "2026-01", 12500, "INV-1"),
        ("Paid social", "EMEA", "2026-02", 980.5, "INV-2")]


def test_a_value_the_mapping_does_not_know_is_named_and_the_page_offers_to_add_it(
        app, store_file):
    from dashboard.ui.context import open_tandem
    from planning import mappings

    mappings.save(open_tandem(str(store_file)).store, "administrator", "ERP", """
kind = "actuals"
[columns]
month = "Posting Date"
amount = "Amount (USD)"
channel = "Vendor"
region = "Cost Center"
[constants]
owner = "marketing"
category = "Mapped programs"
funnel_stage = "awareness"
[values.channel]
"Google Ads" = "Paid search"
[format]
date = "%d/%m/%Y"
thousands = ","
""")
    at = open_page(app, "import_data.py")
    at.selectbox(key="kind").set_value("actuals").run()
    at.selectbox(key="mapping_choice").set_value("ERP").run()
    at.file_uploader(key="upload_0").upload("erp.csv", ERP, "text/csv").run()
    problems = at.dataframe[0].value
    assert list(problems["Column"]) == ["Vendor"] and list(problems["Value"]) == [
        "LinkedIn Ads"]
    assert "not in mapping ERP's [values.channel]" in problems["Problem"].iloc[0]
    assert any("turn on *Change mapping ERP*" in i.value for i in at.info)
    at.toggle(key="edit_mapping").set_value(True).run()
    # The mapping opens with its values: the one it lacks is named in the preview's problems.
    assert any("row 3, Vendor: the value 'LinkedIn Ads' is not in mapping" in w.value
               for w in at.warning)
    assert not _mapped_actuals(store_file)


def test_the_export_offers_the_whole_year_as_one_workbook(app):
    at = open_page(app, "import_data.py")
    assert "Excel workbook" in at.get("download_button")[-1].proto.label
