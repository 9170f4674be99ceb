-- The hash-chained audit log (see src/audit.rs). Append-only: the triggers
-- refuse deletes and any update other than purging a payload. They stop
-- mistakes, not an attacker with the file; the hash chain and the signed
-- head kept outside the database detect what an attacker does.
CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY CHECK (seq >= 1),
    at           TEXT    NOT NULL,
    actor        TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    subject      TEXT,
    facts        TEXT    NOT NULL,
    payload      TEXT,
    payload_hash TEXT    NOT NULL,
    prev_hash    TEXT    NOT NULL,
    hash         TEXT    NOT NULL UNIQUE
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_only_purge BEFORE UPDATE ON audit_log
WHEN NEW.seq IS NOT OLD.seq OR NEW.at IS NOT OLD.at OR NEW.actor IS NOT OLD.actor
  OR NEW.action IS NOT OLD.action OR NEW.subject IS NOT OLD.subject
  OR NEW.facts IS NOT OLD.facts OR NEW.payload_hash IS NOT OLD.payload_hash
  OR NEW.prev_hash IS NOT OLD.prev_hash OR NEW.hash IS NOT OLD.hash
  OR NEW.payload IS NOT NULL AND NEW.payload IS NOT OLD.payload
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only (only a payload may be purged)');
END;
