-- Business events: orders, payments, voice sessions, inventory levels, security events
-- and custom events. Money in integer minor units, never floating point.
CREATE TABLE business_events (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects(id),
    at            INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    restaurant_id TEXT,
    order_id      TEXT,
    payment_id    TEXT,
    session_id    TEXT,
    amount_minor  INTEGER,
    currency      TEXT,
    status        TEXT,
    method        TEXT,
    order_type    TEXT,
    item_count    INTEGER,
    duration_ms   INTEGER,
    item          TEXT,
    quantity      REAL,
    body          TEXT    NOT NULL
);
CREATE INDEX business_events_at ON business_events (project_id, at);
CREATE INDEX business_events_kind ON business_events (project_id, kind, at);
CREATE INDEX business_events_restaurant ON business_events (project_id, restaurant_id, at);
