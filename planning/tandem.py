"""The one object pages and the command reach the domain through (fava's ledger is the model)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from planning import access, audit
from planning.budget import Budget, BudgetFilter
from planning.compare import Comparison, compare
from planning.errors import Refused
from planning.exports import export_csv
from planning.imports import ImportReport, import_csv
from planning.model import BASELINE, OWNERS, Scenario
from planning.money import CENT, ZERO
from planning.people import Person
from planning.projection import Projection, clear_assumption, project, set_assumption
from planning.scenarios import Scenarios, adopted_scenario
from planning.store import Store, open_store
from planning.store import budget_sql as sql
from planning.store.reads import cached
from planning.workbook_export import export_workbook


class Tandem:
    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    def open(cls, path: str | Path, **store_options) -> Tandem:
        """Open (and migrate) the store at `path`, a DuckDB file or a PostgreSQL URL; options as
        for `planning.store.Store`."""
        return cls(open_store(path, **store_options))

    def close(self) -> None:
        self.store.close()

    def cache_key(self) -> tuple:
        return ()

    # -- the firm -------------------------------------------------------------------------------
    @property
    def currency(self) -> str:
        return self.store.currency

    @property
    def firm_name(self) -> str:
        return self.store.setting("firm_name")

    def configure(self, *, firm_name: str | None = None, currency: str | None = None,
                  fiscal_year_start_month: int | None = None) -> None:
        if currency is not None:
            if not (len(currency) == 3 and currency.isalpha()):
                raise Refused(f"{currency!r} is not a currency code like USD or EUR")
            self.store.set_setting("currency", currency.upper())
        if fiscal_year_start_month is not None:
            if not 1 <= fiscal_year_start_month <= 12:
                raise Refused("the fiscal year starts in a month from 1 to 12")
            if self.store.scalar("SELECT count(*) FROM plan_lines"):
                raise Refused("the fiscal year's first month cannot change once lines exist")
            self.store.set_setting("fiscal_year_start_month", str(fiscal_year_start_month))
        if firm_name is not None:
            self.store.set_setting("firm_name", firm_name.strip()[:80] or "Tandem")

    def is_empty(self) -> bool:
        return not self.store.scalar("SELECT count(*) FROM imports")

    # -- fiscal years and scenarios ---------------------------------------------------------------
    @cached
    def fiscal_years(self) -> list[int]:
        """Newest first."""
        return [r[0] for r in self.store.query(sql.FISCAL_YEARS)]

    @cached
    def adopted_scenario(self, year: int) -> str:
        with self.store.cursor() as cur:
            return adopted_scenario(cur, year)

    @cached
    def scenarios(self, year: int) -> list[Scenario]:
        """Every scenario of the year: allocation and the sales / marketing / joint split."""
        adopted = self.adopted_scenario(year)
        found: dict[str, tuple[bool, int, dict[str, Decimal]]] = {}
        for name, locked, owner, lines, amount in self.store.query(sql.SCENARIOS, [year]):
            _, count, split = found.setdefault(name, (locked, 0, {o: ZERO for o in OWNERS}))
            if owner is not None:
                split[owner] = amount
            found[name] = (locked, count + lines, split)
        return [Scenario(year, name, locked, name == adopted, lines, sum(split.values(), ZERO),
                         split) for name, (locked, lines, split) in found.items()]

    @property
    def scenario_ops(self) -> Scenarios:
        """Clone, adopt, lock, scale, shift, split and edit (see planning.scenarios)."""
        return Scenarios(self.store)

    @cached
    def project(self, year: int, scenario: str) -> Projection:
        return project(self.store, year, scenario)

    def compare(self, year: int, names: list[str]) -> Comparison:
        return self._compare(year, tuple(names))

    @cached
    def _compare(self, year: int, names: tuple[str, ...]) -> Comparison:
        return compare(self.store, year, list(names))

    def set_assumption(self, year: int, scenario: str, name: str, value: Decimal,
                       actor: Person | str, reason: str, channel: str = "") -> None:
        set_assumption(self.store, year, scenario, name, value, actor, reason, channel)

    def clear_assumption(self, year: int, scenario: str, name: str, actor: Person | str,
                         channel: str = "") -> None:
        clear_assumption(self.store, year, scenario, name, actor, channel)

    @cached
    def pool(self, year: int) -> Decimal | None:
        return self.store.scalar(sql.POOL, [year])

    def set_pool(self, year: int, amount: Decimal, actor: Person | str = "administrator") -> None:
        who = access.require(access.person(actor), "set_pool")
        amount = Decimal(amount)
        if amount < 0 or amount != amount.quantize(CENT):
            raise Refused(f"the pool must be an amount of 0 or more with at most 2 decimals, not"
                          f" {amount}")
        before = self.pool(year)

        def work(cur) -> None:
            cur.execute(sql.SET_POOL, [year, amount])
            audit.record(cur, who.name, "set pool", f"fiscal year {year}",
                         before={"pool": audit.money(before)}, after={"pool": str(amount)})

        self.store.write(work)

    def budget(self, year: int, scenario: str | None = None,
               where: BudgetFilter | None = None) -> Budget:
        return Budget(self.store, year, scenario or self.adopted_scenario(year), where)

    # -- files ---------------------------------------------------------------------------------
    def import_csv(self, kind: str, data: bytes | str | Path, *, file_name: str | None = None,
                   scenario: str = BASELINE, actor: Person | str = "system",
                   commit: bool = True) -> ImportReport:
        return import_csv(self.store, kind, data, file_name=file_name, scenario=scenario,
                          actor=actor, commit=commit)

    @cached
    def recent_imports(self, limit: int = 20) -> list[tuple]:
        """(when, kind, file, scenario, rows, added, updated, control total, by), newest first."""
        return self.store.query(
            "SELECT imported_at, kind, file_name, scenario, rows_in_file, rows_added,"
            " rows_updated, control_total, imported_by FROM imports ORDER BY id DESC LIMIT ?",
            [limit])

    def export_csv(self, kind: str, *, scenario: str = BASELINE, year: int | None = None,
                   actor: Person | str = "administrator") -> str:
        """The CSV form the importer reads; who took which data away is audited."""
        who = access.require(access.person(actor), "export")
        text = export_csv(self.store, kind, scenario=scenario, year=year)
        self._exported(who, [kind], scenario, year, {"bytes": len(text.encode("utf-8"))})
        return text

    def export_workbook(self, kinds: list[str], *, scenario: str = BASELINE,
                        year: int | None = None, actor: Person | str = "administrator") -> bytes:
        """The kinds as one Excel workbook, a sheet each; audited as the CSV export is."""
        who = access.require(access.person(actor), "export")
        data = export_workbook(self.store, kinds, scenario=scenario, year=year,
                               currency=self.currency)
        self._exported(who, kinds, scenario, year, {"bytes": len(data), "format": "xlsx"})
        return data

    def _exported(self, who: Person, kinds: list[str], scenario: str, year: int | None,
                  size: dict) -> None:
        """The audit entry of an export: who took which kinds of which year away."""
        self.store.write(lambda cur: audit.record(
            cur, who.name, "export", f"{', '.join(kinds)} {f'FY{year}' if year else 'all years'}",
            after={"scenario": scenario if "plan" in kinds else None, **size}))
