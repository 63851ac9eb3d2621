-- Alerting: the state of each alert instance (a rule, or a rule and a restaurant) and
-- every transition it went through (the history). The notification outbox joins the
-- history's transaction when the notifiers land.

CREATE TABLE alert_states (
    rule     TEXT    NOT NULL,
    instance TEXT    NOT NULL, -- '' unless the rule is split (then the restaurant)
    state    TEXT    NOT NULL, -- alerts::state::State as JSON
    value    REAL,
    updated  INTEGER NOT NULL,
    PRIMARY KEY (rule, instance)
) WITHOUT ROWID;

CREATE TABLE alert_history (
    id        INTEGER PRIMARY KEY,
    rule      TEXT    NOT NULL,
    instance  TEXT    NOT NULL,
    severity  TEXT    NOT NULL,
    change    TEXT    NOT NULL, -- pending | fired | reminded | cancelled | resolved
    value     REAL    NOT NULL,
    threshold REAL    NOT NULL,
    at        INTEGER NOT NULL,
    notify    INTEGER NOT NULL
);
CREATE INDEX alert_history_at ON alert_history (at);
CREATE INDEX alert_history_rule ON alert_history (rule, at);
