"""Saved column mappings: a file from another tool (an ERP spend report, a CRM export) read as one
of the contract's kinds.

A mapping names, for each contract column, the file's header that holds it or a constant; it may
translate the file's values (`Google Ads` -> `Paid search`) and say how the file writes dates
and numbers. It is written in TOML (the data contract's "Column mappings") and stored whole, so
`mappings show` gives back what was added. Reading a file through a mapping turns it, row for
row, into the kind's own CSV, which the importer then checks as any file: so every rule of the
kind, all errors at once and all or nothing hold, and the rows keep the numbers the spreadsheet
shows. A problem the importer finds is named by the file's own header.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, before it joined the library
    import tomli as tomllib

from planning import access, audit
from planning.errors import Refused
from planning.imports import import_csv
from planning.imports.kinds import KINDS, Kind
from planning.imports.problems import ImportProblem, ImportReport, ProblemList
from planning.imports.source import read_source
from planning.model import BASELINE
from planning.people import Person
from planning.store import Store

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,59}")
SECTIONS = {"kind", "columns", "constants", "values", "format"}
FORMAT_KEYS = {"date", "decimal", "thousands"}
DECIMALS = (".", ",")
THOUSANDS = (",", ".", " ", "")
NUMBER_TYPES = {"money", "signed_money", "count", "target"}
# Forms a date cell may take besides the mapping's own: what a workbook's date cell becomes.
ISO_DATES = ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
EXAMPLE = "see the data contract's 'Column mappings' for an example"


@dataclass(frozen=True)
class Mapping:
    name: str
    kind: str
    columns: dict[str, str]                 # contract column -> the file's header
    constants: dict[str, str]               # contract column -> the value of every row
    values: dict[str, dict[str, str]]       # contract column -> {file's value: contract's}
    date: str | None = None                 # strptime format of a month column's dates
    decimal: str = "."
    thousands: str = ""
    text: str = field(default="", repr=False)  # the TOML as it was added
    saved_by: str | None = None
    saved_at: datetime | None = None

    @property
    def contract_kind(self) -> Kind:
        return KINDS[self.kind]

    def label(self, column: str) -> str:
        """How a problem names a contract column: by the file's header where one holds it."""
        if column in self.columns:
            return self.columns[column]
        if column in self.constants:
            return f"{column} (a constant of mapping {self.name})"
        return column


def parse(name: str, text: str) -> Mapping:
    """The mapping a TOML text describes, or Refused listing everything wrong with it."""
    name = name.strip()
    problems: list[str] = []
    if not NAME.fullmatch(name):
        problems.append(f"the name {name!r} is not accepted: use 1 to 60 letters, digits,"
                        " spaces, '_', '.' or '-', starting with a letter or digit")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Refused(f"mapping {name}: the file is not valid TOML ({exc}); {EXAMPLE}") from None
    problems += [f"unknown section or key {key!r}: use kind, [columns], [constants], [values.*]"
                 f" and [format]" for key in doc if key not in SECTIONS]
    kind_name = doc.get("kind")
    kind = KINDS.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None:
        raise Refused("; ".join(problems + [
            f"mapping {name}: kind {kind_name!r} is not one of {', '.join(KINDS)}"]))
    columns = _strings(doc.get("columns", {}), "columns", problems)
    constants = _strings(doc.get("constants", {}), "constants", problems)
    values_doc = doc.get("values", {})
    values: dict[str, dict[str, str]] = {}
    if not isinstance(values_doc, dict):
        problems.append("[values] must hold one table per column, e.g. [values.channel]")
        values_doc = {}
    for column, table in values_doc.items():
        values[column] = _strings(table, f"values.{column}", problems)
        if column not in columns:
            problems.append(f"[values.{column}] translates a column the mapping does not take"
                            f" from the file: add {column} = \"<header>\" under [columns]")
    for section, names in (("columns", columns), ("constants", constants)):
        problems += [f"[{section}] {c!r} is not a column of {kind.name}: use "
                     + ", ".join(kind.names) for c in names if c not in kind.names]
    problems += [f"{c!r} is both mapped from the file and a constant: keep one"
                 for c in columns if c in constants]
    problems += [f"the required column {c!r} is neither mapped from the file nor a constant:"
                 f" add it under [columns] or [constants]" for c in kind.required
                 if c not in columns and c not in constants]
    headers = [h.strip().lower() for h in columns.values()]
    problems += [f"the file's column {h!r} is mapped twice: map it to one contract column"
                 for h in sorted({h for h in headers if headers.count(h) > 1})]
    fmt = doc.get("format", {})
    if not isinstance(fmt, dict):
        problems.append("[format] must be a table with date, decimal and thousands")
        fmt = {}
    problems += [f"[format] has no key {k!r}: use date, decimal or thousands"
                 for k in fmt if k not in FORMAT_KEYS]
    date, decimal, thousands = fmt.get("date"), fmt.get("decimal", "."), fmt.get("thousands", "")
    if date is not None and (not isinstance(date, str) or "%" not in date):
        problems.append(f"[format] date {date!r} is not a date format: write it as e.g."
                        " \"%d/%m/%Y\"")
    if decimal not in DECIMALS:
        problems.append(f"[format] decimal {decimal!r}: use \".\" or \",\"")
    if thousands not in THOUSANDS:
        problems.append(f"[format] thousands {thousands!r}: use \",\", \".\", \" \" or \"\"")
    if decimal == thousands:
        problems.append("[format] decimal and thousands are the same: numbers could not be read")
    if problems:
        raise Refused(f"mapping {name}: " + "; ".join(problems))
    return Mapping(name, kind.name, columns, constants, values, date, decimal, thousands, text)


def _strings(table: object, section: str, problems: list[str]) -> dict[str, str]:
    """A TOML table of text values, its keys lower-cased (contract names are case-insensitive,
    the file's values are not)."""
    if not isinstance(table, dict):
        problems.append(f"[{section}] must be a table of names and text values")
        return {}
    out: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            problems.append(f"[{section}] {key!r} must be text, e.g. {key} = \"...\"")
            continue
        out[key if section.startswith("values.") else key.strip().lower()] = value
    return out


# -- stored ------------------------------------------------------------------------------------

def save(store: Store, actor: Person | str, name: str, text: str) -> Mapping:
    """Add a mapping, or replace the one of that name (audited either way)."""
    who = access.require(access.person(actor), "manage_mappings")
    mapping = parse(name, text)

    def work(cur) -> None:
        before = cur.execute("SELECT kind, definition FROM column_mappings WHERE name = ?",
                             [mapping.name]).fetchone()
        cur.execute("DELETE FROM column_mappings WHERE name = ?", [mapping.name])
        cur.execute("INSERT INTO column_mappings (name, kind, definition, saved_by)"
                    " VALUES (?, ?, ?, ?)", [mapping.name, mapping.kind, mapping.text, who.name])
        audit.record(cur, who.name, "replace mapping" if before else "add mapping",
                     f"mapping {mapping.name}",
                     before={"kind": before[0], "definition": before[1]} if before else None,
                     after={"kind": mapping.kind, "definition": mapping.text})

    store.write(work)
    return mapping


def delete(store: Store, actor: Person | str, name: str) -> None:
    who = access.require(access.person(actor), "manage_mappings")

    def work(cur) -> None:
        before = cur.execute("SELECT kind, definition FROM column_mappings WHERE name = ?",
                             [name]).fetchone()
        if before is None:
            raise Refused(f"there is no mapping named {name!r}: `tandem mappings list` shows"
                          " the saved ones")
        cur.execute("DELETE FROM column_mappings WHERE name = ?", [name])
        audit.record(cur, who.name, "delete mapping", f"mapping {name}",
                     before={"kind": before[0], "definition": before[1]})

    store.write(work)


def saved(store: Store) -> list[Mapping]:
    """Every saved mapping, by name."""
    with store.cursor() as cur:
        rows = cur.execute("SELECT name, definition, saved_by, saved_at FROM column_mappings"
                           " ORDER BY name").fetchall()
    return [dataclasses.replace(parse(n, text), saved_by=by, saved_at=at)
            for n, text, by, at in rows]


def get(store: Store, name: str) -> Mapping:
    found = next((m for m in saved(store) if m.name == name), None)
    if found is None:
        raise Refused(f"there is no mapping named {name!r}: `tandem mappings list` shows the"
                      " saved ones")
    return found


# -- reading a file through one ------------------------------------------------------------------

def convert(mapping: Mapping, file_name: str, data: bytes, *, limit: int | None = None
            ) -> tuple[str, bytes | None, ProblemList]:
    """(the name problems carry, the file as the kind's own CSV, the problems of the mapping's
    own steps): a header it needs that the file lacks, a value its tables do not list, a date
    not in its format. The CSV has one row for each of the file's rows, in order (the first
    `limit` rows only, for a preview)."""
    kind = mapping.contract_kind
    source, found = read_source(kind, file_name, data, expected=tuple(mapping.columns.values()))
    if source is None:
        return file_name, None, found
    name = source.name
    reader = csv.reader(io.StringIO(source.data.decode("utf-8")), delimiter=source.separator)
    header = [h.strip().lower() for h in next(reader, [])]
    where: dict[str, int] = {}
    for column, wanted in mapping.columns.items():
        if wanted.strip().lower() in header:
            where[column] = header.index(wanted.strip().lower())
        else:
            found.add(ImportProblem(
                name, 1, wanted, None, f"the file has no column {wanted!r}, which mapping"
                f" {mapping.name} reads as {column}",
                f"choose the mapping made for this file, or change its [columns] {column}"))
    if found:
        return name, None, found
    names = [c for c in kind.names if c in mapping.columns or c in mapping.constants]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for row_number, row in enumerate(reader, start=2):
        if limit is not None and row_number > limit + 1:
            break
        if not any(cell.strip() for cell in row):
            out.write("\n")  # an empty row: skipped, but the next keeps its number
            continue
        cells = []
        for column in names:
            if column in mapping.constants:
                cells.append(mapping.constants[column])
                continue
            index = where[column]
            value = row[index] if index < len(row) else ""
            converted, problem = _cell(mapping, kind, column, value.strip())
            if problem:
                found.add(ImportProblem(name, row_number, mapping.columns[column], value,
                                        *problem), (column, problem[1]))
            cells.append(converted)
        writer.writerow(cells)
    return name, out.getvalue().encode("utf-8"), found


def _cell(mapping: Mapping, kind: Kind, column: str, value: str
          ) -> tuple[str, tuple[str, str] | None]:
    """One cell in the contract's form, and (message, fix) when the mapping cannot convert it."""
    table = mapping.values.get(column)
    if table is not None and value:
        if value not in table:
            return value, (f"the value {value!r} is not in mapping {mapping.name}'s"
                           f" [values.{column}]",
                           f"add \"{value}\" = \"<the {column} it means>\" to the mapping")
        return table[value], None
    ctype = kind.column(column).type
    if ctype == "month" and value:
        return _month(mapping, value)
    if ctype in NUMBER_TYPES and value:
        return _number(mapping, value), None
    return value, None


def _month(mapping: Mapping, value: str) -> tuple[str, tuple[str, str] | None]:
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return value, None
    for form in ((mapping.date,) if mapping.date else ()) + ISO_DATES:
        try:
            return f"{datetime.strptime(value, form):%Y-%m}", None
        except ValueError:
            continue
    shown = mapping.date or "YYYY-MM-DD"
    return value, (f"{value!r} is not a date written as mapping {mapping.name} says ({shown})",
                   f"write the date as {shown}, or change the mapping's [format] date")


def _number(mapping: Mapping, value: str) -> str:
    """The file's number in the contract's form. A number the format does not describe is
    passed on as it is, and the importer names it with the accepted form."""
    sign = value.endswith("%")
    body = value[:-1] if sign else value
    if mapping.thousands:
        grouped = re.escape(mapping.thousands)
        point = re.escape(mapping.decimal)
        if re.fullmatch(rf"-?\d{{1,3}}({grouped}\d{{3}})+({point}\d+)?", body):
            body = body.replace(mapping.thousands, "")
    if mapping.decimal == "," and re.fullmatch(r"-?\d+,\d+", body):
        body = body.replace(",", ".")
    return body + ("%" if sign else "")


def import_mapped(store: Store, mapping: Mapping, data: bytes, *, file_name: str,
                  scenario: str = BASELINE, actor: Person | str = "system",
                  commit: bool = True) -> ImportReport:
    """Import a file through a mapping: the importer's report, its problems named by the file's
    headers, with the mapping's own problems among them; nothing is written unless both are
    free of problems."""
    name, converted, own = convert(mapping, file_name, data)
    if converted is None:
        problems, count, omitted = own.finish({})
        return ImportReport(mapping.kind, name, None, problems=problems, problem_count=count,
                            omitted=omitted)
    report = import_csv(store, mapping.kind, converted, file_name=name, scenario=scenario,
                        actor=actor, commit=commit and not own)
    named = [dataclasses.replace(p, column=mapping.label(p.column)) for p in report.problems]
    if not own:
        return dataclasses.replace(report, problems=tuple(named))
    listed, count, omitted = own.finish({})
    # A cell the mapping could not convert reached the importer as the file wrote it: name it
    # once, with the mapping's words.
    cells = {(p.row, p.column) for p in listed}
    again = [p for p in named if (p.row, p.column) in cells]
    shown = sorted([p for p in named if (p.row, p.column) not in cells] + list(listed),
                   key=lambda p: p.row)[: report.shown_problems_cap]
    return dataclasses.replace(report, problems=tuple(shown), committed=False,
                               problem_count=report.problem_count - len(again) + count,
                               omitted=report.omitted + omitted, added=0, updated=0,
                               unchanged=0, changes=())


# -- building one from a file ---------------------------------------------------------------------

def file_header(kind_name: str, file_name: str, data: bytes) -> list[str]:
    """The header of a file from another tool, as it writes it (nothing if it cannot be read)."""
    source, _found = read_source(KINDS[kind_name], file_name, data, expected=())
    if source is None:
        return []
    first = source.data[: source.data.find(b"\n") if b"\n" in source.data else None]
    return [h.strip() for h in next(csv.reader([first.decode("utf-8")],
                                               delimiter=source.separator), [])]


def distinct_values(file_name: str, data: bytes, header: str, kind_name: str,
                    limit: int = 500) -> list[str]:
    """The different values of one of the file's columns, most frequent first (the first
    `limit`): what a value table may need to translate."""
    source, _found = read_source(KINDS[kind_name], file_name, data, expected=(header,))
    if source is None:
        return []
    reader = csv.reader(io.StringIO(source.data.decode("utf-8")), delimiter=source.separator)
    names = [h.strip().lower() for h in next(reader, [])]
    if header.strip().lower() not in names:
        return []
    index = names.index(header.strip().lower())
    seen: dict[str, int] = {}
    for row in reader:
        if index < len(row) and row[index].strip():
            seen[row[index].strip()] = seen.get(row[index].strip(), 0) + 1
    return sorted(seen, key=lambda v: (-seen[v], v))[:limit]


def to_toml(kind: str, columns: dict[str, str], constants: dict[str, str],
            values: dict[str, dict[str, str]], date: str | None = None, decimal: str = ".",
            thousands: str = "") -> str:
    """A mapping written as the TOML that `tandem mappings add` reads (and `show` gives back)."""
    def q(text: str) -> str:  # a TOML basic string: JSON's escapes are TOML's
        return json.dumps(text, ensure_ascii=False)

    lines = [f"kind = {q(kind)}", "", "[columns]"]
    lines += [f"{c} = {q(h)}" for c, h in columns.items()]
    if constants:
        lines += ["", "[constants]", *(f"{c} = {q(v)}" for c, v in constants.items())]
    for column, table in values.items():
        if table:
            lines += ["", f"[values.{column}]", *(f"{q(a)} = {q(b)}" for a, b in table.items())]
    fmt = {"date": date, "decimal": decimal if decimal != "." else None,
           "thousands": thousands or None}
    if any(fmt.values()):
        lines += ["", "[format]", *(f"{k} = {q(v)}" for k, v in fmt.items() if v)]
    return "\n".join(lines) + "\n"
