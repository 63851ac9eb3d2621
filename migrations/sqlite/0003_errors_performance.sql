-- Error tracking, complete: tag stores, counts over time, inbound filters, outcomes,
-- release health; and the performance data Sentry transactions and the RUM SDK share.

-- Every tag value seen on an issue's events (plus the synthesized ones: level,
-- environment, release, user, restaurant_id, order_id, browser, os). Distributions,
-- "users / restaurants / orders affected" and tag filters read this, never the events,
-- so the counts survive raw-event retention.
CREATE TABLE issue_tags (
    issue_id   INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    times_seen INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (issue_id, key, value)
) WITHOUT ROWID;
CREATE INDEX issue_tags_key_value ON issue_tags (key, value);

-- Events per issue and hour: the sparklines.
CREATE TABLE issue_hours (
    issue_id INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    hour     INTEGER NOT NULL,
    count    INTEGER NOT NULL,
    PRIMARY KEY (issue_id, hour)
) WITHOUT ROWID;

-- Error events per project and minute: the Overview's error-rate chart.
CREATE TABLE error_minutes (
    project_id INTEGER NOT NULL,
    minute     INTEGER NOT NULL,
    count      INTEGER NOT NULL,
    PRIMARY KEY (project_id, minute)
) WITHOUT ROWID;

-- Inbound filters; a project without a row uses the defaults in code.
CREATE TABLE project_filters (
    project_id         INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    -- JSON array of case-insensitive substrings of the message or exception value.
    messages           TEXT    NOT NULL,
    browser_extensions INTEGER NOT NULL,
    -- JSON array of environment names to drop.
    environments       TEXT    NOT NULL,
    updated_at         INTEGER NOT NULL
);

-- What was accepted but not stored, and why: inbound filters, rate limits, and what
-- SDKs report they dropped themselves (client reports). Per hour.
CREATE TABLE ingest_outcomes (
    project_id INTEGER NOT NULL,
    hour       INTEGER NOT NULL,
    source     TEXT    NOT NULL, -- 'filtered' | 'rate_limited' | 'client' | 'invalid'
    reason     TEXT    NOT NULL,
    category   TEXT    NOT NULL,
    quantity   INTEGER NOT NULL,
    PRIMARY KEY (project_id, hour, source, reason, category)
) WITHOUT ROWID;

-- Release health from `session` items: one row per session, updated as it changes.
CREATE TABLE release_sessions (
    project_id  INTEGER NOT NULL,
    sid         TEXT    NOT NULL,
    started     INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    release     TEXT    NOT NULL,
    environment TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    errors      INTEGER NOT NULL,
    PRIMARY KEY (project_id, sid)
) WITHOUT ROWID;
CREATE INDEX release_sessions_started ON release_sessions (project_id, started);

-- Release health from `sessions` items (pre-aggregated by server-side SDKs).
CREATE TABLE session_aggregates (
    project_id  INTEGER NOT NULL,
    minute      INTEGER NOT NULL,
    release     TEXT    NOT NULL,
    environment TEXT    NOT NULL,
    exited      INTEGER NOT NULL,
    errored     INTEGER NOT NULL,
    crashed     INTEGER NOT NULL,
    abnormal    INTEGER NOT NULL,
    PRIMARY KEY (project_id, minute, release, environment)
) WITHOUT ROWID;

-- Web vitals beside the navigation timings, and where each page load came from.
ALTER TABLE rum_events ADD COLUMN lcp REAL;
ALTER TABLE rum_events ADD COLUMN cls REAL;
ALTER TABLE rum_events ADD COLUMN inp REAL;
ALTER TABLE rum_events ADD COLUMN source TEXT NOT NULL DEFAULT 'rum';

-- API calls seen by a client (RUM SDK fetch/XHR, Sentry `http.client` spans).
CREATE TABLE api_calls (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id),
    received_at INTEGER NOT NULL,
    page        TEXT,
    method      TEXT    NOT NULL,
    route       TEXT    NOT NULL,
    status      INTEGER,
    duration    REAL    NOT NULL,
    session_id  TEXT,
    source      TEXT    NOT NULL
);
CREATE INDEX api_calls_project_received ON api_calls (project_id, received_at);
CREATE INDEX api_calls_slow ON api_calls (project_id, duration);
