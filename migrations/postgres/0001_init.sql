-- PostgreSQL schema: the end state of migrations/sqlite/0001_init.sql … 0011_logs.sql in
-- one file (columns added by ALTER TABLE there are folded into the CREATE TABLEs, in the
-- order they were added), plus the partitioning of the raw-event tables and the
-- bookkeeping table of the SQLite → PostgreSQL copy tool.
-- Times are unix milliseconds; rollup minutes are unix minutes (ms / 60000).
--
-- Types: SQLite INTEGER → BIGINT, REAL → DOUBLE PRECISION, BLOB → BYTEA, TEXT → TEXT;
-- `id INTEGER PRIMARY KEY` → `id BIGSERIAL PRIMARY KEY`.
--
-- Raw-event tables are partitioned by day (PARTITION BY RANGE on a millisecond BIGINT):
--   rum_events(received_at), api_calls(received_at), error_events(received_at),
--   memory_samples(received_at), custom_points(at), business_events(at), log_lines(at),
--   probe_results(at).
-- Each has a DEFAULT partition `<table>_default` that catches rows no day partition
-- covers, and day partitions `<table>_dYYYYMMDD` (UTC date) covering
-- [day_start_ms, day_start_ms + 86400000). Their primary key is (id, <partition key>)
-- (PostgreSQL requires the partition key in every unique constraint). Indexes are
-- declared on the parent and propagate to every partition. No table references a
-- partitioned table by foreign key.
--
-- Functions:
--   monitor_ensure_partition(parent text, day_start_ms bigint) RETURNS void
--     Creates the day partition `<parent>_dYYYYMMDD` for the UTC day starting at
--     day_start_ms (a multiple of 86400000, else an exception) unless it exists, moving
--     the rows of that day already in the default partition into it. The partition key
--     column is read from the catalog (pg_partitioned_table.partattrs), so no key
--     argument is needed. `parent` is an unqualified table name (search_path); the
--     partition is created in the parent's schema. Safe to call concurrently from
--     several processes (advisory lock on the partition name, then the parent table is
--     locked and existence re-checked). Call it in its own short transaction, not in one
--     that already wrote to the parent: creating a partition takes an ACCESS EXCLUSIVE
--     lock on the parent (and on its default partition).
--   monitor_drop_partitions(parent text, before_ms bigint) RETURNS bigint
--     Drops every day partition `<parent>_dYYYYMMDD` whose upper bound <= before_ms and
--     returns how many rows they held. Never drops the default partition. Inserts
--     through the parent wait while it runs (SHARE ROW EXCLUSIVE on the parent), so the
--     count is exact; reads go on until the partitions are dropped.

-- ---------------------------------------------------------------------------------------
-- 0001: projects, users, sessions, API tokens, RUM events and rollups.

CREATE TABLE projects (
    id          BIGSERIAL PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    public_key  TEXT    NOT NULL UNIQUE,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL
);

-- Only a SHA-256 of each session token is stored: a leaked database opens no session.
CREATE TABLE sessions (
    token_hash  TEXT    PRIMARY KEY,
    user_id     BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    prefix       TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);

-- Partitioned by day on received_at.
CREATE TABLE rum_events (
    id            BIGSERIAL NOT NULL,
    project_id    BIGINT  NOT NULL REFERENCES projects(id),
    received_at   BIGINT  NOT NULL,
    client_ts     BIGINT,
    kind          TEXT    NOT NULL,
    page          TEXT    NOT NULL,
    session_id    TEXT,
    user_agent    TEXT,
    ttfb          DOUBLE PRECISION,
    dcl           DOUBLE PRECISION,
    load          DOUBLE PRECISION,
    fp            DOUBLE PRECISION,
    fcp           DOUBLE PRECISION,
    -- Web vitals beside the navigation timings, and where each page load came from (0003).
    lcp           DOUBLE PRECISION,
    cls           DOUBLE PRECISION,
    inp           DOUBLE PRECISION,
    source        TEXT    NOT NULL DEFAULT 'rum',
    -- The restaurant (from the SDK's `setTag('restaurant_id', ...)`), so the Performance
    -- page can be filtered by restaurant from the raw rows (0004).
    restaurant_id TEXT,
    PRIMARY KEY (id, received_at)
) PARTITION BY RANGE (received_at);
CREATE TABLE rum_events_default PARTITION OF rum_events DEFAULT;
CREATE INDEX rum_events_project_received ON rum_events (project_id, received_at);
CREATE INDEX rum_events_restaurant ON rum_events (project_id, restaurant_id, received_at);

-- Per-minute rollups: dashboard queries read these, never the raw events.
-- page '' is the all-pages row; sketch is a serialized DDSketch (NULL for page views).
CREATE TABLE rum_rollups (
    project_id BIGINT  NOT NULL,
    metric     TEXT    NOT NULL,
    page       TEXT    NOT NULL,
    minute     BIGINT  NOT NULL,
    count      BIGINT  NOT NULL,
    sum        DOUBLE PRECISION NOT NULL,
    sketch     BYTEA,
    PRIMARY KEY (project_id, metric, page, minute)
);
CREATE INDEX rum_rollups_minute ON rum_rollups (minute);

-- ---------------------------------------------------------------------------------------
-- 0002: error tracking: issues (events grouped by fingerprint) and their events.

CREATE TABLE issues (
    id           BIGSERIAL PRIMARY KEY,
    project_id   BIGINT  NOT NULL REFERENCES projects(id),
    fingerprint  TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    culprit      TEXT,
    level        TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'unresolved',
    first_seen   BIGINT  NOT NULL,
    last_seen    BIGINT  NOT NULL,
    event_count  BIGINT  NOT NULL DEFAULT 0,
    regressed_at BIGINT,
    UNIQUE (project_id, fingerprint)
);
CREATE INDEX issues_project_last_seen ON issues (project_id, last_seen);

-- Partitioned by day on received_at.
CREATE TABLE error_events (
    id            BIGSERIAL NOT NULL,
    project_id    BIGINT  NOT NULL REFERENCES projects(id),
    issue_id      BIGINT  NOT NULL REFERENCES issues(id),
    event_id      TEXT,
    received_at   BIGINT  NOT NULL,
    level         TEXT    NOT NULL,
    environment   TEXT,
    release       TEXT,
    user_key      TEXT,
    restaurant_id TEXT,
    -- The normalized event (ingest::sentry::event::Event) as JSON.
    body          TEXT    NOT NULL,
    PRIMARY KEY (id, received_at)
) PARTITION BY RANGE (received_at);
CREATE TABLE error_events_default PARTITION OF error_events DEFAULT;
CREATE INDEX error_events_issue ON error_events (issue_id, received_at);
CREATE INDEX error_events_received ON error_events (received_at);

-- ---------------------------------------------------------------------------------------
-- 0003: error tracking, complete: tag stores, counts over time, inbound filters, outcomes,
-- release health; and the performance data Sentry transactions and the RUM SDK share.

-- Every tag value seen on an issue's events (plus the synthesized ones: level,
-- environment, release, user, restaurant_id, order_id, browser, os). Distributions,
-- "users / restaurants / orders affected" and tag filters read this, never the events,
-- so the counts survive raw-event retention.
CREATE TABLE issue_tags (
    issue_id   BIGINT  NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    times_seen BIGINT  NOT NULL,
    first_seen BIGINT  NOT NULL,
    last_seen  BIGINT  NOT NULL,
    PRIMARY KEY (issue_id, key, value)
);
CREATE INDEX issue_tags_key_value ON issue_tags (key, value);

-- Events per issue and hour: the sparklines.
CREATE TABLE issue_hours (
    issue_id BIGINT  NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    hour     BIGINT  NOT NULL,
    count    BIGINT  NOT NULL,
    PRIMARY KEY (issue_id, hour)
);

-- Error events per project and minute: the Overview's error-rate chart.
CREATE TABLE error_minutes (
    project_id BIGINT  NOT NULL,
    minute     BIGINT  NOT NULL,
    count      BIGINT  NOT NULL,
    PRIMARY KEY (project_id, minute)
);

-- Inbound filters; a project without a row uses the defaults in code.
CREATE TABLE project_filters (
    project_id         BIGINT  PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    -- JSON array of case-insensitive substrings of the message or exception value.
    messages           TEXT    NOT NULL,
    browser_extensions BIGINT  NOT NULL,
    -- JSON array of environment names to drop.
    environments       TEXT    NOT NULL,
    updated_at         BIGINT  NOT NULL
);

-- What was accepted but not stored, and why: inbound filters, rate limits, and what
-- SDKs report they dropped themselves (client reports). Per hour.
CREATE TABLE ingest_outcomes (
    project_id BIGINT  NOT NULL,
    hour       BIGINT  NOT NULL,
    source     TEXT    NOT NULL, -- 'filtered' | 'rate_limited' | 'client' | 'invalid'
    reason     TEXT    NOT NULL,
    category   TEXT    NOT NULL,
    quantity   BIGINT  NOT NULL,
    PRIMARY KEY (project_id, hour, source, reason, category)
);

-- Release health from `session` items: one row per session, updated as it changes.
CREATE TABLE release_sessions (
    project_id  BIGINT  NOT NULL,
    sid         TEXT    NOT NULL,
    started     BIGINT  NOT NULL,
    updated     BIGINT  NOT NULL,
    release     TEXT    NOT NULL,
    environment TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    errors      BIGINT  NOT NULL,
    PRIMARY KEY (project_id, sid)
);
CREATE INDEX release_sessions_started ON release_sessions (project_id, started);

-- Release health from `sessions` items (pre-aggregated by server-side SDKs).
CREATE TABLE session_aggregates (
    project_id  BIGINT  NOT NULL,
    minute      BIGINT  NOT NULL,
    release     TEXT    NOT NULL,
    environment TEXT    NOT NULL,
    exited      BIGINT  NOT NULL,
    errored     BIGINT  NOT NULL,
    crashed     BIGINT  NOT NULL,
    abnormal    BIGINT  NOT NULL,
    PRIMARY KEY (project_id, minute, release, environment)
);

-- API calls seen by a client (RUM SDK fetch/XHR, Sentry `http.client` spans).
-- Partitioned by day on received_at.
CREATE TABLE api_calls (
    id            BIGSERIAL NOT NULL,
    project_id    BIGINT  NOT NULL REFERENCES projects(id),
    received_at   BIGINT  NOT NULL,
    page          TEXT,
    method        TEXT    NOT NULL,
    route         TEXT    NOT NULL,
    status        BIGINT,
    duration      DOUBLE PRECISION NOT NULL,
    session_id    TEXT,
    source        TEXT    NOT NULL,
    -- The restaurant, as on rum_events (0004).
    restaurant_id TEXT,
    PRIMARY KEY (id, received_at)
) PARTITION BY RANGE (received_at);
CREATE TABLE api_calls_default PARTITION OF api_calls DEFAULT;
CREATE INDEX api_calls_project_received ON api_calls (project_id, received_at);
CREATE INDEX api_calls_slow ON api_calls (project_id, duration);
CREATE INDEX api_calls_restaurant ON api_calls (project_id, restaurant_id, received_at);

-- ---------------------------------------------------------------------------------------
-- 0004: RUM context.

-- JS heap samples (RUM `memory` beacons), for the memory trend filtered by restaurant.
-- Partitioned by day on received_at.
CREATE TABLE memory_samples (
    project_id    BIGINT  NOT NULL,
    received_at   BIGINT  NOT NULL,
    page          TEXT    NOT NULL,
    used_mb       DOUBLE PRECISION NOT NULL,
    restaurant_id TEXT
) PARTITION BY RANGE (received_at);
CREATE TABLE memory_samples_default PARTITION OF memory_samples DEFAULT;
CREATE INDEX memory_samples_received ON memory_samples (project_id, received_at);

-- Custom metrics (`POST /api/internal/metrics`): each point as sent; charts read the
-- per-minute rollups (metric 'custom', key = the metric name).
-- Partitioned by day on at.
CREATE TABLE custom_points (
    project_id BIGINT  NOT NULL,
    name       TEXT    NOT NULL,
    at         BIGINT  NOT NULL,
    value      DOUBLE PRECISION NOT NULL
) PARTITION BY RANGE (at);
CREATE TABLE custom_points_default PARTITION OF custom_points DEFAULT;
CREATE INDEX custom_points_name ON custom_points (project_id, name, at);

-- ---------------------------------------------------------------------------------------
-- 0005 … 0007: alerting: the state of each alert instance (a rule, or a rule and a
-- restaurant), every transition it went through (the history), the notification outbox,
-- acknowledgements, silences and rules kept in the database.

CREATE TABLE alert_states (
    rule     TEXT    NOT NULL,
    instance TEXT    NOT NULL, -- '' unless the rule is split (then the restaurant)
    state    TEXT    NOT NULL, -- alerts::state::State as JSON
    value    DOUBLE PRECISION,
    updated  BIGINT  NOT NULL,
    -- Who acknowledged the current firing episode; cleared when the alert resolves (0007).
    acked_by TEXT,
    acked_at BIGINT,
    PRIMARY KEY (rule, instance)
);

CREATE TABLE alert_history (
    id        BIGSERIAL PRIMARY KEY,
    rule      TEXT    NOT NULL,
    instance  TEXT    NOT NULL,
    severity  TEXT    NOT NULL,
    change    TEXT    NOT NULL, -- pending | fired | reminded | cancelled | resolved
    value     DOUBLE PRECISION NOT NULL,
    threshold DOUBLE PRECISION NOT NULL,
    at        BIGINT  NOT NULL,
    notify    BIGINT  NOT NULL,
    -- Who did it (acknowledgements, test fires) and whether a silence muted it (0007).
    actor     TEXT,
    silenced  BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX alert_history_at ON alert_history (at);
CREATE INDEX alert_history_rule ON alert_history (rule, at);

-- The notification outbox: written in the same transaction as the alert transition, so
-- a notification is never lost to a crash between "fired" and "sent"; a worker delivers
-- due rows with retries and exponential backoff.
CREATE TABLE alert_outbox (
    id           BIGSERIAL PRIMARY KEY,
    history_id   BIGINT  NOT NULL REFERENCES alert_history(id),
    channel      TEXT    NOT NULL, -- slack | webhook | email
    payload      TEXT    NOT NULL, -- notify::Notification as JSON
    status       TEXT    NOT NULL DEFAULT 'pending', -- pending | delivered | failed
    attempts     BIGINT  NOT NULL DEFAULT 0,
    next_attempt BIGINT  NOT NULL,
    last_error   TEXT,
    delivered_at BIGINT,
    created      BIGINT  NOT NULL
);
CREATE INDEX alert_outbox_due ON alert_outbox (status, next_attempt);
CREATE INDEX alert_outbox_history ON alert_outbox (history_id);

-- One message can group several alerts that fired together: each outbox row lists the
-- transitions it carries (alert_outbox.history_id stays the first of them).
CREATE TABLE alert_outbox_alerts (
    outbox_id  BIGINT  NOT NULL REFERENCES alert_outbox(id),
    history_id BIGINT  NOT NULL REFERENCES alert_history(id),
    PRIMARY KEY (outbox_id, history_id)
);
CREATE INDEX alert_outbox_alerts_history ON alert_outbox_alerts (history_id);

-- Maintenance windows: matchers (JSON list of {field, value}) muted from starts to ends.
CREATE TABLE alert_silences (
    id         BIGSERIAL PRIMARY KEY,
    matchers   TEXT    NOT NULL,
    starts     BIGINT  NOT NULL,
    ends       BIGINT  NOT NULL,
    comment    TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX alert_silences_ends ON alert_silences (ends);

-- Rules from the dashboard: new ones, and overrides of alerts.toml rules by name.
CREATE TABLE alert_rules (
    name       TEXT    PRIMARY KEY,
    rule       TEXT    NOT NULL, -- alerts::rule::Rule as JSON
    updated_by TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL
);

-- ---------------------------------------------------------------------------------------
-- 0008: synthetic probes: every attempt with its outcome (`ok`) and the probe's declared
-- state after it (`up`: down only after more failures in a row than the probe's
-- retries), and probes saved from the dashboard.

-- Partitioned by day on at.
CREATE TABLE probe_results (
    probe      TEXT    NOT NULL,
    at         BIGINT  NOT NULL,
    ok         BIGINT  NOT NULL,
    up         BIGINT  NOT NULL,
    latency_ms DOUBLE PRECISION NOT NULL,
    error      TEXT
) PARTITION BY RANGE (at);
CREATE TABLE probe_results_default PARTITION OF probe_results DEFAULT;
CREATE INDEX probe_results_probe_at ON probe_results (probe, at);
CREATE INDEX probe_results_at ON probe_results (at);

CREATE TABLE probe_definitions (
    name       TEXT    PRIMARY KEY,
    definition TEXT    NOT NULL, -- config::ProbeConfig as JSON
    updated_by TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL
);

-- ---------------------------------------------------------------------------------------
-- 0009: business events: orders, payments, voice sessions, inventory levels, security
-- events and custom events. Money in integer minor units, never floating point.

-- Partitioned by day on at.
CREATE TABLE business_events (
    id            BIGSERIAL NOT NULL,
    project_id    BIGINT  NOT NULL REFERENCES projects(id),
    at            BIGINT  NOT NULL,
    kind          TEXT    NOT NULL,
    restaurant_id TEXT,
    order_id      TEXT,
    payment_id    TEXT,
    session_id    TEXT,
    amount_minor  BIGINT,
    currency      TEXT,
    status        TEXT,
    method        TEXT,
    order_type    TEXT,
    item_count    BIGINT,
    duration_ms   BIGINT,
    item          TEXT,
    quantity      DOUBLE PRECISION,
    body          TEXT    NOT NULL,
    -- The source address of platform security events (0010).
    source        TEXT,
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE TABLE business_events_default PARTITION OF business_events DEFAULT;
CREATE INDEX business_events_at ON business_events (project_id, at);
CREATE INDEX business_events_kind ON business_events (project_id, kind, at);
CREATE INDEX business_events_restaurant ON business_events (project_id, restaurant_id, at);

-- ---------------------------------------------------------------------------------------
-- 0010: security monitoring: the audit log of admin actions (append-only: the triggers
-- refuse any change, so not even a bug in the monitor can rewrite it), failed dashboard
-- sign-ins for lockout and burst alerts, and the source address of platform security
-- events (business_events.source, above).

CREATE TABLE audit_log (
    id     BIGSERIAL PRIMARY KEY,
    at     BIGINT  NOT NULL,
    actor  TEXT    NOT NULL,
    action TEXT    NOT NULL,
    target TEXT,
    source TEXT,
    before TEXT,
    after  TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE login_failures (
    at       BIGINT  NOT NULL,
    username TEXT    NOT NULL,
    source   TEXT    NOT NULL
);
CREATE INDEX login_failures_user ON login_failures (username, at);
CREATE INDEX login_failures_source ON login_failures (source, at);

-- ---------------------------------------------------------------------------------------
-- 0011: structured log lines (winston JSON): the indexed columns searches filter on, and
-- the line as sent for "any field" and free-text search.

-- Partitioned by day on at.
CREATE TABLE log_lines (
    id            BIGSERIAL NOT NULL,
    project_id    BIGINT  NOT NULL REFERENCES projects(id),
    at            BIGINT  NOT NULL,
    level         TEXT    NOT NULL,
    service       TEXT,
    environment   TEXT,
    restaurant_id TEXT,
    message       TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE TABLE log_lines_default PARTITION OF log_lines DEFAULT;
CREATE INDEX log_lines_at ON log_lines (project_id, at, id);
CREATE INDEX log_lines_level ON log_lines (project_id, level, at);
CREATE INDEX log_lines_service ON log_lines (project_id, service, at);

-- ---------------------------------------------------------------------------------------
-- The SQLite → PostgreSQL copy tool: how far each table has been copied, so an
-- interrupted copy resumes where it stopped.

CREATE TABLE export_progress (
    tbl      TEXT   PRIMARY KEY,
    last_key BIGINT NOT NULL, -- the last SQLite rowid (or row offset) copied
    rows     BIGINT NOT NULL
);

-- ---------------------------------------------------------------------------------------
-- Day partitions (see the top of this file).

-- Creates `<parent>_dYYYYMMDD` for [day_start_ms, day_start_ms + 86400000) unless it
-- exists; rows of that day already in the default partition are moved into it (the
-- partition could not be created otherwise). The key column comes from the catalog.
CREATE FUNCTION monitor_ensure_partition(parent text, day_start_ms bigint)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    day_ms    CONSTANT bigint := 86400000;
    v_parent  regclass;
    v_schema  text;
    v_key     text;
    v_default oid;
    v_name    text;
    v_qname   text;
    v_moved   boolean := false;
BEGIN
    IF day_start_ms % day_ms <> 0 THEN
        RAISE EXCEPTION 'monitor_ensure_partition(%, %): day_start_ms is not a multiple of 86400000',
            parent, day_start_ms;
    END IF;

    v_parent := parent::regclass;
    SELECT n.nspname INTO v_schema
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.oid = v_parent;
    SELECT a.attname, pt.partdefid INTO v_key, v_default
        FROM pg_partitioned_table pt
        JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
        WHERE pt.partrelid = v_parent AND pt.partstrat = 'r' AND pt.partnatts = 1;
    IF v_key IS NULL THEN
        RAISE EXCEPTION 'monitor_ensure_partition: % is not partitioned by range on one column',
            parent;
    END IF;

    v_name := parent || '_d'
        || to_char(to_timestamp(day_start_ms / 1000) AT TIME ZONE 'UTC', 'YYYYMMDD');
    v_qname := format('%I.%I', v_schema, v_name);

    -- Fast path: the partition exists (the usual case).
    IF to_regclass(v_qname) IS NOT NULL THEN
        RETURN;
    END IF;

    -- Another process may be creating it right now: serialize on the name. Then lock
    -- the parent as CREATE … PARTITION OF would (taking it first keeps the lock order
    -- parent → default partition, the same as inserts through the parent), which also
    -- makes this backend see catalog changes committed while it waited, and re-check.
    PERFORM pg_advisory_xact_lock(hashtext(v_name));
    EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', v_parent);
    IF to_regclass(v_qname) IS NOT NULL THEN
        RETURN;
    END IF;

    -- Rows of that day in the default partition would make CREATE … PARTITION OF fail:
    -- take them out, create the partition, put them back through the parent.
    IF v_default <> 0 THEN
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I >= $1 AND %I < $2)',
                v_default::regclass, v_key, v_key)
            INTO v_moved USING day_start_ms, day_start_ms + day_ms;
    END IF;
    IF v_moved THEN
        EXECUTE format('CREATE TEMP TABLE monitor_partition_move (LIKE %s)', v_parent);
        EXECUTE format('WITH m AS (DELETE FROM %s WHERE %I >= $1 AND %I < $2 RETURNING *)
                        INSERT INTO pg_temp.monitor_partition_move SELECT * FROM m',
                v_default::regclass, v_key, v_key)
            USING day_start_ms, day_start_ms + day_ms;
    END IF;

    EXECUTE format('CREATE TABLE %s PARTITION OF %s FOR VALUES FROM (%s) TO (%s)',
        v_qname, v_parent, day_start_ms, day_start_ms + day_ms);

    IF v_moved THEN
        EXECUTE format('INSERT INTO %s SELECT * FROM pg_temp.monitor_partition_move', v_parent);
        DROP TABLE pg_temp.monitor_partition_move;
    END IF;
END;
$$;

-- Drops every day partition `<parent>_dYYYYMMDD` whose upper bound is <= before_ms and
-- returns the number of rows they held. The default partition is never dropped.
CREATE FUNCTION monitor_drop_partitions(parent text, before_ms bigint)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_parent regclass;
    v_child  regclass;
    v_rows   bigint;
    v_total  bigint := 0;
    v_locked boolean := false;
BEGIN
    v_parent := parent::regclass;
    LOOP
        -- The oldest expired day partition left (the bound as PostgreSQL prints it:
        -- FOR VALUES FROM ('…') TO ('…')).
        SELECT c.oid::regclass INTO v_child
            FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = v_parent
              AND right(c.relname, 8) ~ '^[0-9]{8}$'
              AND c.relname = parent || '_d' || right(c.relname, 8)
              AND (regexp_match(pg_get_expr(c.relpartbound, c.oid),
                                'TO \(''?(-?[0-9]+)''?\)'))[1]::bigint <= before_ms
            ORDER BY c.relname
            LIMIT 1;
        EXIT WHEN v_child IS NULL;

        IF NOT v_locked THEN
            -- Hold off inserts through the parent (and a concurrent call) so the count is
            -- exact; reads go on. Then look again: a concurrent call may have dropped it.
            EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', v_parent);
            v_locked := true;
            CONTINUE;
        END IF;

        EXECUTE format('SELECT count(*) FROM %s', v_child) INTO v_rows;
        EXECUTE format('DROP TABLE %s', v_child);
        v_total := v_total + v_rows;
    END LOOP;
    RETURN v_total;
END;
$$;
