-- Structured log lines (winston JSON): the indexed columns searches filter on, and the
-- line as sent for "any field" and free-text search.
CREATE TABLE log_lines (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects(id),
    at            INTEGER NOT NULL,
    level         TEXT    NOT NULL,
    service       TEXT,
    environment   TEXT,
    restaurant_id TEXT,
    message       TEXT    NOT NULL,
    body          TEXT    NOT NULL
);
CREATE INDEX log_lines_at ON log_lines (project_id, at, id);
CREATE INDEX log_lines_level ON log_lines (project_id, level, at);
CREATE INDEX log_lines_service ON log_lines (project_id, service, at);
