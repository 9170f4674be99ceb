-- Screening history, hits and their review, suppression of dismissed
-- pairs, notifications to originating agencies, and the re-screening
-- cursor (owned by the server's review module).
--
-- Traveller data, which retention purges, lives only in: screenings.query,
-- screenings.document_key, hits.document_key and hits.context (JSON:
-- query, matches, explanations), suppressions.document_key. Everything
-- else is who/when/what-state, kept for the life of the record.

-- One row per screened traveller (a manifest gives one per traveller),
-- written in batches after the answer was sent. `at` is the crossing time
-- (the request's context.time, else the screening time): re-screening
-- looks back over it.
CREATE TABLE screenings (
    id           TEXT NOT NULL PRIMARY KEY,
    at           TIMESTAMPTZ NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL,
    agency_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    border_post  TEXT,
    document_key TEXT,
    band         TEXT NOT NULL,
    query        TEXT NOT NULL,
    matches      TEXT NOT NULL
);
CREATE INDEX screenings_at ON screenings (at);
CREATE INDEX screenings_document ON screenings (agency_id, document_key, at);

-- One hit per (screening, entity) at or above the possible band.
CREATE TABLE hits (
    id             TEXT    NOT NULL PRIMARY KEY,
    screening_id   TEXT    NOT NULL,
    screened_at    TIMESTAMPTZ    NOT NULL,
    created_at     TIMESTAMPTZ    NOT NULL,
    updated_at     TIMESTAMPTZ    NOT NULL,
    agency_id      TEXT    NOT NULL,
    user_id        TEXT    NOT NULL,
    border_post    TEXT,
    document_key   TEXT,
    entity_id      TEXT    NOT NULL,
    entity_version BIGINT  NOT NULL,
    source         TEXT    NOT NULL,
    band           TEXT    NOT NULL CHECK (band IN ('possible', 'strong')),
    score          DOUBLE PRECISION NOT NULL,
    origin         TEXT    NOT NULL CHECK (origin IN ('screening', 'rescreen')),
    state          TEXT    NOT NULL CHECK (state IN ('open', 'confirmed', 'dismissed', 'closed')),
    outcome        TEXT    CHECK (outcome IN ('confirmed', 'dismissed')),
    reason         TEXT,
    assignee       TEXT,
    version        BIGINT  NOT NULL,
    context        TEXT    NOT NULL,
    UNIQUE (screening_id, entity_id)
);
CREATE INDEX hits_queue ON hits (agency_id, state, created_at);
CREATE INDEX hits_document ON hits (agency_id, document_key);

-- Every change of a hit, oldest first: raised, assigned, confirmed,
-- dismissed, closed, commented.
CREATE TABLE hit_events (
    hit_id     TEXT   NOT NULL REFERENCES hits (id),
    seq        BIGINT NOT NULL,
    at         TIMESTAMPTZ   NOT NULL,
    actor      TEXT   NOT NULL,
    action     TEXT   NOT NULL,
    from_state TEXT,
    to_state   TEXT,
    note       TEXT,
    PRIMARY KEY (hit_id, seq)
);

-- A dismissed (document, entity) pair of one agency, with the entity
-- version it was dismissed against: a later screening of the same
-- document against the same version is marked, not raised.
CREATE TABLE suppressions (
    agency_id      TEXT   NOT NULL,
    document_key   TEXT   NOT NULL,
    entity_id      TEXT   NOT NULL,
    entity_version BIGINT NOT NULL,
    hit_id         TEXT   NOT NULL REFERENCES hits (id),
    reason         TEXT   NOT NULL,
    at             TIMESTAMPTZ   NOT NULL,
    PRIMARY KEY (agency_id, document_key, entity_id)
);

-- Messages to an agency (today: its entry confirmed by a hit).
CREATE TABLE notifications (
    id          TEXT NOT NULL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    agency_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    hit_id      TEXT NOT NULL REFERENCES hits (id),
    entity_id   TEXT NOT NULL,
    from_agency TEXT NOT NULL,
    detail      TEXT NOT NULL
);
CREATE INDEX notifications_agency ON notifications (agency_id, at);

-- Named positions of background jobs (the change-feed position up to
-- which re-screening has run).
CREATE TABLE review_cursors (
    name TEXT   NOT NULL PRIMARY KEY,
    seq  BIGINT NOT NULL
);
