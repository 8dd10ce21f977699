"""Ordered, named schema migrations. Append new ones; never edit one that has shipped.

The plan and actuals tables carry no index at all, neither UNIQUE on their contract key nor a
primary key on their surrogate id: in DuckDB an ART index over the seven key columns tripled the
time of a one-million-line import, and one on the id alone added 0.35 s to it (measured, see
bench/). Their ids and keys are kept unique by the only code that writes them (the importer,
which refuses duplicate keys and upserts on the key; scenario operations, which copy and update
lines by id), and `planning.store.integrity.violations` checks both. The small tables keep
their constraints.
"""
from __future__ import annotations

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_foundation",
        """
        CREATE TABLE settings (
            key VARCHAR PRIMARY KEY,
            value VARCHAR NOT NULL
        );
        INSERT INTO settings VALUES
            ('currency', 'USD'), ('fiscal_year_start_month', '1'), ('firm_name', 'Tandem');

        CREATE TABLE fiscal_years (
            fiscal_year INTEGER PRIMARY KEY CHECK (fiscal_year BETWEEN 1900 AND 2999),
            pool DECIMAL(18,2) CHECK (pool >= 0),
            adopted_scenario VARCHAR NOT NULL DEFAULT 'baseline'
        );

        CREATE SEQUENCE scenario_ids START 1;
        CREATE TABLE scenarios (
            id INTEGER PRIMARY KEY DEFAULT nextval('scenario_ids'),
            fiscal_year INTEGER NOT NULL,
            name VARCHAR NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
            locked BOOLEAN NOT NULL DEFAULT false,
            created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            created_by VARCHAR NOT NULL DEFAULT 'system',
            UNIQUE (fiscal_year, name)
        );

        CREATE TABLE plan_lines (
            id BIGINT NOT NULL,
            scenario_id INTEGER NOT NULL,
            owner VARCHAR NOT NULL CHECK (owner IN ('sales', 'marketing', 'joint')),
            category VARCHAR NOT NULL CHECK (length(category) BETWEEN 1 AND 60),
            funnel_stage VARCHAR NOT NULL CHECK (funnel_stage IN
                ('awareness', 'consideration', 'preference', 'purchase', 'loyalty', 'advocacy')),
            channel VARCHAR NOT NULL CHECK (length(channel) BETWEEN 1 AND 60),
            region VARCHAR NOT NULL CHECK (length(region) BETWEEN 1 AND 60),
            month DATE NOT NULL CHECK (day(month) = 1),
            amount DECIMAL(18,2) NOT NULL CHECK (amount >= 0),
            description VARCHAR CHECK (length(description) <= 200),
            status VARCHAR NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft', 'submitted', 'signed_off', 'returned')),
            version INTEGER NOT NULL DEFAULT 1,
            locked BOOLEAN NOT NULL DEFAULT false,
            updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
        );

        CREATE TABLE actuals (
            id BIGINT NOT NULL,
            owner VARCHAR NOT NULL CHECK (owner IN ('sales', 'marketing', 'joint')),
            category VARCHAR NOT NULL CHECK (length(category) BETWEEN 1 AND 60),
            funnel_stage VARCHAR NOT NULL CHECK (funnel_stage IN
                ('awareness', 'consideration', 'preference', 'purchase', 'loyalty', 'advocacy')),
            channel VARCHAR NOT NULL CHECK (length(channel) BETWEEN 1 AND 60),
            region VARCHAR NOT NULL CHECK (length(region) BETWEEN 1 AND 60),
            month DATE NOT NULL CHECK (day(month) = 1),
            amount DECIMAL(18,2) NOT NULL,
            description VARCHAR CHECK (length(description) <= 200),
            reference VARCHAR CHECK (length(reference) <= 100)
        );

        CREATE TABLE outcomes (
            id BIGINT PRIMARY KEY,
            month DATE NOT NULL CHECK (day(month) = 1),
            region VARCHAR NOT NULL CHECK (length(region) BETWEEN 1 AND 60),
            channel VARCHAR NOT NULL CHECK (length(channel) BETWEEN 1 AND 60),
            sourced_by VARCHAR NOT NULL CHECK (sourced_by IN ('sales', 'marketing', 'joint')),
            leads BIGINT NOT NULL CHECK (leads >= 0),
            mqls BIGINT NOT NULL CHECK (mqls >= 0),
            sqls BIGINT NOT NULL CHECK (sqls >= 0),
            opportunities BIGINT NOT NULL CHECK (opportunities >= 0),
            wins BIGINT NOT NULL CHECK (wins >= 0),
            pipeline DECIMAL(18,2) NOT NULL CHECK (pipeline >= 0),
            revenue DECIMAL(18,2) NOT NULL CHECK (revenue >= 0),
            renewals_due BIGINT NOT NULL DEFAULT 0 CHECK (renewals_due >= 0),
            renewals_won BIGINT NOT NULL DEFAULT 0 CHECK (renewals_won >= 0),
            CHECK (renewals_won <= renewals_due),
            UNIQUE (month, region, channel, sourced_by)
        );

        CREATE TABLE targets (
            id BIGINT PRIMARY KEY,
            fiscal_year INTEGER NOT NULL,
            kpi VARCHAR NOT NULL,
            period VARCHAR NOT NULL,
            target DECIMAL(18,6) NOT NULL,
            UNIQUE (fiscal_year, kpi, period)
        );

        CREATE SEQUENCE import_ids START 1;
        CREATE TABLE imports (
            id INTEGER PRIMARY KEY DEFAULT nextval('import_ids'),
            kind VARCHAR NOT NULL,
            file_name VARCHAR NOT NULL,
            scenario VARCHAR,
            rows_in_file BIGINT NOT NULL,
            rows_added BIGINT NOT NULL,
            rows_updated BIGINT NOT NULL,
            control_total DECIMAL(18,2),
            imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            imported_by VARCHAR NOT NULL
        );
        """,
    ),
]

MIGRATIONS.append(
    (
        "0002_scenarios_and_audit",
        """
        CREATE TABLE audit_log (
            seq BIGINT PRIMARY KEY,
            recorded_at TIMESTAMP NOT NULL,
            actor VARCHAR NOT NULL,
            action VARCHAR NOT NULL,
            entity VARCHAR NOT NULL,
            before VARCHAR,
            after VARCHAR,
            reason VARCHAR,
            prev_hash VARCHAR NOT NULL,
            hash VARCHAR NOT NULL
        );

        CREATE TABLE assumptions (
            scenario_id INTEGER NOT NULL,
            name VARCHAR NOT NULL,
            channel VARCHAR NOT NULL DEFAULT '',
            value DECIMAL(18,6) NOT NULL CHECK (value >= 0),
            set_by VARCHAR NOT NULL,
            reason VARCHAR NOT NULL,
            set_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            UNIQUE (scenario_id, name, channel)
        );
        """,
    )
)

MIGRATIONS.append(
    (
        "0003_people_and_review",
        """
        CREATE SEQUENCE person_ids START 1;
        CREATE TABLE people (
            id INTEGER PRIMARY KEY DEFAULT nextval('person_ids'),
            name VARCHAR NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 60),
            role VARCHAR NOT NULL CHECK (role IN
                ('sales_head', 'marketing_head', 'executive', 'planner', 'viewer')),
            department VARCHAR CHECK (department IN ('sales', 'marketing', 'both')),
            email VARCHAR UNIQUE,
            password_hash VARCHAR,
            created_at TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
            CHECK ((role = 'planner') = (department IS NOT NULL))
        );

        ALTER TABLE plan_lines ADD COLUMN edited_by VARCHAR;

        CREATE TABLE sign_offs (
            line_id BIGINT NOT NULL,
            version INTEGER NOT NULL,
            department VARCHAR NOT NULL CHECK (department IN ('sales', 'marketing')),
            person VARCHAR NOT NULL,
            signed_at TIMESTAMP NOT NULL
        );

        CREATE SEQUENCE comment_ids START 1;
        CREATE TABLE comments (
            id BIGINT PRIMARY KEY DEFAULT nextval('comment_ids'),
            line_id BIGINT NOT NULL,
            author VARCHAR NOT NULL,
            body VARCHAR NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
            created_at TIMESTAMP NOT NULL
        );
        """,
    )
)

MIGRATIONS.append(
    (
        "0004_id_marks",
        """
        -- The largest id ever given per table: ids of deleted lines are never given again, so a
        -- new line cannot inherit an old one's sign-offs, comments or history.
        CREATE TABLE id_marks (table_name VARCHAR PRIMARY KEY, last BIGINT NOT NULL);
        INSERT INTO id_marks SELECT 'plan_lines', coalesce(max(id), 0) FROM plan_lines;
        INSERT INTO id_marks SELECT 'actuals', coalesce(max(id), 0) FROM actuals;
        """,
    )
)

MIGRATIONS.append(
    (
        "0005_store_revision",
        """
        -- Bumped by every committed change of data (planning.store.connection.transaction), so
        -- that read results can be kept until the data they came from changes.
        CREATE TABLE store_revision (revision BIGINT NOT NULL);
        INSERT INTO store_revision VALUES (1);
        """,
    )
)

MIGRATIONS.append(
    (
        "0006_sign_in_tokens_and_audit_via",
        """
        -- A person is disabled (cannot sign in or act) or removed (kept, so that their name,
        -- which past entries and sign-offs carry, is never given to someone else).
        ALTER TABLE people ADD COLUMN disabled BOOLEAN DEFAULT false;
        ALTER TABLE people ADD COLUMN removed_at TIMESTAMP;

        -- Where an entry came from (app or command), and how its hash is made: 1 = SHA-256 of
        -- the entry (entries written before this migration), 2 = HMAC-SHA-256 with the store's
        -- audit key, `via` included.
        ALTER TABLE audit_log ADD COLUMN via VARCHAR;
        ALTER TABLE audit_log ADD COLUMN hash_version INTEGER DEFAULT 1;

        -- Personal access tokens for the command; only their SHA-256 is kept.
        CREATE SEQUENCE token_ids START 1;
        CREATE TABLE access_tokens (
            id INTEGER PRIMARY KEY DEFAULT nextval('token_ids'),
            person VARCHAR NOT NULL,
            token_hash VARCHAR NOT NULL UNIQUE,
            created_at TIMESTAMP NOT NULL,
            revoked_at TIMESTAMP
        );

        -- Failed sign-ins per bucket (a name, a client, or the pair; keys are hashed), and the
        -- clients a name has signed in from before.
        CREATE TABLE sign_in_failures (
            bucket VARCHAR PRIMARY KEY,
            failures INTEGER NOT NULL,
            last_failure TIMESTAMP NOT NULL
        );
        CREATE TABLE sign_in_known (
            bucket VARCHAR PRIMARY KEY,
            last_success TIMESTAMP NOT NULL
        );
        """,
    )
)

MIGRATIONS.append(
    (
        "0007_sign_in_sessions",
        """
        -- A signed-in browser: the SHA-256 of its random token (the token itself lives only in
        -- the browser's cookie), whose it is, and when it was last used (idle sessions end).
        CREATE TABLE sign_in_sessions (
            token_hash VARCHAR PRIMARY KEY,
            person VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            last_seen TIMESTAMP NOT NULL
        );
        """,
    )
)

MIGRATIONS.append(
    (
        "0008_line_history",
        """
        -- What each audited change did to single plan lines: one row per line it changed (or
        -- submitted, signed off, returned, locked), under the entry `seq` that records the change,
        -- written in the same transaction. The state before and after; the description only
        -- when it changed (both NULL otherwise). Lines an import or a clone created are named by
        -- their entry instead (its `first_line`..`last_line`), so loading a file stays one pass.
        -- No index, like plan_lines: a line's history is a scan of one BIGINT column.
        CREATE TABLE audit_lines (
            seq BIGINT NOT NULL,
            line_id BIGINT NOT NULL,
            version INTEGER NOT NULL,
            amount_before DECIMAL(18,2),
            amount_after DECIMAL(18,2),
            status_before VARCHAR,
            status_after VARCHAR,
            locked_before BOOLEAN,
            locked_after BOOLEAN,
            description_before VARCHAR,
            description_after VARCHAR
        );
        """,
    )
)


MIGRATIONS.append(
    (
        "0009_forecasts",
        """
        -- The forecast of a fiscal year's open months: per line key, the amount now expected,
        -- replacing the plan's amount in the latest estimate only (the plan is never changed).
        -- A key need not have a plan line (new spend expected).
        CREATE TABLE forecasts (
            id BIGINT NOT NULL,
            fiscal_year INTEGER NOT NULL,
            owner VARCHAR NOT NULL CHECK (owner IN ('sales', 'marketing', 'joint')),
            category VARCHAR NOT NULL CHECK (length(category) BETWEEN 1 AND 60),
            funnel_stage VARCHAR NOT NULL CHECK (funnel_stage IN
                ('awareness', 'consideration', 'preference', 'purchase', 'loyalty', 'advocacy')),
            channel VARCHAR NOT NULL CHECK (length(channel) BETWEEN 1 AND 60),
            region VARCHAR NOT NULL CHECK (length(region) BETWEEN 1 AND 60),
            month DATE NOT NULL CHECK (day(month) = 1),
            amount DECIMAL(18,2) NOT NULL CHECK (amount >= 0),
            description VARCHAR CHECK (length(description) <= 200),
            updated_by VARCHAR,  -- who set it in the app; an import's rows are its audit entry's
            updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            PRIMARY KEY (fiscal_year, owner, category, funnel_stage, channel, region, month)
        );
        """,
    )
)


MIGRATIONS.append(
    (
        "0010_variance_explanations",
        """
        -- When a group's closed-month spend is off its plan beyond both thresholds, its owning
        -- side explains why; the other department's head accepts the explanation or questions
        -- it. Keyed by the as-of month it explains (next month's variance is a new question);
        -- an owner's own total has channel and region ''.
        INSERT INTO settings VALUES ('variance_explain_share', '0.10'),
            ('variance_explain_amount', '5000.00') ON CONFLICT (key) DO NOTHING;
        CREATE TABLE variance_explanations (
            fiscal_year INTEGER NOT NULL,
            as_of DATE NOT NULL,
            owner VARCHAR NOT NULL CHECK (owner IN ('sales', 'marketing', 'joint')),
            channel VARCHAR NOT NULL,
            region VARCHAR NOT NULL,
            variance DECIMAL(18,2) NOT NULL,
            category VARCHAR NOT NULL
                CHECK (category IN ('timing', 'price', 'volume', 'scope', 'error')),
            text VARCHAR NOT NULL CHECK (length(text) BETWEEN 1 AND 500),
            explained_by VARCHAR NOT NULL,
            explained_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            status VARCHAR NOT NULL DEFAULT 'explained'
                CHECK (status IN ('explained', 'accepted', 'questioned')),
            decided_by VARCHAR,
            decided_at TIMESTAMP,
            PRIMARY KEY (fiscal_year, as_of, owner, channel, region)
        );
        CREATE TABLE variance_comments (
            fiscal_year INTEGER NOT NULL,
            as_of DATE NOT NULL,
            owner VARCHAR NOT NULL,
            channel VARCHAR NOT NULL,
            region VARCHAR NOT NULL,
            seq INTEGER NOT NULL,
            author VARCHAR NOT NULL,
            written_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            text VARCHAR NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
            PRIMARY KEY (fiscal_year, as_of, owner, channel, region, seq)
        );
        """,
    )
)


MIGRATIONS.append(
    (
        "0011_freed_money",
        """
        -- Money the closed months did not spend (plan minus actual per line, where positive),
        -- released back to the pool: one release per fiscal year and as-of month, per owner the
        -- amount freed since the year's earlier releases. Heads approve a release first when it
        -- needs them (both, for joint lines' money; or both instead of an executive).
        CREATE TABLE freed_releases (
            fiscal_year INTEGER NOT NULL,
            as_of DATE NOT NULL,
            owner VARCHAR NOT NULL CHECK (owner IN ('sales', 'marketing', 'joint')),
            amount DECIMAL(18,2) NOT NULL CHECK (amount >= 0),
            released_by VARCHAR NOT NULL,
            released_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            PRIMARY KEY (fiscal_year, as_of, owner)
        );
        CREATE TABLE freed_approvals (
            fiscal_year INTEGER NOT NULL,
            as_of DATE NOT NULL,
            person VARCHAR NOT NULL,
            department VARCHAR NOT NULL CHECK (department IN ('sales', 'marketing')),
            approved_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            PRIMARY KEY (fiscal_year, as_of, department)
        );
        """,
    )
)


MIGRATIONS.append(
    (
        "0012_leads",
        """
        -- The hand-off from marketing to sales, one row per lead (the contract's `leads` kind),
        -- upserted on lead_id so a CRM's weekly export updates the rows it sent before. Times
        -- are UTC. The service-level agreement's first-touch window is a setting (hours).
        INSERT INTO settings VALUES ('first_touch_hours', '24') ON CONFLICT (key) DO NOTHING;
        CREATE TABLE leads (
            lead_id VARCHAR NOT NULL CHECK (length(lead_id) BETWEEN 1 AND 100),
            created_at TIMESTAMP NOT NULL,
            region VARCHAR NOT NULL CHECK (length(region) BETWEEN 1 AND 60),
            channel VARCHAR NOT NULL CHECK (length(channel) BETWEEN 1 AND 60),
            sourced_by VARCHAR NOT NULL CHECK (sourced_by IN ('sales', 'marketing', 'joint')),
            mql_at TIMESTAMP CHECK (mql_at >= created_at),
            rep VARCHAR CHECK (length(rep) BETWEEN 1 AND 100),
            first_touch_at TIMESTAMP CHECK (first_touch_at >= mql_at),
            sql_at TIMESTAMP CHECK (sql_at >= mql_at),
            import_id INTEGER
        );
        """,
    )
)


MIGRATIONS.append(
    (
        "0013_survey",
        """
        -- How each side rates the relationship: the contract's 20 statements, 1 to 5, once per
        -- fiscal quarter per respondent. Answers given in the app are keyed by the person's
        -- name; an imported survey's respondent may be an anonymous code. People who belong to
        -- neither department (executives, planners for both) answer as 'neutral'.
        CREATE TABLE survey_answers (
            respondent VARCHAR NOT NULL CHECK (length(respondent) BETWEEN 1 AND 100),
            department VARCHAR NOT NULL CHECK (department IN ('sales', 'marketing', 'neutral')),
            period VARCHAR NOT NULL CHECK (length(period) = 7),
            item INTEGER NOT NULL CHECK (item BETWEEN 1 AND 20),
            score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
            answered_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            PRIMARY KEY (respondent, period, item)
        );
        """,
    )
)


MIGRATIONS.append(
    (
        "0014_rewards",
        """
        -- The shared incentive of a fiscal year, set by an executive: the payout curve (a
        -- threshold of attainment below which a KPI pays nothing, the floor it pays at the
        -- threshold, the cap above 100%) and each KPI's weight in percent (they add up to 100).
        CREATE TABLE reward_plans (
            fiscal_year INTEGER PRIMARY KEY CHECK (fiscal_year BETWEEN 1900 AND 2999),
            threshold DECIMAL(6,4) NOT NULL CHECK (threshold > 0 AND threshold < 1),
            payout_floor DECIMAL(6,4) NOT NULL CHECK (payout_floor >= 0 AND payout_floor <= 1),
            payout_cap DECIMAL(6,4) NOT NULL CHECK (payout_cap >= 1),
            set_by VARCHAR NOT NULL,
            set_at TIMESTAMP NOT NULL DEFAULT current_timestamp
        );
        CREATE TABLE reward_weights (
            fiscal_year INTEGER NOT NULL,
            kpi VARCHAR NOT NULL CHECK (length(kpi) BETWEEN 1 AND 40),
            weight DECIMAL(5,2) NOT NULL CHECK (weight > 0 AND weight <= 100),
            PRIMARY KEY (fiscal_year, kpi)
        );
        """,
    )
)


MIGRATIONS.append(
    (
        "0015_agreements",
        """
        -- Both departments set what they are measured on together: the KPI targets (topic
        -- 'target': fiscal year, KPI, period) and the service-level agreement's terms (topic
        -- 'sla': fiscal_year 0, the term's name, period ''). A head, or a planner for their
        -- department, proposes; the other department's head agrees ('both': a planner for both
        -- departments needs both heads); only then is the value in force (in `targets`, or the
        -- settings for an SLA term). One proposal per key waits beside the value in force; a new
        -- one replaces it. Each head's agreement is kept as it comes. `basis` says how a derived
        -- value was worked out (its inputs), or which file it came from.
        CREATE TABLE proposals (
            topic VARCHAR NOT NULL CHECK (topic IN ('target', 'sla')),
            fiscal_year INTEGER NOT NULL,
            name VARCHAR NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
            period VARCHAR NOT NULL,
            value DECIMAL(18,6) NOT NULL,
            proposed_by VARCHAR NOT NULL,
            department VARCHAR NOT NULL CHECK (department IN ('sales', 'marketing', 'both')),
            proposed_at TIMESTAMP NOT NULL,
            basis VARCHAR CHECK (length(basis) <= 2000),
            sales_agreed_by VARCHAR,
            sales_agreed_at TIMESTAMP,
            marketing_agreed_by VARCHAR,
            marketing_agreed_at TIMESTAMP,
            PRIMARY KEY (topic, fiscal_year, name, period)
        );
        -- Who proposed and who agreed each value now in force, and when (how = 'agreed'), or
        -- who put it in force without agreement (how = 'executive' or 'administrator': the
        -- firm's decision). Values in force before this table existed have no row.
        CREATE TABLE agreements (
            topic VARCHAR NOT NULL CHECK (topic IN ('target', 'sla')),
            fiscal_year INTEGER NOT NULL,
            name VARCHAR NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
            period VARCHAR NOT NULL,
            value DECIMAL(18,6) NOT NULL,
            proposed_by VARCHAR NOT NULL,
            department VARCHAR NOT NULL CHECK (department IN
                ('sales', 'marketing', 'both', 'executive', 'administrator')),
            proposed_at TIMESTAMP NOT NULL,
            basis VARCHAR CHECK (length(basis) <= 2000),
            decided_by VARCHAR NOT NULL,
            decided_at TIMESTAMP NOT NULL,
            how VARCHAR NOT NULL CHECK (how IN ('agreed', 'executive', 'administrator')),
            PRIMARY KEY (topic, fiscal_year, name, period)
        );
        """,
    )
)

MIGRATIONS.append(
    (
        "0016_column_mappings",
        """
        -- Saved column mappings: how a file from another tool (an ERP report, a CRM export)
        -- reads as one of the contract's kinds, kept as the TOML text it was added as.
        CREATE TABLE column_mappings (
            name VARCHAR PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 60),
            kind VARCHAR NOT NULL,
            definition VARCHAR NOT NULL,
            saved_by VARCHAR NOT NULL,
            saved_at TIMESTAMP NOT NULL DEFAULT current_timestamp
        );
        """,
    )
)

# Every line of a scenario counted once under each dimension: the Budget page's totals, its
# breakdowns, the months and the values its filters offer, and the scenario list, read from
# here. In DuckDB a view (it sums a million lines in a few milliseconds a dimension); PostgreSQL
# keeps it as a table its triggers update in the transaction that changes the lines
# (`planning.store.migrations_postgres`), since it reads a million lines in a third of a second
# each time. A month's value is its first day, `YYYY-MM-DD`.
PLAN_TOTALS_DIMENSIONS = ("funnel_stage", "category", "channel", "region")
MONTH_VALUE = "strftime(month, '%Y-%m-%d')"  # a month's value in plan_totals


def plan_totals_of(rows: str, sign: str = "") -> str:
    """SQL: the plan_totals rows (scenario_id, dim, value, owner, total, lines) of `rows` (plan
    lines), each line counted once, or taken off with `sign` "-". The text of a shipped
    migration: change it only with a new one."""
    return "\nUNION ALL\n".join(
        [f"SELECT scenario_id, '{dim}' AS dim, {dim} AS value, owner, {sign}sum(amount) AS total,"
         f" {sign}count(*) AS lines FROM {rows} GROUP BY scenario_id, {dim}, owner"
         for dim in PLAN_TOTALS_DIMENSIONS]
        + [f"SELECT scenario_id, 'month' AS dim, {MONTH_VALUE} AS value, owner,"
           f" {sign}sum(amount) AS total, {sign}count(*) AS lines FROM {rows}"
           " GROUP BY scenario_id, month, owner"])


MIGRATIONS.append(("0017_plan_totals",
                   "CREATE VIEW plan_totals AS\n" + plan_totals_of("plan_lines") + ";"))
