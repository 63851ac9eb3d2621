-- See migrations/sqlite/0012_platform.sql: server requests, database queries, opening
-- hours, and rollups with a restaurant dimension and weighted counts.

CREATE TABLE server_requests (
    id            BIGSERIAL NOT NULL,
    project_id    BIGINT  NOT NULL REFERENCES projects(id),
    received_at   BIGINT  NOT NULL,
    service       TEXT    NOT NULL,
    environment   TEXT,
    method        TEXT    NOT NULL,
    route         TEXT    NOT NULL,
    status        BIGINT,
    failed        BIGINT  NOT NULL,
    duration      DOUBLE PRECISION NOT NULL,
    restaurant_id TEXT,
    weight        DOUBLE PRECISION NOT NULL DEFAULT 1,
    PRIMARY KEY (id, received_at)
) PARTITION BY RANGE (received_at);
CREATE TABLE server_requests_default PARTITION OF server_requests DEFAULT;
CREATE INDEX server_requests_project_received ON server_requests (project_id, received_at);
CREATE INDEX server_requests_restaurant ON server_requests (project_id, restaurant_id, received_at);

CREATE TABLE db_queries (
    id            BIGSERIAL NOT NULL,
    project_id    BIGINT  NOT NULL REFERENCES projects(id),
    received_at   BIGINT  NOT NULL,
    service       TEXT    NOT NULL,
    statement     TEXT    NOT NULL,
    duration      DOUBLE PRECISION NOT NULL,
    transaction_name TEXT,
    restaurant_id TEXT,
    weight        DOUBLE PRECISION NOT NULL DEFAULT 1,
    PRIMARY KEY (id, received_at)
) PARTITION BY RANGE (received_at);
CREATE TABLE db_queries_default PARTITION OF db_queries DEFAULT;
CREATE INDEX db_queries_project_received ON db_queries (project_id, received_at);
CREATE INDEX db_queries_slowest ON db_queries (project_id, statement, duration);

CREATE TABLE restaurant_hours (
    restaurant_id TEXT    PRIMARY KEY,
    hours         TEXT    NOT NULL,
    updated_by    TEXT    NOT NULL,
    updated_at    BIGINT  NOT NULL
);

CREATE TABLE rollups (
    project_id BIGINT  NOT NULL,
    metric     TEXT    NOT NULL,
    restaurant TEXT    NOT NULL,
    page       TEXT    NOT NULL,
    minute     BIGINT  NOT NULL,
    count      BIGINT  NOT NULL,
    weighted   DOUBLE PRECISION NOT NULL,
    sum        DOUBLE PRECISION NOT NULL,
    sketch     BYTEA,
    PRIMARY KEY (project_id, metric, restaurant, page, minute)
);
INSERT INTO rollups (project_id, metric, restaurant, page, minute, count, weighted, sum, sketch)
    SELECT project_id, metric, '', page, minute, count, count, sum, sketch FROM rum_rollups;
DROP TABLE rum_rollups;
CREATE INDEX rollups_minute ON rollups (minute);

ALTER TABLE rum_events ADD COLUMN weight DOUBLE PRECISION NOT NULL DEFAULT 1;
ALTER TABLE api_calls ADD COLUMN weight DOUBLE PRECISION NOT NULL DEFAULT 1;
