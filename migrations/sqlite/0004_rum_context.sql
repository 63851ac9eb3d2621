-- RUM beacons carry the restaurant (from the SDK's `setTag('restaurant_id', ...)`), so
-- the Performance page can be filtered by restaurant from the raw rows.
ALTER TABLE rum_events ADD COLUMN restaurant_id TEXT;
ALTER TABLE api_calls ADD COLUMN restaurant_id TEXT;
CREATE INDEX rum_events_restaurant ON rum_events (project_id, restaurant_id, received_at);
CREATE INDEX api_calls_restaurant ON api_calls (project_id, restaurant_id, received_at);

-- JS heap samples (RUM `memory` beacons), for the memory trend filtered by restaurant.
CREATE TABLE memory_samples (
    project_id    INTEGER NOT NULL,
    received_at   INTEGER NOT NULL,
    page          TEXT    NOT NULL,
    used_mb       REAL    NOT NULL,
    restaurant_id TEXT
);
CREATE INDEX memory_samples_received ON memory_samples (project_id, received_at);

-- Custom metrics (`POST /api/internal/metrics`): each point as sent; charts read the
-- per-minute rollups (metric 'custom', key = the metric name).
CREATE TABLE custom_points (
    project_id INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    value      REAL    NOT NULL
);
CREATE INDEX custom_points_name ON custom_points (project_id, name, at);
