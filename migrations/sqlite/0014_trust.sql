-- Trust: what each credential may do, key rotation, and an audit log that stays
-- append-only for the application yet has a retention the monitor enforces.

-- API tokens have a scope; those made before scopes existed keep full access.
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'admin';

-- A rotated public key stays valid until previous_key_expires_at, so SDKs can move over.
ALTER TABLE projects ADD COLUMN previous_public_key TEXT;
ALTER TABLE projects ADD COLUMN previous_key_expires_at BIGINT;

-- The audit log's retention cut: rows older than it may be deleted, no others; the cut
-- itself can never reach the last 30 days.
CREATE TABLE audit_retention (before BIGINT NOT NULL);
INSERT INTO audit_retention (before) VALUES (0);
CREATE TRIGGER audit_retention_keeps_30_days BEFORE UPDATE ON audit_retention
WHEN NEW.before > (CAST(strftime('%s', 'now') AS INTEGER) - 30 * 86400) * 1000
BEGIN SELECT RAISE(ABORT, 'audit rows younger than 30 days are kept'); END;
CREATE TRIGGER audit_retention_one_row BEFORE INSERT ON audit_retention
BEGIN SELECT RAISE(ABORT, 'the audit retention cut is one row'); END;
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN OLD.at >= (SELECT before FROM audit_retention)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Refused sign-ins aggregated: one audit row per source and minute carries a count.
ALTER TABLE audit_log ADD COLUMN repeats BIGINT NOT NULL DEFAULT 1;

-- Each sign-in attempt is recorded before it is judged, under a random id, so it can be
-- left out of its own count (atomic across instances without a lock).
ALTER TABLE login_failures ADD COLUMN attempt TEXT;
