//! Accounts and access: agencies, users with roles, and API keys.
//!
//! The store keeps what it is given: a key's secret never reaches it, only
//! a keyed hash (`HMAC-SHA256(pepper, secret)`, hex) that the HTTP layer
//! computes with a pepper kept outside the database. Checking a presented
//! key (constant-time comparison, expiry, revocation) is the caller's job;
//! the store only finds the key, its user and the user's agency by key id.
//!
//! The SQL is written once for both backends (the [`on_backend!`] macro
//! expands it for each connection type).

use std::fmt;
use std::str::FromStr;

use sqlx::Row;
use time::OffsetDateTime;

use crate::{Store, StoreError};

/// What a user may do. A user holds one or more roles.
///
/// Administration is split in two: an agency's [`Role::Admin`] manages the
/// users and keys of its own agency only; the few [`Role::NodeAdmin`]s
/// manage the node (agencies, partners, list sources) and the
/// administrative accounts of every agency. Auditing likewise: an agency's
/// [`Role::Auditor`] reads its own agency's audit events; the node-wide
/// view is the separate [`Role::NodeAuditor`]. Which route needs which
/// role is decided in the server's `auth.rs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Screens travellers (primary line).
    Officer,
    /// Reviews possible matches, searches entries.
    Analyst,
    /// Manages the agency's own national entries.
    ContactPoint,
    /// Agency administrator: the users and keys of its own agency.
    Admin,
    /// Reads its own agency's audit events.
    Auditor,
    /// Node administrator: agencies, partners, list sources, node settings
    /// and the administrative accounts (admins, node auditors) of every
    /// agency. Never the working accounts of another agency.
    NodeAdmin,
    /// Reads every agency's audit events; other agencies' traveller data
    /// and hidden entry ids stay redacted unless `[audit]
    /// node_auditor_payloads = "full"`.
    NodeAuditor,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Officer,
        Role::Analyst,
        Role::ContactPoint,
        Role::Admin,
        Role::Auditor,
        Role::NodeAdmin,
        Role::NodeAuditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Analyst => "analyst",
            Role::ContactPoint => "contact-point",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
            Role::NodeAdmin => "node-admin",
            Role::NodeAuditor => "node-auditor",
        }
    }

    /// Roles that reach beyond one agency: only a node administrator
    /// grants them.
    pub fn is_node_wide(self) -> bool {
        matches!(self, Role::NodeAdmin | Role::NodeAuditor)
    }

    /// Roles of administrative accounts (no access to traveller data or
    /// entries): what a node administrator may manage in any agency.
    pub fn is_administrative(self) -> bool {
        matches!(self, Role::Admin | Role::NodeAdmin | Role::NodeAuditor)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Role, StoreError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                StoreError::invalid(
                    "role",
                    format!("unknown role {s:?} (expected one of {})", names.join(", ")),
                )
            })
    }
}

/// An agency of the node (border police, customs, intelligence service…).
#[derive(Clone, Debug, PartialEq, Eq)]
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
#[derive(Clone, Debug, PartialEq, Eq)]
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

/// Expands `$body` once per backend with `$pool` bound to its reader or
/// writer pool (the SQL is the same; the connection types differ).
macro_rules! on_backend {
    ($store:expr, $kind:ident, $pool:ident => $body:expr) => {
        match $store {
            Store::Sqlite(s) => {
                let $pool = s.$kind();
                $body
            }
            Store::Postgres(s) => {
                let $pool = s.$kind();
                $body
            }
        }
    };
}

const USER_COLUMNS: &str = "id, agency_id, name, roles, active, created_at";
const KEY_COLUMNS: &str = "id, user_id, hash, label, created_at, expires_at, revoked_at";

macro_rules! user_from_row {
    ($row:expr) => {{
        let row = $row;
        let id: String = row.try_get("id")?;
        let roles: String = row.try_get("roles")?;
        User {
            roles: parse_roles(&id, &roles)?,
            agency_id: row.try_get("agency_id")?,
            name: row.try_get("name")?,
            active: row.try_get("active")?,
            created_at: row.try_get("created_at")?,
            id,
        }
    }};
}

macro_rules! key_from_row {
    ($row:expr) => {{
        let row = $row;
        ApiKeyRecord {
            id: row.try_get("id")?,
            user_id: row.try_get("user_id")?,
            hash: row.try_get("hash")?,
            label: row.try_get("label")?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
            revoked_at: row.try_get("revoked_at")?,
        }
    }};
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
        on_backend!(self, writer, pool => {
            sqlx::query("INSERT INTO agencies (id, name, created_at) VALUES ($1, $2, $3)")
                .bind(&agency.id)
                .bind(&agency.name)
                .bind(agency.created_at)
                .execute(pool)
                .await
                .map_err(|e| conflict_named(e, format!("agency {id:?} exists")))?;
        });
        Ok(agency)
    }

    /// One agency by id.
    pub async fn agency(&self, id: &str) -> Result<Option<Agency>, StoreError> {
        on_backend!(self, reader, pool => {
            let row = sqlx::query("SELECT id, name, created_at FROM agencies WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?;
            Ok(match row {
                Some(row) => Some(Agency {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    created_at: row.try_get("created_at")?,
                }),
                None => None,
            })
        })
    }

    /// Every agency, by id.
    pub async fn agencies(&self) -> Result<Vec<Agency>, StoreError> {
        on_backend!(self, reader, pool => {
            let rows = sqlx::query("SELECT id, name, created_at FROM agencies ORDER BY id")
                .fetch_all(pool)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                out.push(Agency {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    created_at: row.try_get("created_at")?,
                });
            }
            Ok(out)
        })
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
        on_backend!(self, writer, pool => {
            sqlx::query(
                "INSERT INTO users (id, agency_id, name, roles, active, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&user.id)
            .bind(&user.agency_id)
            .bind(&user.name)
            .bind(&roles_text)
            .bind(true)
            .bind(user.created_at)
            .execute(pool)
            .await
            .map_err(|e| conflict_named(e, format!("user {id:?} exists")))?;
        });
        Ok(user)
    }

    /// One user by id.
    pub async fn user(&self, id: &str) -> Result<Option<User>, StoreError> {
        on_backend!(self, reader, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?;
            Ok(match row {
                Some(row) => Some(user_from_row!(row)),
                None => None,
            })
        })
    }

    /// Every user (of one agency when given), by id.
    pub async fn users(&self, agency_id: Option<&str>) -> Result<Vec<User>, StoreError> {
        on_backend!(self, reader, pool => {
            let rows = match agency_id {
                Some(a) => {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {USER_COLUMNS} FROM users WHERE agency_id = $1 ORDER BY id"
                    )))
                    .bind(a)
                    .fetch_all(pool)
                    .await?
                }
                None => {
                    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users ORDER BY id")))
                        .fetch_all(pool)
                        .await?
                }
            };
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                out.push(user_from_row!(row));
            }
            Ok(out)
        })
    }

    /// Activates or deactivates a user (a deactivated user's keys stop
    /// working). [`StoreError::NotFound`] when the user does not exist.
    pub async fn set_user_active(&self, id: &str, active: bool) -> Result<User, StoreError> {
        let n = on_backend!(self, writer, pool => {
            sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
                .bind(active)
                .bind(id)
                .execute(pool)
                .await?
                .rows_affected()
        });
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
        on_backend!(self, writer, pool => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO api_keys ({KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, NULL)"
            )))
            .bind(&key.id)
            .bind(&key.user_id)
            .bind(&key.hash)
            .bind(&key.label)
            .bind(key.created_at)
            .bind(key.expires_at)
            .execute(pool)
            .await
            .map_err(|e| conflict_named(e, format!("key {id:?} exists")))?;
        });
        Ok(key)
    }

    /// A key with its user, by key id: what authentication needs in one
    /// read.
    pub async fn api_key(&self, id: &str) -> Result<Option<(ApiKeyRecord, User)>, StoreError> {
        let key = on_backend!(self, reader, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?;
            match row {
                Some(row) => key_from_row!(row),
                None => return Ok(None),
            }
        });
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
        on_backend!(self, reader, pool => {
            let rows = match user_id {
                Some(u) => {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {KEY_COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY created_at DESC, id"
                    )))
                    .bind(u)
                    .fetch_all(pool)
                    .await?
                }
                None => {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {KEY_COLUMNS} FROM api_keys ORDER BY created_at DESC, id"
                    )))
                    .fetch_all(pool)
                    .await?
                }
            };
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                out.push(key_from_row!(row));
            }
            Ok(out)
        })
    }

    /// Revokes a key at once (idempotent: a revoked key keeps its first
    /// revocation time). [`StoreError::NotFound`] when unknown.
    pub async fn revoke_api_key(&self, id: &str) -> Result<ApiKeyRecord, StoreError> {
        let now = stamp();
        on_backend!(self, writer, pool => {
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(pool)
                .await?;
        });
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
