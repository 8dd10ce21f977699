"""Read an uploaded or named CSV file safely: size, encoding and header, before any row."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from planning.imports.kinds import Kind
from planning.imports.problems import ImportProblem

MAX_BYTES = 200 * 1024 * 1024
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Source:
    """A decoded CSV file whose header names the kind's columns, in the file's order."""

    name: str
    data: bytes
    columns: tuple[str, ...]


def read_source(kind: Kind, name: str, data: bytes) -> tuple[Source | None, list[ImportProblem]]:
    def problem(row: int, column: str, value: str | None, message: str, fix: str) -> ImportProblem:
        return ImportProblem(name, row, column, value, message, fix)

    if len(data) > MAX_BYTES:
        return None, [problem(0, "-", None, f"the file is {len(data):,} bytes, over the limit of"
                              f" {MAX_BYTES:,}", "split it into smaller files")]
    if not data.removeprefix(BOM).strip():
        return None, [problem(1, "-", None, "the file is empty",
                              f"start from the {kind.name} template: its header is "
                              + ",".join(kind.names))]
    if b"\x00" in data[:65536]:
        return None, [problem(1, "-", None, "this is not a CSV text file (it holds binary data)",
                              "export the sheet as 'CSV UTF-8 (comma delimited)' and upload that")]
    body = data[len(BOM):] if data.startswith(BOM) else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = body[: exc.start].count(b"\n") + 1
        bad = body[exc.start : exc.start + 1].hex()
        return None, [problem(row, "-", f"0x{bad}", "the file is not UTF-8 text",
                              "save it as 'CSV UTF-8' from your spreadsheet")]
    first = next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [])
    header = [h.strip().lower() for h in first]
    problems = []
    for i, h in enumerate(header):
        if h not in kind.names:
            problems.append(problem(1, first[i].strip() or f"column {i + 1}", first[i],
                                    f"unknown column {first[i].strip()!r}",
                                    "rename it to one of " + ", ".join(kind.names)
                                    + " or remove it"))
        elif header.index(h) != i:
            problems.append(problem(1, h, first[i], f"column {h!r} appears twice",
                                    "keep one of the two columns"))
    for required in kind.required:
        if required not in header:
            problems.append(problem(1, required, None, f"the required column {required!r} is"
                                    " missing", f"add a {required} column to the header"))
    if problems:
        return None, problems
    return Source(name, body, tuple(header)), []


def spreadsheet_rows(source: Source, rejected: set[int]) -> list[int]:
    """Row number (header = 1) of each row DuckDB kept, in its order.

    DuckDB skips blank lines and rows it rejected; a quoted cell may span lines. Only error
    reports need this, so it is computed from the file only when there are errors.
    """
    rows = []
    reader = csv.reader(io.StringIO(source.data.decode("utf-8"), newline=""))
    for number, record in enumerate(reader, start=1):
        if number == 1 or not record or number in rejected:
            continue
        rows.append(number)
    return rows
