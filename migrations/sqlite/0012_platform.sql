-- What the platform's servers report: server requests (Sentry `http.server`
-- transactions) and database queries (their `db` spans), with the sample weight the
-- SDK declared; restaurants' opening hours set from the dashboard; and rollups with a
-- restaurant dimension and weighted counts.

CREATE TABLE server_requests (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects(id),
    received_at   INTEGER NOT NULL,
    service       TEXT    NOT NULL,
    environment   TEXT,
    method        TEXT    NOT NULL,
    route         TEXT    NOT NULL,
    status        INTEGER,
    failed        INTEGER NOT NULL,
    duration      REAL    NOT NULL,
    restaurant_id TEXT,
    -- 1 / the SDK's sample rate: how many requests this one stands for.
    weight        REAL    NOT NULL DEFAULT 1
);
CREATE INDEX server_requests_project_received ON server_requests (project_id, received_at);
CREATE INDEX server_requests_received ON server_requests (received_at);
CREATE INDEX server_requests_restaurant ON server_requests (project_id, restaurant_id, received_at);

CREATE TABLE db_queries (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects(id),
    received_at   INTEGER NOT NULL,
    service       TEXT    NOT NULL,
    -- Normalized: literals replaced by `?`, whitespace folded.
    statement     TEXT    NOT NULL,
    duration      REAL    NOT NULL,
    transaction_name TEXT,
    restaurant_id TEXT,
    weight        REAL    NOT NULL DEFAULT 1
);
CREATE INDEX db_queries_project_received ON db_queries (project_id, received_at);
CREATE INDEX db_queries_received ON db_queries (received_at);
CREATE INDEX db_queries_slowest ON db_queries (project_id, statement, duration);

CREATE TABLE restaurant_hours (
    restaurant_id TEXT    PRIMARY KEY,
    hours         TEXT    NOT NULL, -- alerts::schedule::OpeningHours as JSON
    updated_by    TEXT    NOT NULL,
    updated_at    INTEGER NOT NULL
) WITHOUT ROWID;

-- Rollups gain a restaurant ('' = all restaurants) and a weighted count (each row's
-- weight summed: what the sampled rows stand for). Existing rows are all-restaurant
-- rows whose weighted count is their count.
CREATE TABLE rollups (
    project_id INTEGER NOT NULL,
    metric     TEXT    NOT NULL,
    restaurant TEXT    NOT NULL,
    page       TEXT    NOT NULL,
    minute     INTEGER NOT NULL,
    count      INTEGER NOT NULL,
    weighted   REAL    NOT NULL,
    sum        REAL    NOT NULL,
    sketch     BLOB,
    PRIMARY KEY (project_id, metric, restaurant, page, minute)
) WITHOUT ROWID;
INSERT INTO rollups (project_id, metric, restaurant, page, minute, count, weighted, sum, sketch)
    SELECT project_id, metric, '', page, minute, count, count, sum, sketch FROM rum_rollups;
DROP TABLE rum_rollups;
CREATE INDEX rollups_minute ON rollups (minute);

-- Sample weights of the browser's rows (the RUM SDK's sampleRate, Sentry's traces
-- sample rate).
ALTER TABLE rum_events ADD COLUMN weight REAL NOT NULL DEFAULT 1;
ALTER TABLE api_calls ADD COLUMN weight REAL NOT NULL DEFAULT 1;
