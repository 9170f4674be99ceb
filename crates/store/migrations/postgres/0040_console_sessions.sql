-- People signing in to the node's web console (owned by the server's
-- console): a password per user (argon2id PHC string, never the password)
-- with its failed-attempt counter and lock-out, and the console sessions.
-- A session row is keyed by the SHA-256 of the cookie's random token, so a
-- copy of the database does not hold usable sessions. No foreign keys to
-- `users`: that table comes from a later-numbered migration (9001), and a
-- deleted user's rows are harmless (a session resolves its user on every
-- request and a missing user ends it).

CREATE TABLE user_passwords (
    user_id      TEXT    PRIMARY KEY,
    hash         TEXT    NOT NULL,
    failed_count BIGINT  NOT NULL,
    locked_until TIMESTAMPTZ,
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE console_sessions (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    csrf       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen  TIMESTAMPTZ NOT NULL,
    ended_at   TIMESTAMPTZ
);
CREATE INDEX console_sessions_user ON console_sessions (user_id);
