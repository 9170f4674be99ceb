//! People signing in: passwords (argon2id), console sessions in the store,
//! the session cookie, the CSRF synchronizer token, lock-out.
//!
//! A session resolves to exactly the [`Principal`] an API key of the same
//! user would: the same `User` record (roles, agency, active flag) read
//! from the store on every request, so a role change or a deactivation
//! takes effect at the next click. The console then calls the API's own
//! handlers with that principal: it is a client of the same
//! authorisation, never a bypass. The principal's `key_id` is
//! `session:<first 16 hex of the session id>`, so the audit log tells
//! console actions from API calls.
//!
//! The cookie holds a 256-bit random token; the store keeps only its
//! SHA-256 (a stolen database holds no usable session). Every form carries
//! the session's CSRF token (random, stored with the session) and every
//! POST is refused unless it matches, compared in constant time; the
//! cookie is also `SameSite=Strict` and `HttpOnly`, and `Secure` when the
//! node serves TLS.
//!
//! A person with a confirmed second factor (`totp.rs`) signs in in two
//! steps: the right password opens a *challenge* (a random token in a
//! short-lived cookie scoped to the sign-in pages, its hash in the store,
//! with its own form token), and only a valid, not yet used code turns it
//! into a session. A wrong code counts as a failed sign-in: the same
//! counter and lock-out as passwords.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tansiq_store::{SessionRecord, User};
use time::{Duration, OffsetDateTime};

use super::i18n::Lang;
use crate::auth::{Principal, hex};
use crate::{AppState, AuditEvent, ServerError};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "tansiq_session";
/// A session unused for this long ends (the officer left the desk).
pub const IDLE_EXPIRY: Duration = Duration::minutes(30);
/// A session ends this long after sign-in, however busy (one shift).
pub const ABSOLUTE_EXPIRY: Duration = Duration::hours(12);
/// Consecutive failed sign-ins that lock an account…
pub const LOCK_AFTER_FAILURES: i64 = 5;
/// …for this long (an administrator's new password lifts it earlier).
pub const LOCK_DURATION: Duration = Duration::minutes(15);
/// `last_seen` is written at most this often per session, so a page view
/// costs no database write in the common case; idle expiry is therefore
/// exact to within this step.
const TOUCH_EVERY: Duration = Duration::seconds(60);
/// A sign-in whose password was right waits this long for its code.
pub const CHALLENGE_EXPIRY: Duration = Duration::minutes(5);
/// The cookie of a sign-in awaiting its code (path: the sign-in pages).
pub const CHALLENGE_COOKIE: &str = "tansiq_challenge";
/// Shortest password an administrator may set.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted (argon2 takes any length; this bounds work).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// The argon2id PHC string of a password (random salt, the crate's
/// default parameters: m = 19 MiB, t = 2, p = 1, OWASP's minimum).
pub fn hash_password(password: &str) -> Result<String, ServerError> {
    use argon2::password_hash::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ServerError::Account(format!("hashing the password: {e}")))
}

/// Whether `password` is the one `phc` was made from.
pub fn verify_password(password: &str, phc: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    use argon2::password_hash::phc::PasswordHash;
    match PasswordHash::new(phc) {
        Ok(parsed) => argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the user does not exist or has no
/// password, so that the answer takes the same time either way.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password, never valid").unwrap_or_default())
}

/// Checks a password's length and sets it for `user_id`; ends the user's
/// open sessions. The CLI's `tansiq admin set-password` and the console's
/// user page both come here.
pub async fn set_password(
    store: &tansiq_store::Store,
    user_id: &str,
    password: &str,
) -> Result<(), ServerError> {
    let n = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&n) {
        return Err(ServerError::Account(format!(
            "a password needs {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"
        )));
    }
    let phc = hash_password(password)?;
    store.set_password_hash(user_id, &phc).await?;
    store.end_sessions_of(user_id).await?;
    Ok(())
}

/// A random password for generated accounts (the demo's): 20 characters
/// from an alphabet without look-alikes (about 115 bits).
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut b = [0u8; 20];
    rand::fill(&mut b[..]);
    b.iter()
        .map(|x| char::from(ALPHABET[usize::from(*x) % ALPHABET.len()]))
        .collect()
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn random_hex() -> String {
    let mut b = [0u8; 32];
    rand::fill(&mut b[..]);
    hex(&b)
}

fn session_id(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The `Set-Cookie` value of a session token (or of its removal).
pub fn session_cookie(state: &AppState, token: Option<&str>) -> HeaderValue {
    let secure = if state.config.tls.cert.is_some() {
        "; Secure"
    } else {
        ""
    };
    let value = match token {
        Some(t) => format!(
            "{SESSION_COOKIE}={t}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
            ABSOLUTE_EXPIRY.whole_seconds()
        ),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static(""))
}

/// The `Set-Cookie` value of a challenge token (or of its removal).
pub fn challenge_cookie(state: &AppState, token: Option<&str>) -> HeaderValue {
    let secure = if state.config.tls.cert.is_some() {
        "; Secure"
    } else {
        ""
    };
    let (value, age) = match token {
        Some(t) => (t, CHALLENGE_EXPIRY.whole_seconds()),
        None => ("", 0),
    };
    HeaderValue::from_str(&format!(
        "{CHALLENGE_COOKIE}={value}; Path=/console/sign-in; HttpOnly; SameSite=Strict; Max-Age={age}{secure}"
    ))
    .unwrap_or(HeaderValue::from_static(""))
}

/// Why a sign-in failed (the person is told only "wrong user name or
/// password", "wrong code" or "locked"; the audit log gets the reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInError {
    Wrong,
    Locked,
}

/// What a right password opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedIn {
    /// A session: the cookie's token.
    Session(String),
    /// The second factor is asked: the challenge cookie's token and the
    /// code form's CSRF token.
    CodeNeeded { token: String, csrf: String },
}

/// Why a code was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeError {
    /// No such challenge, or it expired, or the factor was reset meanwhile:
    /// start again with the password.
    Expired,
    /// The code form's token is not the challenge's.
    Csrf,
    /// Wrong or already used code.
    Wrong,
    /// Too many failures: the account is locked.
    Locked,
}

fn auth_event(user: &str, agency: &str, outcome: &'static str, reason: &str) -> AuditEvent {
    AuditEvent {
        at: OffsetDateTime::now_utc(),
        actor: user.to_string(),
        agency: agency.to_string(),
        key_id: "-".into(),
        action: "console.sign-in",
        target: None,
        outcome,
        detail: serde_json::json!({ "reason": reason }),
    }
}

/// Checks a user name and password, counts failures, locks, audits.
/// Returns the new session's cookie token, or the challenge of the second
/// factor when the user has a confirmed one.
pub async fn sign_in(
    state: &AppState,
    user_id: &str,
    password: &str,
) -> Result<SignedIn, SignInError> {
    let now = OffsetDateTime::now_utc();
    let user = state.store.user(user_id).await.ok().flatten();
    let record = match &user {
        Some(_) => state.store.password(user_id).await.ok().flatten(),
        None => None,
    };
    let actor = if user.is_some() { user_id } else { "-" };
    let agency = user.as_ref().map(|u| u.agency_id.as_str()).unwrap_or("-");
    let deny = |outcome, reason: &str| {
        state
            .audit
            .record(auth_event(actor, agency, outcome, reason));
    };
    if record.as_ref().is_some_and(|r| r.locked_at(now)) {
        deny("denied", "locked");
        return Err(SignInError::Locked);
    }
    let phc = record
        .as_ref()
        .map(|r| r.hash.clone())
        .unwrap_or_else(|| decoy_hash().to_string());
    let pw = password.to_string();
    // argon2 is deliberately slow (tens of ms): keep it off async workers.
    let good = tokio::task::spawn_blocking(move || verify_password(&pw, &phc))
        .await
        .unwrap_or(false);
    let (Some(user), Some(_)) = (user.as_ref(), record.as_ref()) else {
        deny("denied", "unknown user or no password");
        return Err(SignInError::Wrong);
    };
    if !good {
        let after = state
            .store
            .note_failed_sign_in(user_id, LOCK_AFTER_FAILURES, now + LOCK_DURATION)
            .await
            .ok()
            .flatten();
        let locked = after.as_ref().is_some_and(|r| r.locked_at(now));
        deny(
            "denied",
            if locked {
                "wrong password; locked"
            } else {
                "wrong password"
            },
        );
        return Err(if locked {
            SignInError::Locked
        } else {
            SignInError::Wrong
        });
    }
    if !user.active {
        deny("denied", "user deactivated");
        return Err(SignInError::Wrong);
    }
    let second = state.store.totp(user_id).await;
    match second {
        Ok(Some(t)) if t.confirmed() => {
            let (token, csrf) = (random_hex(), random_hex());
            if state
                .store
                .create_challenge(&session_id(&token), user_id, &csrf)
                .await
                .is_err()
            {
                deny("failed", "challenge not stored");
                return Err(SignInError::Wrong);
            }
            let _ = state.store.purge_challenges(now - CHALLENGE_EXPIRY).await;
            state.audit.record(auth_event(
                user_id,
                agency,
                "ok",
                "password; second factor asked",
            ));
            return Ok(SignedIn::CodeNeeded { token, csrf });
        }
        Ok(_) => {}
        Err(_) => {
            // Not knowing whether a second factor is due, refuse.
            deny("failed", "second factor not readable");
            return Err(SignInError::Wrong);
        }
    }
    open_session(state, user_id, agency, "password")
        .await
        .map(SignedIn::Session)
}

/// Opens a session for a user whose factors were all checked.
async fn open_session(
    state: &AppState,
    user_id: &str,
    agency: &str,
    how: &str,
) -> Result<String, SignInError> {
    let now = OffsetDateTime::now_utc();
    let token = random_hex();
    let made = state
        .store
        .create_session(&session_id(&token), user_id, &random_hex())
        .await;
    if made.is_err() {
        state
            .audit
            .record(auth_event(user_id, agency, "failed", "session not stored"));
        return Err(SignInError::Wrong);
    }
    let _ = state.store.clear_failed_sign_ins(user_id).await;
    let _ = state.store.purge_sessions(now - ABSOLUTE_EXPIRY * 2).await;
    state.audit.record(auth_event(user_id, agency, "ok", how));
    Ok(token)
}

/// The challenge a cookie token stands for, while it is young enough.
pub async fn challenge(state: &AppState, token: &str) -> Option<tansiq_store::ChallengeRecord> {
    let c = state.store.challenge(&session_id(token)).await.ok()??;
    (OffsetDateTime::now_utc() < c.created_at + CHALLENGE_EXPIRY).then_some(c)
}

fn code_event(user: &str, agency: &str, outcome: &'static str, reason: &str) -> AuditEvent {
    AuditEvent {
        action: "console.totp.verify",
        ..auth_event(user, agency, outcome, reason)
    }
}

/// The second step of a sign-in: checks the code of the challenge
/// `token` (form token `csrf`), counts a failure like a wrong password,
/// takes the code's time step so it is not accepted again, audits.
/// Returns the new session's cookie token.
pub async fn sign_in_code(
    state: &AppState,
    token: &str,
    csrf: &str,
    code: &str,
) -> Result<String, CodeError> {
    let now = OffsetDateTime::now_utc();
    let Some(c) = challenge(state, token).await else {
        return Err(CodeError::Expired);
    };
    if !bool::from(csrf.as_bytes().ct_eq(c.csrf.as_bytes())) {
        return Err(CodeError::Csrf);
    }
    let user_id = c.user_id.as_str();
    let user = match state.store.user(user_id).await {
        Ok(Some(u)) if u.active => u,
        _ => {
            let _ = state.store.end_challenge(&c.id).await;
            state.audit.record(code_event(
                user_id,
                "-",
                "denied",
                "user gone or deactivated",
            ));
            return Err(CodeError::Expired);
        }
    };
    let agency = user.agency_id.as_str();
    let deny = |reason: &str| {
        state
            .audit
            .record(code_event(user_id, agency, "denied", reason));
    };
    let record = state.store.password(user_id).await.ok().flatten();
    if record.as_ref().is_none_or(|r| r.locked_at(now)) {
        let _ = state.store.end_challenge(&c.id).await;
        deny("locked");
        return Err(CodeError::Locked);
    }
    let second = match state.store.totp(user_id).await {
        Ok(Some(t)) if t.confirmed() => t,
        _ => {
            let _ = state.store.end_challenge(&c.id).await;
            deny("second factor reset meanwhile");
            return Err(CodeError::Expired);
        }
    };
    let unix = u64::try_from(now.unix_timestamp()).unwrap_or(0);
    let step = super::totp::generator(&second.secret, state.identity.node(), user_id)
        .and_then(|t| super::totp::step_of(&t, code, unix));
    let failure = match step {
        None => Some("wrong code"),
        Some(step) => match state.store.take_totp_step(user_id, step).await {
            Ok(true) => None,
            Ok(false) => Some("code already used"),
            Err(_) => Some("code step not stored"),
        },
    };
    if let Some(reason) = failure {
        let after = state
            .store
            .note_failed_sign_in(user_id, LOCK_AFTER_FAILURES, now + LOCK_DURATION)
            .await
            .ok()
            .flatten();
        if after.as_ref().is_some_and(|r| r.locked_at(now)) {
            let _ = state.store.end_challenge(&c.id).await;
            deny(&format!("{reason}; locked"));
            return Err(CodeError::Locked);
        }
        deny(reason);
        return Err(CodeError::Wrong);
    }
    // Of two completions of one challenge, one goes on.
    if !state.store.end_challenge(&c.id).await.unwrap_or(false) {
        return Err(CodeError::Expired);
    }
    state
        .audit
        .record(code_event(user_id, agency, "ok", "code accepted"));
    open_session(state, user_id, agency, "password and second factor")
        .await
        .map_err(|_| CodeError::Expired)
}

/// A signed-in person: the principal the API's handlers take, the form
/// token, the language.
#[derive(Clone, Debug)]
pub struct Session {
    pub principal: Principal,
    pub csrf: String,
    pub lang: Lang,
    id: String,
}

impl Session {
    pub fn user(&self) -> &User {
        &self.principal.user
    }

    /// The session's id (the hash of its cookie token): a key for what
    /// the console keeps for this session only.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The refusal of a form whose token is not this session's (`None`:
    /// the token is right, go on).
    pub fn check_csrf(&self, presented: &str) -> Option<Response> {
        let same = bool::from(presented.as_bytes().ct_eq(self.csrf.as_bytes()));
        (!same).then(|| super::pages::csrf_refused(self.lang))
    }

    /// Ends the session (sign-out) and audits it.
    pub async fn end(&self, state: &AppState) {
        let _ = state.store.end_session(&self.id).await;
        state.audit.record(self.principal.event(
            "console.sign-out",
            None,
            "ok",
            serde_json::json!({}),
        ));
    }
}

/// Whether a stored session is still usable at `now`.
pub fn session_live(s: &SessionRecord, now: OffsetDateTime) -> bool {
    s.ended_at.is_none() && now < s.created_at + ABSOLUTE_EXPIRY && now < s.last_seen + IDLE_EXPIRY
}

/// What a request without a usable session gets: the sign-in page.
#[derive(Debug)]
pub struct SignInFirst;

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        Redirect::to("/console/sign-in").into_response()
    }
}

impl FromRequestParts<AppState> for Session {
    type Rejection = SignInFirst;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Session, SignInFirst> {
        let lang = super::i18n::negotiate(
            super::pages::lang_query(parts.uri.query()).as_deref(),
            &parts.headers,
        );
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or(SignInFirst)?;
        let id = session_id(&token);
        let now = OffsetDateTime::now_utc();
        let record = match state.store.session(&id).await {
            Ok(Some(r)) => r,
            _ => return Err(SignInFirst),
        };
        if !session_live(&record, now) {
            if record.ended_at.is_none() {
                let _ = state.store.end_session(&id).await;
            }
            return Err(SignInFirst);
        }
        // The user is read again on every request: roles, agency and the
        // active flag are those an API key of this user would carry now.
        let user = match state.store.user(&record.user_id).await {
            Ok(Some(u)) if u.active => u,
            _ => {
                let _ = state.store.end_session(&id).await;
                return Err(SignInFirst);
            }
        };
        if now - record.last_seen > TOUCH_EVERY {
            let _ = state.store.touch_session(&id, now).await;
        }
        Ok(Session {
            principal: Principal {
                user,
                key_id: format!("session:{}", &id[..16]),
            },
            csrf: record.csrf,
            lang,
            id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterx", &h));
        assert!(!verify_password("x", "not a phc string"));
        assert_ne!(h, hash_password("correct horse battery").unwrap(), "salted");
    }

    #[test]
    fn sessions_expire_when_idle_or_old() {
        let t0 = OffsetDateTime::now_utc();
        let mut s = SessionRecord {
            id: "h".into(),
            user_id: "u".into(),
            csrf: "c".into(),
            created_at: t0,
            last_seen: t0,
            ended_at: None,
        };
        assert!(session_live(&s, t0 + Duration::minutes(29)));
        assert!(!session_live(&s, t0 + IDLE_EXPIRY));
        s.last_seen = t0 + Duration::hours(11) + Duration::minutes(50);
        assert!(session_live(
            &s,
            t0 + Duration::hours(11) + Duration::minutes(55)
        ));
        assert!(!session_live(&s, t0 + ABSOLUTE_EXPIRY));
        s.ended_at = Some(t0);
        assert!(!session_live(
            &s,
            t0 + Duration::hours(11) + Duration::minutes(55)
        ));
    }

    #[test]
    fn cookies_are_read_by_name() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, "a=1; tansiq_session=abc".parse().unwrap());
        h.append(header::COOKIE, "b=2".parse().unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "b").as_deref(), Some("2"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
