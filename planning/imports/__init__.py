"""Import the contract's kinds from CSV files and workbooks: validate everything, then write all
rows or none."""
from __future__ import annotations

from planning.imports.importer import MAX_ROWS, import_csv
from planning.imports.problems import ImportProblem, ImportReport
from planning.imports.source import first_rows

__all__ = ["MAX_ROWS", "ImportProblem", "ImportReport", "first_rows", "import_csv"]
