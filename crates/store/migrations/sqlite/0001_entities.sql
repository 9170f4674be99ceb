-- Entities, their history and the list versions they came with.
-- Times are RFC 3339 text in UTC; JSON is text. Keep to SQL that the
-- sqlite3 3.40 shell understands so analysts can open the file.

-- One row per imported version of a list (also when its content did not
-- change, so the list's age is known). `seq` orders versions; never times.
CREATE TABLE list_versions (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    source        TEXT    NOT NULL,
    version       TEXT    NOT NULL,
    imported_at   TEXT    NOT NULL,
    content_hash  TEXT    NOT NULL,
    entities      INTEGER NOT NULL,
    persons       INTEGER NOT NULL,
    organisations INTEGER NOT NULL,
    other         INTEGER NOT NULL,
    names         INTEGER NOT NULL,
    added         INTEGER NOT NULL,
    changed       INTEGER NOT NULL,
    removed       INTEGER NOT NULL
);
CREATE INDEX list_versions_source ON list_versions (source, seq);

-- The current state of every entity the node has ever held. Ids are unique
-- per node, whatever the source. Entities removed from their list or
-- withdrawn stay here with status 'withdrawn'.
CREATE TABLE entities (
    id         TEXT    PRIMARY KEY,
    source     TEXT    NOT NULL,
    schema     TEXT    NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('active', 'withdrawn')),
    version    INTEGER NOT NULL CHECK (version >= 1),
    caption    TEXT    NOT NULL,
    list_seq   INTEGER REFERENCES list_versions (seq),
    updated_at TEXT    NOT NULL,
    body       TEXT    NOT NULL
);
CREATE INDEX entities_source ON entities (source, status);
CREATE INDEX entities_status ON entities (status);

-- Append-only history: every version of every entity, with why it changed.
CREATE TABLE entity_versions (
    id            TEXT    NOT NULL REFERENCES entities (id),
    version       INTEGER NOT NULL CHECK (version >= 1),
    source        TEXT    NOT NULL,
    change        TEXT    NOT NULL
        CHECK (change IN ('added', 'changed', 'removed', 'created', 'updated', 'withdrawn')),
    reason        TEXT    NOT NULL,
    actor         TEXT    NOT NULL,
    recorded_at   TEXT    NOT NULL,
    list_seq      INTEGER REFERENCES list_versions (seq),
    changed_props TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    PRIMARY KEY (id, version)
);
CREATE INDEX entity_versions_list ON entity_versions (list_seq);

-- Derived lookup columns of the current version (rewritten with it).
CREATE TABLE entity_names (
    entity_id TEXT    NOT NULL REFERENCES entities (id),
    ord       INTEGER NOT NULL,
    kind      TEXT    NOT NULL,
    name      TEXT    NOT NULL,
    PRIMARY KEY (entity_id, ord)
);
CREATE INDEX entity_names_name ON entity_names (name);

CREATE TABLE entity_documents (
    entity_id TEXT    NOT NULL REFERENCES entities (id),
    ord       INTEGER NOT NULL,
    kind      TEXT    NOT NULL,
    number    TEXT    NOT NULL,
    PRIMARY KEY (entity_id, ord)
);
CREATE INDEX entity_documents_number ON entity_documents (number);
