//! Accounts and access: agencies, users with roles, and API keys.
//!
//! The store keeps what it is given: a key's secret never reaches it, only
//! a keyed hash (`HMAC-SHA256(pepper, secret)`, hex) that the HTTP layer
//! computes with a pepper kept outside the database. Checking a presented
//! key (constant-time comparison, expiry, revocation) is the caller's job;
//! the store only finds the key, its user and the user's agency by key id.
//!
//! The roles themselves, and what each may do, are in `rules.rs`.

use time::OffsetDateTime;

use crate::db::{built, sql};
use crate::rules::Role;
use crate::{Store, StoreError};

/// An agency of the node (border police, customs, intelligence service…).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Agency {
    /// Short stable id, e.g. `dz-dgsn`.
    pub id: String,
    pub name: String,
    pub created_at: OffsetDateTime,
}

/// A user of one agency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub agency_id: String,
    pub name: String,
    /// Sorted, without duplicates; never empty.
    pub roles: Vec<Role>,
    /// A deactivated user's keys stop working at once.
    pub active: bool,
    pub created_at: OffsetDateTime,
}

impl User {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// An API key as stored (without any secret).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiKeyRecord {
    /// The public part of the token (`tsq_<id>_<secret>`).
    pub id: String,
    pub user_id: String,
    /// HMAC-SHA256 of the secret with the node's pepper, lower-case hex.
    pub hash: String,
    pub label: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

impl ApiKeyRecord {
    /// Usable at `now`: not revoked and not expired.
    pub fn usable_at(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

fn valid_id(field: &str, id: &str) -> Result<(), StoreError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::invalid(
            field,
            format!("{id:?} must be 1 to 64 ASCII letters, digits, '-', '_' or '.'"),
        ))
    }
}

fn roles_text(roles: &[Role]) -> Result<String, StoreError> {
    if roles.is_empty() {
        return Err(StoreError::invalid(
            "roles",
            "a user needs at least one role",
        ));
    }
    let mut r = roles.to_vec();
    r.sort();
    r.dedup();
    Ok(r.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(","))
}

fn parse_roles(user: &str, text: &str) -> Result<Vec<Role>, StoreError> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse().map_err(|_| StoreError::Corrupt {
                table: "users",
                key: user.to_string(),
                reason: format!("unknown role {s:?}"),
            })
        })
        .collect()
}

fn stamp() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}

const USER_COLUMNS: &str = "id, agency_id, name, roles, active, created_at";
const KEY_COLUMNS: &str = "id, user_id, hash, label, created_at, expires_at, revoked_at";

/// A `users` row; its roles are stored as their names, comma-separated.
#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    agency_id: String,
    name: String,
    roles: String,
    active: bool,
    created_at: OffsetDateTime,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<User, StoreError> {
        Ok(User {
            roles: parse_roles(&r.id, &r.roles)?,
            id: r.id,
            agency_id: r.agency_id,
            name: r.name,
            active: r.active,
            created_at: r.created_at,
        })
    }
}

impl Store {
    /// Creates an agency. [`StoreError::Conflict`] when the id exists.
    pub async fn create_agency(&self, id: &str, name: &str) -> Result<Agency, StoreError> {
        valid_id("agency.id", id)?;
        if name.trim().is_empty() {
            return Err(StoreError::invalid("agency.name", "must not be empty"));
        }
        let agency = Agency {
            id: id.to_string(),
            name: name.trim().to_string(),
            created_at: stamp(),
        };
        sql("INSERT INTO agencies (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(&agency.id)
            .bind(&agency.name)
            .bind(agency.created_at)
            .execute(self.writer())
            .await
            .map_err(|e| conflict_named(e, format!("agency {id:?} exists")))?;
        Ok(agency)
    }

    /// One agency by id.
    pub async fn agency(&self, id: &str) -> Result<Option<Agency>, StoreError> {
        Ok(
            sql("SELECT id, name, created_at FROM agencies WHERE id = $1")
                .bind(id)
                .fetch_optional(self.reader())
                .await?,
        )
    }

    /// Every agency, by id.
    pub async fn agencies(&self) -> Result<Vec<Agency>, StoreError> {
        Ok(sql("SELECT id, name, created_at FROM agencies ORDER BY id")
            .fetch_all(self.reader())
            .await?)
    }

    /// Creates a user of an existing agency.
    pub async fn create_user(
        &self,
        id: &str,
        agency_id: &str,
        name: &str,
        roles: &[Role],
    ) -> Result<User, StoreError> {
        valid_id("user.id", id)?;
        if name.trim().is_empty() {
            return Err(StoreError::invalid("user.name", "must not be empty"));
        }
        let roles_text = roles_text(roles)?;
        if self.agency(agency_id).await?.is_none() {
            return Err(StoreError::invalid(
                "user.agency",
                format!("no agency {agency_id:?}"),
            ));
        }
        let user = User {
            id: id.to_string(),
            agency_id: agency_id.to_string(),
            name: name.trim().to_string(),
            roles: parse_roles(id, &roles_text)?,
            active: true,
            created_at: stamp(),
        };
        sql(
            "INSERT INTO users (id, agency_id, name, roles, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&user.id)
        .bind(&user.agency_id)
        .bind(&user.name)
        .bind(&roles_text)
        .bind(true)
        .bind(user.created_at)
        .execute(self.writer())
        .await
        .map_err(|e| conflict_named(e, format!("user {id:?} exists")))?;
        Ok(user)
    }

    /// One user by id.
    pub async fn user(&self, id: &str) -> Result<Option<User>, StoreError> {
        let row: Option<UserRow> = built(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.map(User::try_from).transpose()
    }

    /// Every user (of one agency when given), by id.
    pub async fn users(&self, agency_id: Option<&str>) -> Result<Vec<User>, StoreError> {
        let rows: Vec<UserRow> = match agency_id {
            Some(a) => {
                built(format!(
                    "SELECT {USER_COLUMNS} FROM users WHERE agency_id = $1 ORDER BY id"
                ))
                .bind(a)
                .fetch_all(self.reader())
                .await?
            }
            None => {
                built(format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"))
                    .fetch_all(self.reader())
                    .await?
            }
        };
        rows.into_iter().map(User::try_from).collect()
    }

    /// Activates or deactivates a user (a deactivated user's keys stop
    /// working). [`StoreError::NotFound`] when the user does not exist.
    pub async fn set_user_active(&self, id: &str, active: bool) -> Result<User, StoreError> {
        let n = sql("UPDATE users SET active = $1 WHERE id = $2")
            .bind(active)
            .bind(id)
            .execute(self.writer())
            .await?;
        if n == 0 {
            return Err(StoreError::not_found(format!("user {id:?}")));
        }
        self.user(id)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("user {id:?}")))
    }

    /// Records a new API key for an existing user. `hash` is the keyed
    /// hash of the secret (never the secret).
    pub async fn insert_api_key(
        &self,
        id: &str,
        user_id: &str,
        hash: &str,
        label: &str,
        expires_at: OffsetDateTime,
    ) -> Result<ApiKeyRecord, StoreError> {
        valid_id("key.id", id)?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::invalid(
                "key.hash",
                "must be 64 hex digits (HMAC-SHA256)",
            ));
        }
        if self.user(user_id).await?.is_none() {
            return Err(StoreError::not_found(format!("user {user_id:?}")));
        }
        let key = ApiKeyRecord {
            id: id.to_string(),
            user_id: user_id.to_string(),
            hash: hash.to_ascii_lowercase(),
            label: label.trim().to_string(),
            created_at: stamp(),
            expires_at,
            revoked_at: None,
        };
        built(format!(
            "INSERT INTO api_keys ({KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, NULL)"
        ))
        .bind(&key.id)
        .bind(&key.user_id)
        .bind(&key.hash)
        .bind(&key.label)
        .bind(key.created_at)
        .bind(key.expires_at)
        .execute(self.writer())
        .await
        .map_err(|e| conflict_named(e, format!("key {id:?} exists")))?;
        Ok(key)
    }

    /// A key with its user, by key id: what authentication needs in one
    /// read.
    pub async fn api_key(&self, id: &str) -> Result<Option<(ApiKeyRecord, User)>, StoreError> {
        let key: Option<ApiKeyRecord> =
            built(format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE id = $1"))
                .bind(id)
                .fetch_optional(self.reader())
                .await?;
        let Some(key) = key else {
            return Ok(None);
        };
        let user = self
            .user(&key.user_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt {
                table: "api_keys",
                key: id.to_string(),
                reason: format!("user {:?} is missing", key.user_id),
            })?;
        Ok(Some((key, user)))
    }

    /// Every key (of one user when given), newest first.
    pub async fn api_keys(&self, user_id: Option<&str>) -> Result<Vec<ApiKeyRecord>, StoreError> {
        Ok(match user_id {
            Some(u) => built(format!(
                "SELECT {KEY_COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY created_at DESC, id"
            ))
            .bind(u)
            .fetch_all(self.reader())
            .await?,
            None => {
                built(format!(
                    "SELECT {KEY_COLUMNS} FROM api_keys ORDER BY created_at DESC, id"
                ))
                .fetch_all(self.reader())
                .await?
            }
        })
    }

    /// Revokes a key at once (idempotent: a revoked key keeps its first
    /// revocation time). [`StoreError::NotFound`] when unknown.
    pub async fn revoke_api_key(&self, id: &str) -> Result<ApiKeyRecord, StoreError> {
        let now = stamp();
        sql("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(self.writer())
            .await?;
        match self.api_key(id).await? {
            Some((key, _)) => Ok(key),
            None => Err(StoreError::not_found(format!("key {id:?}"))),
        }
    }
}

/// A uniqueness violation becomes a conflict that says what exists.
fn conflict_named(e: sqlx::Error, what: String) -> StoreError {
    match StoreError::from(e) {
        StoreError::Conflict(_) => StoreError::Conflict(what),
        other => other,
    }
}
