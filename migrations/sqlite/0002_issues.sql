-- Error tracking: issues (events grouped by fingerprint) and their events.

CREATE TABLE issues (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id),
    fingerprint  TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    culprit      TEXT,
    level        TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'unresolved',
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    event_count  INTEGER NOT NULL DEFAULT 0,
    regressed_at INTEGER,
    UNIQUE (project_id, fingerprint)
);
CREATE INDEX issues_project_last_seen ON issues (project_id, last_seen);

CREATE TABLE error_events (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects(id),
    issue_id      INTEGER NOT NULL REFERENCES issues(id),
    event_id      TEXT,
    received_at   INTEGER NOT NULL,
    level         TEXT    NOT NULL,
    environment   TEXT,
    release       TEXT,
    user_key      TEXT,
    restaurant_id TEXT,
    -- The normalized event (ingest::sentry::event::Event) as JSON.
    body          TEXT    NOT NULL
);
CREATE INDEX error_events_issue ON error_events (issue_id, received_at);
CREATE INDEX error_events_received ON error_events (received_at);
