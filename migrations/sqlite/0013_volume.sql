-- Production volume: retention deletes by time through an index on each time column
-- (the older indexes lead with project_id, so a delete by time scanned the whole table),
-- and rows per raw table kept as counters in the writers' transactions, so the Health
-- page never counts a table.

CREATE INDEX rum_events_received ON rum_events (received_at);
CREATE INDEX api_calls_received ON api_calls (received_at);
CREATE INDEX memory_samples_at ON memory_samples (received_at);
CREATE INDEX business_events_time ON business_events (at);
CREATE INDEX log_lines_time ON log_lines (at, id);
CREATE INDEX custom_points_at ON custom_points (at);
CREATE INDEX release_sessions_time ON release_sessions (started);
CREATE INDEX error_minutes_minute ON error_minutes (minute);
CREATE INDEX session_aggregates_minute ON session_aggregates (minute);
CREATE INDEX ingest_outcomes_hour ON ingest_outcomes (hour);
CREATE INDEX login_failures_at ON login_failures (at);

CREATE TABLE table_row_counts (
    name TEXT PRIMARY KEY,
    row_count BIGINT NOT NULL
);
INSERT INTO table_row_counts (name, row_count) SELECT 'rum_events', COUNT(*) FROM rum_events;
INSERT INTO table_row_counts (name, row_count) SELECT 'error_events', COUNT(*) FROM error_events;
INSERT INTO table_row_counts (name, row_count) SELECT 'api_calls', COUNT(*) FROM api_calls;
INSERT INTO table_row_counts (name, row_count) SELECT 'memory_samples', COUNT(*) FROM memory_samples;
INSERT INTO table_row_counts (name, row_count) SELECT 'business_events', COUNT(*) FROM business_events;
INSERT INTO table_row_counts (name, row_count) SELECT 'log_lines', COUNT(*) FROM log_lines;
INSERT INTO table_row_counts (name, row_count) SELECT 'custom_points', COUNT(*) FROM custom_points;
INSERT INTO table_row_counts (name, row_count) SELECT 'probe_results', COUNT(*) FROM probe_results;
INSERT INTO table_row_counts (name, row_count) SELECT 'server_requests', COUNT(*) FROM server_requests;
INSERT INTO table_row_counts (name, row_count) SELECT 'db_queries', COUNT(*) FROM db_queries;
