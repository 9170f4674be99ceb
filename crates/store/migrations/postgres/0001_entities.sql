-- Entities, their history and the list versions they came with.
-- Same tables and columns as the SQLite schema, in PostgreSQL types.

-- One row per imported version of a list (also when its content did not
-- change, so the list's age is known). `seq` orders versions; never times.
CREATE TABLE list_versions (
    seq           BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source        TEXT        NOT NULL,
    version       TEXT        NOT NULL,
    imported_at   TIMESTAMPTZ NOT NULL,
    content_hash  TEXT        NOT NULL,
    entities      BIGINT      NOT NULL,
    persons       BIGINT      NOT NULL,
    organisations BIGINT      NOT NULL,
    other         BIGINT      NOT NULL,
    names         BIGINT      NOT NULL,
    added         BIGINT      NOT NULL,
    changed       BIGINT      NOT NULL,
    removed       BIGINT      NOT NULL
);
CREATE INDEX list_versions_source ON list_versions (source, seq);

-- The current state of every entity the node has ever held. Ids are unique
-- per node, whatever the source. Entities removed from their list or
-- withdrawn stay here with status 'withdrawn'.
CREATE TABLE entities (
    id         TEXT        PRIMARY KEY,
    source     TEXT        NOT NULL,
    schema     TEXT        NOT NULL,
    status     TEXT        NOT NULL CHECK (status IN ('active', 'withdrawn')),
    version    BIGINT      NOT NULL CHECK (version >= 1),
    caption    TEXT        NOT NULL,
    list_seq   BIGINT      REFERENCES list_versions (seq),
    updated_at TIMESTAMPTZ NOT NULL,
    body       JSONB       NOT NULL
);
CREATE INDEX entities_source ON entities (source, status);
CREATE INDEX entities_status ON entities (status);

-- Append-only history: every version of every entity, with why it changed.
CREATE TABLE entity_versions (
    id            TEXT        NOT NULL REFERENCES entities (id),
    version       BIGINT      NOT NULL CHECK (version >= 1),
    source        TEXT        NOT NULL,
    change        TEXT        NOT NULL
        CHECK (change IN ('added', 'changed', 'removed', 'created', 'updated', 'withdrawn')),
    reason        TEXT        NOT NULL,
    actor         TEXT        NOT NULL,
    recorded_at   TIMESTAMPTZ NOT NULL,
    list_seq      BIGINT      REFERENCES list_versions (seq),
    changed_props JSONB       NOT NULL,
    body          JSONB       NOT NULL,
    PRIMARY KEY (id, version)
);
CREATE INDEX entity_versions_list ON entity_versions (list_seq);

-- Derived lookup columns of the current version (rewritten with it).
CREATE TABLE entity_names (
    entity_id TEXT   NOT NULL REFERENCES entities (id),
    ord       BIGINT NOT NULL,
    kind      TEXT   NOT NULL,
    name      TEXT   NOT NULL,
    PRIMARY KEY (entity_id, ord)
);
CREATE INDEX entity_names_name ON entity_names (name);

CREATE TABLE entity_documents (
    entity_id TEXT   NOT NULL REFERENCES entities (id),
    ord       BIGINT NOT NULL,
    kind      TEXT   NOT NULL,
    number    TEXT   NOT NULL,
    PRIMARY KEY (entity_id, ord)
);
CREATE INDEX entity_documents_number ON entity_documents (number);
