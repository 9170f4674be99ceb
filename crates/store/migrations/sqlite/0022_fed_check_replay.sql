-- Hit/no-hit checks answered, by asking partner and request id, kept for
-- a little longer than the checks' freshness window: a check replayed
-- inside the window is refused (see crates/server/src/federation.rs).
CREATE TABLE fed_checks (
    origin     TEXT NOT NULL,
    request_id TEXT NOT NULL,
    seen_at    TEXT NOT NULL,
    PRIMARY KEY (origin, request_id)
);
CREATE INDEX fed_checks_seen ON fed_checks (seen_at);

-- Inbox retention purges old digests but keeps each origin's last number.
CREATE INDEX fed_inbox_received ON fed_inbox (received_at);
