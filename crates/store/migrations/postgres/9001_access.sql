-- Accounts and access (owned by the server): agencies, users with roles,
-- API keys. A key's secret is never stored: only HMAC-SHA256(pepper,
-- secret) in hex, where the pepper lives outside the database.

CREATE TABLE agencies (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id         TEXT    PRIMARY KEY,
    agency_id  TEXT    NOT NULL REFERENCES agencies (id),
    name       TEXT    NOT NULL,
    -- Comma-separated role names (officer, analyst, contact-point, admin, auditor).
    roles      TEXT    NOT NULL,
    active     BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX users_agency ON users (agency_id);

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    hash       TEXT NOT NULL,
    label      TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_keys_user ON api_keys (user_id);
