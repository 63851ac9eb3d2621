-- Security monitoring: the audit log of admin actions (append-only: the triggers refuse
-- any change, so not even a bug in the monitor can rewrite it), failed dashboard sign-ins
-- for lockout and burst alerts, and the source address of platform security events.
CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    actor  TEXT    NOT NULL,
    action TEXT    NOT NULL,
    target TEXT,
    source TEXT,
    before TEXT,
    after  TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE login_failures (
    at       INTEGER NOT NULL,
    username TEXT    NOT NULL,
    source   TEXT    NOT NULL
);
CREATE INDEX login_failures_user ON login_failures (username, at);
CREATE INDEX login_failures_source ON login_failures (source, at);

ALTER TABLE business_events ADD COLUMN source TEXT;
