"""Read a spreadsheet workbook (.xlsx; .xls and .ods too) as the CSV text the importer checks.

The sheet named as the kind (case and spaces aside) is read, else the first sheet; its first row
is the header and each sheet row becomes one line, empty ones included, so every problem names
the row as the spreadsheet shows it. Cells typed by the spreadsheet become the contract's text:
a number is written as the spreadsheet shows it (15 significant digits, so 0.1 + 0.2 is 0.3 and
a money cell of 1234.5 is 1234.5, stored as 1234.50), a date in the month column is that month,
other dates are ISO dates and times. Everything else (all checks, all or nothing) is the CSV
path's: the importer never sees a workbook, only the text made here.

python-calamine (Rust's calamine) reads the workbook: on a workbook of a million plan lines it
was several times faster than openpyxl's read-only mode (bench/import_plan.py measures both).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

from planning.imports.kinds import Column, Kind
from planning.imports.problems import ImportProblem, ProblemList

ZIP = b"PK\x03\x04"  # .xlsx and .ods are zip files
OLE = b"\xd0\xcf\x11\xe0"  # .xls (and an .xlsx with a password: an encrypted package)
# What a sheet may hold once unpacked: a million plan lines are about 200 MB of sheet XML. A
# small upload that unpacks to gigabytes (a "zip bomb") is refused before it is read.
MAX_UNPACKED = 1024 * 1024 * 1024
SAVE_AGAIN = ("open it in your spreadsheet and save it again as an Excel workbook (.xlsx), or"
              " as 'CSV UTF-8'")


def is_workbook(data: bytes) -> bool:
    return data.startswith(ZIP) or data.startswith(OLE)


def sheet_as_csv(kind: Kind, name: str, data: bytes) -> tuple[str, bytes | None, ProblemList]:
    """(the name problems carry, the chosen sheet as CSV text or None, the problems found).

    The name is `FILE[SHEET]`, so that every problem of the file names its sheet too.
    """
    found = ProblemList()
    if data.startswith(ZIP):
        unpacked = _unpacked_size(data)
        if unpacked is None or unpacked > MAX_UNPACKED:
            what = ("is not a readable zip file" if unpacked is None
                    else f"unpacks to {unpacked:,} bytes, over the limit of {MAX_UNPACKED:,}")
            found.add(ImportProblem(name, 0, "-", None, f"this workbook {what}", SAVE_AGAIN))
            return name, None, found
    import python_calamine  # imported here: only a workbook needs it

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_name = _sheet_for(kind, book.sheet_names)
        if sheet_name is None:
            found.add(ImportProblem(name, 0, "-", None, "the workbook has no sheet",
                                    f"put the {kind.name} rows on a sheet named {kind.name!r}"))
            return name, None, found
        where = f"{name}[{sheet_name}]"
        sheet = book.get_sheet_by_name(sheet_name)
        return where, _as_csv(kind, sheet.iter_rows()), found
    except Exception as exc:  # noqa: BLE001 - calamine's errors are many; any is the file's
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        if data.startswith(OLE) and "password" in reason.lower():
            reason = "it is protected by a password"
        found.add(ImportProblem(name, 0, "-", None, f"this workbook cannot be read ({reason})",
                                SAVE_AGAIN))
        return name, None, found


def _unpacked_size(data: bytes) -> int | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def _sheet_for(kind: Kind, names: list[str]) -> str | None:
    """The sheet named as the kind (`Plan`, ` plan `), else the first one."""
    for sheet in names:
        if sheet.strip().lower() == kind.name:
            return sheet
    return names[0] if names else None


def _as_csv(kind: Kind, rows) -> bytes:
    """The sheet's rows as CSV text: one line per sheet row, the header's row first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns: list[Column | None] = []
    for number, row in enumerate(rows):
        if number == 0:
            header = [_text(cell, None) for cell in row]
            while header and not header[-1].strip():
                header.pop()  # a formatted, empty column after the header's last name
            by_name = {c.name: c for c in kind.columns}
            columns = [by_name.get(h.strip().lower()) for h in header]
            writer.writerow(header)
            continue
        cells = [_text(cell, columns[i] if i < len(columns) else None)
                 for i, cell in enumerate(row)]
        if not any(cells):
            out.write("\n")  # an empty row: a blank line, skipped but counted
            continue
        # Cells past the header's last column are kept (a row of too many cells is named),
        # unless they are empty: a sheet's rows are as wide as its widest row.
        while len(cells) > len(columns) and not cells[-1]:
            cells.pop()
        writer.writerow(cells + [""] * (len(columns) - len(cells)))
    return out.getvalue().encode("utf-8")


def _text(cell: object, column: Column | None) -> str:
    """A cell as the contract writes its value (see the module's docstring)."""
    if cell is None or cell == "":
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, (int, float)):
        return _number(cell, column)
    if isinstance(cell, dt.datetime):
        if column is not None and column.type == "month":
            return f"{cell:%Y-%m}"
        return cell.isoformat(sep=" ", timespec="seconds" if cell.second else "minutes")
    if isinstance(cell, dt.date):
        return f"{cell:%Y-%m}" if column is not None and column.type == "month" else \
            cell.isoformat()
    return str(cell)


def _number(value: int | float, column: Column | None) -> str:
    """A number as the spreadsheet shows it: 15 significant digits (what Excel keeps), in plain
    notation, whole numbers without a decimal point."""
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    text = format(Decimal(format(value, ".15g")), "f")
    if "." in text and (column is None or column.type not in ("money", "signed_money")):
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
