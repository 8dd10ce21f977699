"""Import the contract's four CSV kinds: validate everything, then write all rows or none."""
from __future__ import annotations

from planning.imports.importer import MAX_ROWS, import_csv
from planning.imports.problems import ImportProblem, ImportReport

__all__ = ["MAX_ROWS", "ImportProblem", "ImportReport", "import_csv"]
