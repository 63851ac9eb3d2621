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
CREATE FUNCTION audit_retention_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        RAISE EXCEPTION 'the audit retention cut is one row';
    END IF;
    IF NEW.before > (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT - 30::BIGINT * 86400000 THEN
        RAISE EXCEPTION 'audit rows younger than 30 days are kept';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER audit_retention_guard BEFORE INSERT OR UPDATE ON audit_retention
    FOR EACH ROW EXECUTE FUNCTION audit_retention_guard();
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < (SELECT before FROM audit_retention) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;

-- Refused sign-ins aggregated: one audit row per source and minute carries a count.
ALTER TABLE audit_log ADD COLUMN repeats BIGINT NOT NULL DEFAULT 1;

-- Each sign-in attempt is recorded before it is judged, under a random id, so it can be
-- left out of its own count (atomic across instances without a lock).
ALTER TABLE login_failures ADD COLUMN attempt TEXT;
