-- Walking skeleton: projects, users, sessions, API tokens, RUM events and rollups.
-- Times are unix milliseconds; rollup minutes are unix minutes (ms / 60000).

CREATE TABLE projects (
    id          INTEGER PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    public_key  TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

-- Only a SHA-256 of each session token is stored: a leaked database opens no session.
CREATE TABLE sessions (
    token_hash  TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    prefix       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);

CREATE TABLE rum_events (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id),
    received_at INTEGER NOT NULL,
    client_ts   INTEGER,
    kind        TEXT    NOT NULL,
    page        TEXT    NOT NULL,
    session_id  TEXT,
    user_agent  TEXT,
    ttfb        REAL,
    dcl         REAL,
    load        REAL,
    fp          REAL,
    fcp         REAL
);
CREATE INDEX rum_events_project_received ON rum_events (project_id, received_at);

-- Per-minute rollups: dashboard queries read these, never the raw events.
-- page '' is the all-pages row; sketch is a serialized DDSketch (NULL for page views).
CREATE TABLE rum_rollups (
    project_id INTEGER NOT NULL,
    metric     TEXT    NOT NULL,
    page       TEXT    NOT NULL,
    minute     INTEGER NOT NULL,
    count      INTEGER NOT NULL,
    sum        REAL    NOT NULL,
    sketch     BLOB,
    PRIMARY KEY (project_id, metric, page, minute)
) WITHOUT ROWID;
CREATE INDEX rum_rollups_minute ON rum_rollups (minute);
