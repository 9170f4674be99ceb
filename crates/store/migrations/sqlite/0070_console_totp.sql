-- The web console's optional second factor (TOTP, RFC 6238), owned by the
-- server's console like 0040.
--
-- `user_totp`: one authenticator per user. `secret` is the shared key
-- (base32, as enrolled); it must be readable to check a code, so unlike a
-- password it cannot be hashed: a copy of the database holds it (the
-- password hash stays the first factor). `confirmed_at` is NULL while the
-- person has not yet proved, with a valid code, that their authenticator
-- holds it; only a confirmed row is asked for at sign-in. `last_step` is
-- the RFC 6238 time step of the last code accepted: a code of that step or
-- an earlier one is refused (a code is not accepted twice).
--
-- `sign_in_challenges`: a sign-in whose password was right and whose code
-- is still awaited, keyed like a session by the SHA-256 of its cookie
-- token, with the code form's CSRF token. Failed codes count in
-- `user_passwords.failed_count`, so one lock-out covers both factors.
CREATE TABLE user_totp (
    user_id      TEXT    PRIMARY KEY,
    secret       TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    confirmed_at TEXT,
    last_step    INTEGER
);

CREATE TABLE sign_in_challenges (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX sign_in_challenges_user ON sign_in_challenges (user_id);
