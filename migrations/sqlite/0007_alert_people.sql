-- Alerting for people: acknowledgements, escalation, silences, grouped notifications
-- and rules kept in the database (created or overridden from the dashboard).

-- Who acknowledged the current firing episode; cleared when the alert resolves.
ALTER TABLE alert_states ADD COLUMN acked_by TEXT;
ALTER TABLE alert_states ADD COLUMN acked_at INTEGER;

-- Who did it (acknowledgements, test fires) and whether a silence muted it.
ALTER TABLE alert_history ADD COLUMN actor TEXT;
ALTER TABLE alert_history ADD COLUMN silenced INTEGER NOT NULL DEFAULT 0;

-- One message can group several alerts that fired together: each outbox row lists the
-- transitions it carries (alert_outbox.history_id stays the first of them).
CREATE TABLE alert_outbox_alerts (
    outbox_id  INTEGER NOT NULL REFERENCES alert_outbox(id),
    history_id INTEGER NOT NULL REFERENCES alert_history(id),
    PRIMARY KEY (outbox_id, history_id)
) WITHOUT ROWID;
CREATE INDEX alert_outbox_alerts_history ON alert_outbox_alerts (history_id);
INSERT INTO alert_outbox_alerts (outbox_id, history_id) SELECT id, history_id FROM alert_outbox;

-- Maintenance windows: matchers (JSON list of {field, value}) muted from starts to ends.
CREATE TABLE alert_silences (
    id         INTEGER PRIMARY KEY,
    matchers   TEXT    NOT NULL,
    starts     INTEGER NOT NULL,
    ends       INTEGER NOT NULL,
    comment    TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX alert_silences_ends ON alert_silences (ends);

-- Rules from the dashboard: new ones, and overrides of alerts.toml rules by name.
CREATE TABLE alert_rules (
    name       TEXT    PRIMARY KEY,
    rule       TEXT    NOT NULL, -- alerts::rule::Rule as JSON
    updated_by TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
