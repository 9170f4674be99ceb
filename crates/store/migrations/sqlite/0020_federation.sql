-- Federation between national nodes (see crates/federation).

-- Partners: their identity keys (JSON array of tansiq_trust::PublicKey),
-- base URL, and the agreement of each direction (JSON
-- tansiq_federation::Agreement): `outgoing` what this node shares with
-- them, `incoming` what it accepts from them.
CREATE TABLE fed_partners (
    id              TEXT PRIMARY KEY,
    base_url        TEXT NOT NULL,
    keys            TEXT NOT NULL,
    outgoing        TEXT NOT NULL,
    incoming        TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    last_contact_at TEXT
);

-- The durable outbox: every sequenced message to a partner, numbered
-- 1, 2, 3, … per partner without holes, sealed (signed) when enqueued.
-- Delivered rows are kept as the record of what left the node.
CREATE TABLE fed_outbox (
    partner         TEXT    NOT NULL REFERENCES fed_partners (id),
    seq             INTEGER NOT NULL CHECK (seq >= 1),
    kind            TEXT    NOT NULL,
    subject         TEXT,
    body            TEXT    NOT NULL,
    key_id          TEXT    NOT NULL,
    signature       TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    last_error      TEXT,
    delivered_at    TEXT,
    PRIMARY KEY (partner, seq)
);
CREATE INDEX fed_outbox_pending ON fed_outbox (partner, seq) WHERE delivered_at IS NULL;

-- The inbox: every applied message per origin with its body digest, so a
-- duplicate is recognised and a replayed number with other content is not
-- taken for one. The last applied number is MAX(seq).
CREATE TABLE fed_inbox (
    origin      TEXT    NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    digest      TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    received_at TEXT    NOT NULL,
    PRIMARY KEY (origin, seq)
);

-- What each partner holds of this node's entries and at what level, so an
-- agreement change or a withdrawal removes exactly the copies sent.
CREATE TABLE fed_shared (
    partner   TEXT    NOT NULL REFERENCES fed_partners (id),
    entity_id TEXT    NOT NULL,
    level     TEXT    NOT NULL,
    version   INTEGER NOT NULL,
    PRIMARY KEY (partner, entity_id)
);

-- How far replication has followed the change feed (one row).
CREATE TABLE fed_cursor (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL
);
INSERT INTO fed_cursor (id, seq) VALUES (1, 0);

-- Hits on foreign entries: `out` seen here on a partner's entry, `in`
-- seen at a partner on one of ours. One row per hit id, whatever the
-- number of deliveries.
CREATE TABLE fed_hits (
    hit_id      TEXT PRIMARY KEY,
    direction   TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    partner     TEXT NOT NULL,
    reference   TEXT NOT NULL,
    action      TEXT,
    via         TEXT NOT NULL,
    traveller   TEXT NOT NULL,
    score       REAL NOT NULL,
    screened_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    acked_at    TEXT
);

-- Follow-up threads between contact points, one row per message.
CREATE TABLE fed_followups (
    hit_id      TEXT NOT NULL REFERENCES fed_hits (hit_id),
    message_id  TEXT NOT NULL,
    from_node   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL,
    author      TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (hit_id, message_id)
);
