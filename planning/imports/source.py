"""Read an uploaded or named CSV file safely: size, bytes, encoding, line ends and header first.

Everything here is linear in the file's size and bounded in what it reports, whatever the file
holds: it is the first thing a fuzzed, truncated or binary upload meets.
"""
from __future__ import annotations

import csv
import io
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from planning.imports import workbook
from planning.imports.kinds import Kind
from planning.imports.problems import ImportProblem, ProblemList, clip

MAX_BYTES = 200 * 1024 * 1024
BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # little-endian (what Excel writes), big-endian
SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}
LF, CR = b"\n", b"\r"
BINARY = ("this is not a CSV text file (it holds binary data)",
          "export the sheet as 'CSV UTF-8 (comma delimited)' and upload that")


@dataclass(frozen=True)
class Source:
    """A decoded CSV file whose header names the kind's columns, in the file's order.

    `data` is the file's bytes without a byte-order mark; its line ends are LF, or CRLF when every
    line of the file ends so (DuckDB reads both; a lone CR is turned into LF, see `line_ends`).
    """

    name: str
    data: bytes
    columns: tuple[str, ...]
    lines: int = 0     # LF bytes in the file
    controls: int = 0  # bytes of control characters other than tab, LF and CR
    separator: str = ","  # the one the header is written with: comma, semicolon or tab

    @property
    def separator_name(self) -> str:
        return SEPARATORS[self.separator]


def with_data(source: Source, data: bytes) -> Source:
    """The source holding other bytes (its line ends changed), counted again."""
    return Source(source.name, data, source.columns, *byte_counts(data), source.separator)


def byte_counts(data: bytes) -> tuple[int, int]:
    """(line feeds, other control characters but tab and CR) of the file, in one vectorised
    pass: the importer's only pass over every byte in Python, about 40 ms for 75 MB."""
    values = np.frombuffer(data, np.uint8)
    step = 1 << 20
    scratch = np.empty(min(step, len(values)), dtype=bool)
    low = lf = 0
    for start in range(0, len(values), step):
        chunk = values[start : start + step]
        flags = scratch[: len(chunk)]
        np.less(chunk, 32, out=flags)
        low += int(np.count_nonzero(flags))
        np.equal(chunk, 10, out=flags)
        lf += int(np.count_nonzero(flags))
    if low == lf:
        return lf, 0
    other = low - lf - data.count(b"\r") - data.count(b"\t")
    return lf, other


def _problem(name: str, row: int, column: str, value: str | None, message: str,
             fix: str) -> ImportProblem:
    return ImportProblem(name, row, column, value, message, fix)


def read_source(kind: Kind, name: str, data: bytes, *, expected: Sequence[str] | None = None
                ) -> tuple[Source | None, ProblemList]:
    """The file's `Source`, or None and what is wrong with it (nothing else is read then).

    `expected` names the header's columns when the file is not in the kind's own form (a file
    read through a mapping): the separator is chosen by them, and the header is not checked
    against the kind's columns."""
    found = ProblemList()
    if len(data) > MAX_BYTES:
        found.add(_problem(name, 0, "-", None, f"the file is {len(data):,} bytes, over the limit"
                           f" of {MAX_BYTES:,}", "split it into smaller files"))
        return None, found
    if workbook.is_workbook(data):
        name, text, found = workbook.sheet_as_csv(kind, name, data)
        if text is None:
            return None, found
        data = text
    body = data[len(BOM):] if data.startswith(BOM) else data
    if data[:2] in UTF16_BOMS:
        body = _from_utf16(name, data, found)
        if body is None:
            return None, found
    elif _looks_utf16(body):
        found.add(_problem(name, 1, "-", None, "the file looks like UTF-16 text without a"
                           " byte-order mark, which cannot be told from binary data",
                           "save it as 'CSV UTF-8' (or as 'Unicode Text', which writes the mark)"))
        return None, found
    if not body or body.isspace():  # (strip() would copy the whole file)
        found.add(_problem(name, 1, "-", None, "the file is empty",
                           f"start from the {kind.name} template: its header is "
                           + ",".join(kind.names)))
        return None, found
    nul = body.find(b"\x00")
    if nul >= 0:
        # Anywhere in the file, not only in its first bytes: a NUL is never text.
        found.add(_problem(name, _line_of(body, nul), "-", None, *BINARY))
        return None, found
    if not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = body[exc.start : exc.start + 1].hex()
            found.add(_problem(name, _line_of(body, exc.start), "-", f"0x{bad}",
                               "the file is not UTF-8 text",
                               "save it as 'CSV UTF-8' from your spreadsheet"))
            return None, found
    body = line_ends(body)
    found_header = _header(kind.names if expected is None else expected, name, body, found)
    if found_header is None:
        return None, found
    header, separator = found_header
    if expected is None:
        _check_header(kind, name, header, found, separator)
    if found:
        return None, found
    return Source(name, body, tuple(h.strip().lower() for h in header),
                  *byte_counts(body), separator), found


def first_rows(kind: str, name: str, data: bytes, limit: int = 20
               ) -> tuple[list[str], list[list[str]]]:
    """The header and the first `limit` rows of a file of a kind (its name) as the importer
    reads it (a workbook's sheet, any encoding and separator), for a preview; nothing when it
    cannot be read."""
    from planning.imports.kinds import KINDS

    source, _found = read_source(KINDS[kind], name, data)
    if source is None:
        return [], []
    end = 0
    for _ in range(limit + 1):  # a cell may span lines: take a few more, the reader stops
        end = source.data.find(LF, end) + 1
        if end == 0:
            end = len(source.data)
            break
    text = source.data[: end + 64 * 1024].decode("utf-8", errors="replace")
    with _no_field_limit():
        records = csv.reader(io.StringIO(text), delimiter=source.separator)
        try:
            rows = [r for _, r in zip(range(limit + 1), records, strict=False)]
        except csv.Error:
            return [], []
    header = [h.strip() for h in rows[0]] if rows else []
    width = len(header)
    return header, [(r + [""] * width)[:width] for r in rows[1:] if r]


def _from_utf16(name: str, data: bytes, found: ProblemList) -> bytes | None:
    """A UTF-16 file (its byte-order mark says which way round) as UTF-8, or None."""
    try:
        return data.decode("utf-16").encode("utf-8")
    except UnicodeDecodeError as exc:
        found.add(_problem(name, 0, "-", f"0x{data[exc.start : exc.start + 2].hex()}",
                           f"the file starts as UTF-16 text but byte {exc.start:,} is not",
                           "save it again as 'Unicode Text' or as 'CSV UTF-8'"))
        return None


def _looks_utf16(data: bytes) -> bool:
    """Text written two bytes a character without a byte-order mark: in its first bytes, every
    other byte is NUL (as ASCII text is in UTF-16)."""
    head = data[:200]
    return len(head) >= 8 and (head[1::2].count(0) >= len(head) // 2 - 1
                               or head[0::2].count(0) >= len(head) // 2 - 1)


def _line_of(data: bytes, position: int) -> int:
    """The line (1 = the first) a byte of the file is on, whatever its line ends."""
    head = data[:position]
    return max(head.count(LF), head.count(CR)) + 1


def line_ends(data: bytes, *, mixed: bool = False) -> bytes:
    """The file with line ends DuckDB reads: LF, or CRLF throughout; else every CR becomes LF.

    A classic Mac file ends lines with CR alone, some tools write LF CR: DuckDB's reader fails on
    both. The first line end decides (finding a lone CR further on would cost a pass over every
    file); a file whose first line ends CRLF is read as it is, and `mixed=True` forces the change
    when DuckDB then meets a lone CR. A CR inside a quoted cell becomes LF too: that is how a cell
    holds a line break (and how it reads back from an export opened with newline translation).
    """
    first_cr = data.find(CR)
    if first_cr < 0:
        return data
    if not mixed and data[first_cr + 1 : first_cr + 2] == LF:
        return data
    return data.replace(b"\r\n", LF).replace(CR, LF)


def _header(names: Sequence[str], name: str, data: bytes, found: ProblemList
            ) -> tuple[list[str], str] | None:
    """The cells of the first line and the separator they are written with, or None with a
    problem when the line cannot be read as a header.

    The separator is the one of comma, semicolon and tab that splits the line into the most of
    the kind's column names (a tie goes to the one used most): a semicolon file as European
    spreadsheets save it reads as such, and a header of unknown names still splits on commas.
    """
    end = data.find(LF)
    line = (data if end < 0 else data[:end]).removesuffix(CR).decode("utf-8")
    known = {n.strip().lower() for n in names}

    start = line[: 64 * 1024]  # enough to choose by: a header of a million columns is refused

    def score(separator: str) -> tuple[int, int]:
        cells = _split(start, separator)
        return (sum(c.strip().lower() in known for c in cells[:1000]) if cells else -1,
                start.count(separator))

    separator = max(SEPARATORS, key=score)
    if '"' not in line:
        return line.split(separator), separator
    if line.count('"') % 2:
        found.add(_problem(name, 1, "-", line, "the header has a quote that is not closed",
                           "the first line must be the header: column names separated by commas"
                           ", each on this one line"))
        return None
    try:
        with _no_field_limit():
            return next(csv.reader([line], strict=True, delimiter=separator)), separator
    except csv.Error as exc:
        found.add(_problem(name, 1, "-", line, f"the header cannot be read ({exc})",
                           "the first line must be the header: column names separated by"
                           " commas, a name in double quotes only if it holds a comma"))
        return None


def _split(line: str, separator: str) -> list[str] | None:
    """The cells of a header line (None if it cannot be read so): for choosing the separator."""
    if '"' not in line:
        return line.split(separator)
    try:
        with _no_field_limit():
            return next(csv.reader([line], delimiter=separator))
    except csv.Error:
        return None


def _check_header(kind: Kind, name: str, header: list[str], found: ProblemList,
                  separator: str = ",") -> None:
    known = set(kind.names)
    names = [cell.strip().lower() for cell in header]
    # A header may have a million unknown columns: list the first ones, count the others.
    unknown = [i for i, h in enumerate(names) if h not in known]
    accepted = "rename it to one of " + ", ".join(kind.names) + " or remove it"
    if len(header) == 1 and len(kind.names) > 1:
        accepted += ("; if it holds the whole header, separate the names with commas,"
                     " semicolons or tabs")
    for i in unknown[: found.per_kind]:
        cell = header[i]
        found.add(_problem(name, 1, cell.strip() or f"column {i + 1}", cell,
                           f"unknown column {clip(cell.strip())!r}", accepted), "unknown_column")
    if len(unknown) > found.per_kind:
        found.add_counted("unknown_column", [], len(unknown) - found.per_kind, 1)
    seen: set[str] = set()
    for h, cell in ((h, cell) for h, cell in zip(names, header, strict=True) if h in known):
        if h in seen:
            found.add(_problem(name, 1, h, cell, f"column {h!r} appears twice",
                               "keep one of the two columns"), "twice")
        seen.add(h)
    for required in kind.required:
        if required not in seen:
            found.add(_problem(name, 1, required, None, f"the required column {required!r} is"
                               " missing", f"add a {required} column to the header"))


# -- rows as a spreadsheet numbers them ---------------------------------------------------------

_LIMIT_LOCK = threading.Lock()


@contextmanager
def _no_field_limit() -> Iterator[None]:
    """Let Python's CSV reader take a cell of any size (its limit, 128 KiB, is process-wide).

    The file was size-checked already; a cell too long for its column is named by the checks.
    """
    with _LIMIT_LOCK:
        before = csv.field_size_limit()
        csv.field_size_limit(MAX_BYTES + 1)
        try:
            yield
        finally:
            csv.field_size_limit(before)


@dataclass(frozen=True)
class Layout:
    """Where each row DuckDB keeps is in the file, and the records it cannot keep.

    `rows[i]` is the spreadsheet row (header = 1) of the i-th row read (a numpy array: four
    bytes a row); `unreadable` holds
    (row, cells or None, reason) for each record with more cells than DuckDB reads (the header's
    and one more) or with broken quotes.
    """

    rows: Sequence[int]
    unreadable: list[tuple[int, int | None, str]]
    unreadable_count: int


_SPACE_AFTER_QUOTE = {sep: re.compile(f'" +(?=[{re.escape(sep)}\\r\\n]|$)') for sep in SEPARATORS}
_MANY = 100_000  # cells in one line past which a row is counted without building its cells
_BIG_RECORD = 8 * 1024 * 1024  # bytes of a record past which it is counted, not split


def layout(source: Source, limit: int) -> Layout:
    """Read the file as records, in linear time, the way DuckDB's strict reader splits them.

    Only a file whose rows DuckDB did not read one per line needs this (a blank line, a cell
    spanning lines, a row it could not read). At most `limit` unreadable records are kept.
    Lines without a quote are measured all at once (numpy: their length and commas); Python's
    CSV reader (told, like DuckDB, to allow spaces around a quoted cell) reads a record from
    each line with a quote. A line of a million cells is counted, not split: its cells as
    Python strings could take gigabytes.
    """
    data = source.data
    values = np.frombuffer(data, np.uint8)
    ends = _positions(values, 10)
    if not len(ends) or ends[-1] != len(data) - 1:
        ends = np.append(ends, np.int32(len(data)))  # the last line has no line feed
    starts = np.concatenate((np.zeros(1, np.int32), ends[:-1] + 1))
    commas = _per_line(values, ends, ord(source.separator))  # separators, whichever they are
    quotes = _per_line(values, ends, 34)
    quoted = np.flatnonzero(quotes).tolist()
    lengths = ends - starts
    lengths -= _per_line(values, ends, 13) > 0  # CRLF: the CR is no cell
    most = len(source.columns) + 1
    found = _Found(limit)
    line, number = 1, 1  # line 0, row 1: the header (a quote left open in it was refused)
    for q in [*quoted, len(ends)]:
        if q < line:
            continue  # a line inside a record read above
        # Lines line..q-1 have no quote: one row each, blank ones skipped.
        cells = commas[line:q] + 1
        kept = lengths[line:q] > 0
        numbers = np.arange(number + 1, number + 1 + q - line, dtype=np.int32)
        found.rows.append(numbers[kept & (cells <= most)])
        wide = kept & (cells > most)
        for row, n in zip(numbers[wide][: limit].tolist(), cells[wide][: limit].tolist(),
                          strict=True):
            found.unreadable(row, n, "cells")
        found.count += max(0, int(np.count_nonzero(wide)) - limit)
        number += q - line
        if q == len(ends):
            break
        number += 1
        line = _quoted_record(data, starts, ends, q, number, most, found, quotes,
                              int(commas[q]), source.separator)
    rows = np.concatenate(found.rows) if found.rows else np.zeros(0, np.int32)
    return Layout(rows, found.kept, found.count)


class _Found:
    def __init__(self, limit: int) -> None:
        self.limit, self.count = limit, 0
        self.rows: list[np.ndarray] = []  # row numbers, a run of lines at a time
        self.kept: list[tuple[int, int | None, str]] = []

    def unreadable(self, row: int, cells: int | None, reason: str) -> None:
        self.count += 1
        if len(self.kept) < self.limit:
            self.kept.append((row, cells, reason))


def _positions(values: np.ndarray, byte: int) -> np.ndarray:
    """Where `byte` occurs, a slice at a time (no file-sized temporary)."""
    step = 1 << 22
    found = [(np.flatnonzero(values[start : start + step] == byte) + start).astype(np.int32)
             for start in range(0, len(values), step)]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int32)


def _per_line(values: np.ndarray, ends: np.ndarray, byte: int) -> np.ndarray:
    """How many times `byte` occurs on each line (lines end at `ends`), a slice at a time: each
    slice's flags summed between line ends in one pass. No position of each occurrence is kept
    (a line of 95 million commas), nor looked up among the line ends (that was 3 s for a file
    of 16 million commas)."""
    counts = np.zeros(len(ends), dtype=np.int32)
    step = 1 << 22
    for start in range(0, len(values), step):
        chunk = values[start : start + step]
        first = int(np.searchsorted(ends, start))  # the line this slice starts in
        upto = int(np.searchsorted(ends, start + len(chunk)))
        bounds = np.concatenate(([0], ends[first:upto] - start + 1))
        bounds = bounds[bounds < len(chunk)]  # a line may end on the slice's last byte
        sums = np.add.reduceat((chunk == byte).view(np.uint8), bounds, dtype=np.int32)
        counts[first : first + len(sums)] += sums
    return counts


def _record_end(quotes: np.ndarray, first: int) -> int | None:
    """The last line of a record whose quoted cell opens on line `first`: the first line end
    after which the quotes are balanced (a doubled quote counts twice). None when they never
    are: the quote runs to the end of the file. Looked for in growing slices, so it costs the
    lines the record spans, not the file's length."""
    total, start, step = 0, first, 64
    while start < len(quotes):
        chunk = quotes[start : start + step]
        balanced = np.flatnonzero((np.cumsum(chunk) + total) % 2 == 0)
        if len(balanced):
            return start + int(balanced[0])
        total += int(chunk.sum())
        start += len(chunk)
        step *= 2
    return None


class _TooBig(Exception):
    """A record grew past _BIG_RECORD bytes in Python's CSV reader."""


def _quoted_record(data: bytes, starts: np.ndarray, ends: np.ndarray, first: int, number: int,
                   most: int, found: _Found, quotes: np.ndarray, commas: int,
                   separator: str = ",") -> int:
    """Read the record starting on line `first` (it has a quote); the next line after it.

    Python's reader reads it, strictly, as DuckDB does. A record it would take megabytes to
    build (a line of a million cells, a quoted cell of megabytes, a quote never closed, which
    gathers the rest of the file into one cell at four bytes a character) is measured instead:
    its end by balancing quotes, its cells by the commas outside them. It is a problem row
    whatever it holds: the checks name a cell that long.
    """
    if commas > _MANY:
        return _measured(data, starts, ends, first, number, most, found, first, separator)
    consumed = [first]

    def lines() -> Iterator[str]:
        size = 0
        for i in range(first, len(ends)):
            consumed[0] = i
            size += int(ends[i] - starts[i])
            if size > _BIG_RECORD:
                raise _TooBig
            text = data[starts[i] : ends[i] + 1].decode("utf-8")
            yield space_after_quote.sub('"', text) if '" ' in text else text

    space_after_quote = _SPACE_AFTER_QUOTE[separator]
    with _no_field_limit():
        try:
            record = next(csv.reader(lines(), strict=True, skipinitialspace=True,
                                     delimiter=separator), [])
        except csv.Error as exc:
            found.unreadable(number, None, str(exc))
            return consumed[0] + 1
        except _TooBig:
            last = _record_end(quotes, first)
            if last is None:
                found.unreadable(number, None, "a quoted cell is not closed before the end of"
                                 " the file")
                return len(ends)
            return _measured(data, starts, ends, first, number, most, found, last, separator)
    if len(record) > most:
        found.unreadable(number, len(record), "cells")
    elif record:
        found.rows.append(np.array([number], np.int32))
    return consumed[0] + 1


def _measured(data: bytes, starts: np.ndarray, ends: np.ndarray, first: int, number: int,
              most: int, found: _Found, last: int, separator: str) -> int:
    """Place the record on lines `first` to `last` by counting its cells; the next line."""
    cells = _cells(data, int(starts[first]), int(ends[last]), ord(separator))
    if cells > most:
        found.unreadable(number, cells, "cells")
    else:
        found.rows.append(np.array([number], np.int32))
    return last + 1


def _cells(data: bytes, start: int, end: int, separator: int = 44) -> int:
    """How many cells the record data[start:end] holds: separators outside quotes, plus one.
    A slice at a time; the parity of the quotes seen so far tells inside from outside."""
    values = np.frombuffer(data, np.uint8, end - start, start)
    outside, inside, step = 0, 0, 1 << 22
    for at in range(0, len(values), step):
        chunk = values[at : at + step]
        # uint8 sums wrap at 256, which keeps their parity: all that is needed here.
        parity = (np.cumsum(chunk == 34, dtype=np.uint8) + inside) & 1
        outside += int(np.count_nonzero((chunk == separator) & (parity == 0)))
        inside = int(parity[-1])
    return outside + 1
