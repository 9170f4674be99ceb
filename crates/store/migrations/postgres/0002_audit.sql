-- The hash-chained audit log (see src/audit.rs). Append-only: the trigger
-- refuses deletes and any update other than purging a payload. It stops
-- mistakes, not an attacker with the database; the hash chain and the
-- signed head kept outside the database detect what an attacker does.
CREATE TABLE audit_log (
    seq          BIGINT      PRIMARY KEY CHECK (seq >= 1),
    at           TIMESTAMPTZ NOT NULL,
    actor        TEXT        NOT NULL,
    action       TEXT        NOT NULL,
    subject      TEXT,
    facts        TEXT        NOT NULL,
    payload      TEXT,
    payload_hash TEXT        NOT NULL,
    prev_hash    TEXT        NOT NULL,
    hash         TEXT        NOT NULL UNIQUE
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit_log is append-only';
    END IF;
    IF NEW.seq IS DISTINCT FROM OLD.seq OR NEW.at IS DISTINCT FROM OLD.at
       OR NEW.actor IS DISTINCT FROM OLD.actor OR NEW.action IS DISTINCT FROM OLD.action
       OR NEW.subject IS DISTINCT FROM OLD.subject OR NEW.facts IS DISTINCT FROM OLD.facts
       OR NEW.payload_hash IS DISTINCT FROM OLD.payload_hash
       OR NEW.prev_hash IS DISTINCT FROM OLD.prev_hash OR NEW.hash IS DISTINCT FROM OLD.hash
       OR (NEW.payload IS NOT NULL AND NEW.payload IS DISTINCT FROM OLD.payload) THEN
        RAISE EXCEPTION 'audit_log is append-only (only a payload may be purged)';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
