-- The notification outbox: written in the same transaction as the alert transition, so
-- a notification is never lost to a crash between "fired" and "sent"; a worker delivers
-- due rows with retries and exponential backoff.
CREATE TABLE alert_outbox (
    id           INTEGER PRIMARY KEY,
    history_id   INTEGER NOT NULL REFERENCES alert_history(id),
    channel      TEXT    NOT NULL, -- slack | webhook | email
    payload      TEXT    NOT NULL, -- notify::Notification as JSON
    status       TEXT    NOT NULL DEFAULT 'pending', -- pending | delivered | failed
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER NOT NULL,
    last_error   TEXT,
    delivered_at INTEGER,
    created      INTEGER NOT NULL
);
CREATE INDEX alert_outbox_due ON alert_outbox (status, next_attempt);
CREATE INDEX alert_outbox_history ON alert_outbox (history_id);
