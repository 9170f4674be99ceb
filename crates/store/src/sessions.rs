//! People's sign-in to the web console: a password hash per user with its
//! failed-attempt counter and lock-out, and console sessions.
//!
//! Like API keys, the store keeps what it is given and decides nothing:
//! the password arrives already hashed (argon2id, by the server), a session
//! arrives keyed by the hash of its cookie token, and the lock-out policy
//! (how many failures, for how long) is the caller's; the store only counts
//! and stamps. Idle and absolute expiry are computed by the caller from
//! `created_at` and `last_seen`.
//!
//! The optional second factor (TOTP, migration 0070) follows the same
//! rule: the store keeps the shared secret, whether it was confirmed and
//! the last time step accepted; the server generates the secret and checks
//! codes. The one decision made here is atomic by necessity: a time step
//! is taken at most once ([`Store::take_totp_step`]), so two requests with
//! the same code cannot both pass.

use time::OffsetDateTime;

use crate::db::{built, sql};
use crate::{Store, StoreError};

/// A user's stored password (its argon2id PHC string, never the password).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct PasswordRecord {
    pub user_id: String,
    pub hash: String,
    /// Failed sign-ins since the last success or lock-out.
    pub failed_count: i64,
    /// Sign-in refused until then, whatever the password.
    pub locked_until: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
}

impl PasswordRecord {
    pub fn locked_at(&self, now: OffsetDateTime) -> bool {
        self.locked_until.is_some_and(|t| now < t)
    }
}

/// A console session as stored. `id` is the hash of the cookie's token.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRecord {
    pub id: String,
    pub user_id: String,
    /// The synchronizer token every form of this session carries.
    pub csrf: String,
    pub created_at: OffsetDateTime,
    pub last_seen: OffsetDateTime,
    pub ended_at: Option<OffsetDateTime>,
}

/// A user's TOTP authenticator as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct TotpRecord {
    pub user_id: String,
    /// The shared secret, base32 (RFC 4648, no padding), as enrolled.
    pub secret: String,
    pub created_at: OffsetDateTime,
    /// `None` while the enrolment awaits its first valid code: such a
    /// record is not asked for at sign-in.
    pub confirmed_at: Option<OffsetDateTime>,
    /// The RFC 6238 time step of the last code accepted.
    pub last_step: Option<i64>,
}

impl TotpRecord {
    pub fn confirmed(&self) -> bool {
        self.confirmed_at.is_some()
    }
}

/// A sign-in whose password was right and whose second factor is awaited.
/// `id` is the hash of the challenge cookie's token.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ChallengeRecord {
    pub id: String,
    pub user_id: String,
    /// The token the code form carries.
    pub csrf: String,
    pub created_at: OffsetDateTime,
}

const PASSWORD_COLUMNS: &str = "user_id, hash, failed_count, locked_until, updated_at";
const SESSION_COLUMNS: &str = "id, user_id, csrf, created_at, last_seen, ended_at";

const TOTP_COLUMNS: &str = "user_id, secret, created_at, confirmed_at, last_step";
const CHALLENGE_COLUMNS: &str = "id, user_id, csrf, created_at";

fn stamp() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}

fn micros(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}

impl Store {
    /// Sets (or replaces) a user's password hash and clears its failures
    /// and lock-out. [`StoreError::NotFound`] when the user does not exist.
    pub async fn set_password_hash(&self, user_id: &str, hash: &str) -> Result<(), StoreError> {
        if self.user(user_id).await?.is_none() {
            return Err(StoreError::not_found(format!("user {user_id:?}")));
        }
        if !hash.starts_with("$argon2id$") {
            return Err(StoreError::invalid(
                "password.hash",
                "must be an argon2id PHC string",
            ));
        }
        let now = stamp();
        sql(
            "INSERT INTO user_passwords (user_id, hash, failed_count, locked_until, updated_at) \
             VALUES ($1, $2, 0, NULL, $3) \
             ON CONFLICT (user_id) DO UPDATE SET hash = $2, failed_count = 0, \
             locked_until = NULL, updated_at = $3",
        )
        .bind(user_id)
        .bind(hash)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// A user's password record, if a password was ever set.
    pub async fn password(&self, user_id: &str) -> Result<Option<PasswordRecord>, StoreError> {
        Ok(built(format!(
            "SELECT {PASSWORD_COLUMNS} FROM user_passwords WHERE user_id = $1"
        ))
        .bind(user_id)
        .fetch_optional(self.reader())
        .await?)
    }

    /// Counts one failed sign-in; at `lock_after` failures the account is
    /// locked until `lock_until` and the count starts again. Returns the
    /// record after the change (`None` when the user has no password).
    pub async fn note_failed_sign_in(
        &self,
        user_id: &str,
        lock_after: i64,
        lock_until: OffsetDateTime,
    ) -> Result<Option<PasswordRecord>, StoreError> {
        let lock_until = micros(lock_until);
        // One statement: concurrent failures cannot both miss the lock.
        sql("UPDATE user_passwords SET \
             locked_until = CASE WHEN failed_count + 1 >= $2 THEN $3 ELSE locked_until END, \
             failed_count = CASE WHEN failed_count + 1 >= $2 THEN 0 ELSE failed_count + 1 END \
             WHERE user_id = $1")
        .bind(user_id)
        .bind(lock_after)
        .bind(lock_until)
        .execute(self.writer())
        .await?;
        self.password(user_id).await
    }

    /// A successful sign-in clears the failure count.
    pub async fn clear_failed_sign_ins(&self, user_id: &str) -> Result<(), StoreError> {
        sql("UPDATE user_passwords SET failed_count = 0 WHERE user_id = $1")
            .bind(user_id)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Records a new session. `id` is the hash of the cookie token.
    pub async fn create_session(
        &self,
        id: &str,
        user_id: &str,
        csrf: &str,
    ) -> Result<SessionRecord, StoreError> {
        let now = stamp();
        let s = SessionRecord {
            id: id.to_string(),
            user_id: user_id.to_string(),
            csrf: csrf.to_string(),
            created_at: now,
            last_seen: now,
            ended_at: None,
        };
        built(format!(
            "INSERT INTO console_sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $4, NULL)"
        ))
        .bind(&s.id)
        .bind(&s.user_id)
        .bind(&s.csrf)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(s)
    }

    /// A session by id (ended ones included: the caller checks).
    pub async fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        Ok(built(format!(
            "SELECT {SESSION_COLUMNS} FROM console_sessions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.reader())
        .await?)
    }

    /// Marks a session as seen now (idle expiry counts from here).
    pub async fn touch_session(&self, id: &str, at: OffsetDateTime) -> Result<(), StoreError> {
        sql("UPDATE console_sessions SET last_seen = $1 WHERE id = $2 AND ended_at IS NULL")
            .bind(micros(at))
            .bind(id)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Ends a session (sign-out, expiry); idempotent.
    pub async fn end_session(&self, id: &str) -> Result<(), StoreError> {
        let now = stamp();
        sql("UPDATE console_sessions SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Ends every open session of a user (password changed, deactivated).
    /// Returns how many were open.
    pub async fn end_sessions_of(&self, user_id: &str) -> Result<u64, StoreError> {
        let now = stamp();
        Ok(
            sql(
                "UPDATE console_sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL",
            )
            .bind(now)
            .bind(user_id)
            .execute(self.writer())
            .await?,
        )
    }

    /// Deletes sessions created before `before` (long past any absolute
    /// expiry). Returns how many.
    pub async fn purge_sessions(&self, before: OffsetDateTime) -> Result<u64, StoreError> {
        Ok(sql("DELETE FROM console_sessions WHERE created_at < $1")
            .bind(micros(before))
            .execute(self.writer())
            .await?)
    }
}

impl Store {
    /// Starts (or restarts) a user's TOTP enrolment with a new `secret`
    /// (base32), unconfirmed. Refused with [`StoreError::Conflict`] when
    /// the user already has a confirmed authenticator: that one is removed
    /// only by [`Store::reset_totp`] (an administrator's act), never
    /// replaced by the person alone. [`StoreError::NotFound`] when the user
    /// does not exist.
    pub async fn begin_totp(&self, user_id: &str, secret: &str) -> Result<TotpRecord, StoreError> {
        if self.user(user_id).await?.is_none() {
            return Err(StoreError::not_found(format!("user {user_id:?}")));
        }
        if secret.len() < 16
            || !secret
                .bytes()
                .all(|b| matches!(b, b'A'..=b'Z' | b'2'..=b'7'))
        {
            return Err(StoreError::invalid(
                "totp.secret",
                "must be base32 (A-Z, 2-7) of at least 80 bits",
            ));
        }
        let now = stamp();
        let written = // One statement: a confirmed row is never overwritten, however
        // the requests interleave.
        sql(
            "INSERT INTO user_totp (user_id, secret, created_at, confirmed_at, last_step) \
             VALUES ($1, $2, $3, NULL, NULL) \
             ON CONFLICT (user_id) DO UPDATE SET secret = $2, created_at = $3, \
             confirmed_at = NULL, last_step = NULL WHERE user_totp.confirmed_at IS NULL",
        )
        .bind(user_id)
        .bind(secret)
        .bind(now)
        .execute(self.writer())
        .await?;
        if written == 0 {
            return Err(StoreError::Conflict(format!(
                "user {user_id:?} has a confirmed second factor; an administrator resets it first"
            )));
        }
        Ok(TotpRecord {
            user_id: user_id.to_string(),
            secret: secret.to_string(),
            created_at: now,
            confirmed_at: None,
            last_step: None,
        })
    }

    /// A user's authenticator, confirmed or not.
    pub async fn totp(&self, user_id: &str) -> Result<Option<TotpRecord>, StoreError> {
        Ok(built(format!(
            "SELECT {TOTP_COLUMNS} FROM user_totp WHERE user_id = $1"
        ))
        .bind(user_id)
        .fetch_optional(self.reader())
        .await?)
    }

    /// The users with a confirmed authenticator (for an account list).
    pub async fn totp_confirmed_users(&self) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> =
            sql("SELECT user_id FROM user_totp WHERE confirmed_at IS NOT NULL ORDER BY user_id")
                .fetch_all(self.reader())
                .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Confirms a pending enrolment whose first valid code was of time
    /// step `step` (so that code is not accepted again). Returns whether
    /// a pending enrolment was confirmed (`false`: none, or already
    /// confirmed).
    pub async fn confirm_totp(&self, user_id: &str, step: i64) -> Result<bool, StoreError> {
        let now = stamp();
        Ok(
            sql("UPDATE user_totp SET confirmed_at = $2, last_step = $3 \
             WHERE user_id = $1 AND confirmed_at IS NULL")
            .bind(user_id)
            .bind(now)
            .bind(step)
            .execute(self.writer())
            .await?
                == 1,
        )
    }

    /// Takes time step `step` for a confirmed authenticator: `true` once,
    /// `false` when that step or a later one was already taken (the same
    /// code again, or an older one) or there is no confirmed
    /// authenticator. One statement, so of two concurrent uses of one
    /// code only one passes.
    pub async fn take_totp_step(&self, user_id: &str, step: i64) -> Result<bool, StoreError> {
        Ok(
            sql("UPDATE user_totp SET last_step = $2 WHERE user_id = $1 \
             AND confirmed_at IS NOT NULL AND (last_step IS NULL OR last_step < $2)")
            .bind(user_id)
            .bind(step)
            .execute(self.writer())
            .await?
                == 1,
        )
    }

    /// Removes a user's authenticator (confirmed or pending) and their
    /// pending sign-in challenges. Returns whether there was one.
    pub async fn reset_totp(&self, user_id: &str) -> Result<bool, StoreError> {
        let n = sql("DELETE FROM user_totp WHERE user_id = $1")
            .bind(user_id)
            .execute(self.writer())
            .await?;
        sql("DELETE FROM sign_in_challenges WHERE user_id = $1")
            .bind(user_id)
            .execute(self.writer())
            .await?;
        Ok(n == 1)
    }

    /// Records a sign-in awaiting its code. `id` is the hash of the
    /// challenge cookie's token.
    pub async fn create_challenge(
        &self,
        id: &str,
        user_id: &str,
        csrf: &str,
    ) -> Result<ChallengeRecord, StoreError> {
        let now = stamp();
        built(format!(
            "INSERT INTO sign_in_challenges ({CHALLENGE_COLUMNS}) VALUES ($1, $2, $3, $4)"
        ))
        .bind(id)
        .bind(user_id)
        .bind(csrf)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(ChallengeRecord {
            id: id.to_string(),
            user_id: user_id.to_string(),
            csrf: csrf.to_string(),
            created_at: now,
        })
    }

    /// A pending sign-in by id (the caller checks its age).
    pub async fn challenge(&self, id: &str) -> Result<Option<ChallengeRecord>, StoreError> {
        Ok(built(format!(
            "SELECT {CHALLENGE_COLUMNS} FROM sign_in_challenges WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.reader())
        .await?)
    }

    /// Ends a pending sign-in (code accepted, locked out, or expired);
    /// idempotent. Returns whether it existed, so that of two concurrent
    /// completions only one goes on.
    pub async fn end_challenge(&self, id: &str) -> Result<bool, StoreError> {
        Ok(sql("DELETE FROM sign_in_challenges WHERE id = $1")
            .bind(id)
            .execute(self.writer())
            .await?
            == 1)
    }

    /// Deletes pending sign-ins created before `before`. Returns how many.
    pub async fn purge_challenges(&self, before: OffsetDateTime) -> Result<u64, StoreError> {
        Ok(sql("DELETE FROM sign_in_challenges WHERE created_at < $1")
            .bind(micros(before))
            .execute(self.writer())
            .await?)
    }
}
