//! Console sign-in: password hashes, failure counting and lock-out,
//! sessions (fictitious users).

use tansiq_store::{Role, Store, StoreError};
use time::{Duration, OffsetDateTime};

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";

pub async fn console_passwords_and_sessions(location: &str) {
    let store = Store::open(location).await.unwrap();
    store.create_agency("dz-a", "Agency A").await.unwrap();
    store
        .create_user("amel", "dz-a", "Amel Fictive", &[Role::Officer])
        .await
        .unwrap();

    // Passwords: only for existing users, only argon2id strings.
    assert!(matches!(
        store.set_password_hash("nobody", HASH).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(store.set_password_hash("amel", "plain").await.is_err());
    assert_eq!(store.password("amel").await.unwrap(), None);
    store.set_password_hash("amel", HASH).await.unwrap();
    let p = store.password("amel").await.unwrap().unwrap();
    assert_eq!((p.hash.as_str(), p.failed_count), (HASH, 0));

    // Failures count up, lock at the threshold and start again.
    let until = OffsetDateTime::now_utc() + Duration::minutes(15);
    let p = store
        .note_failed_sign_in("amel", 3, until)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((p.failed_count, p.locked_until), (1, None));
    store.note_failed_sign_in("amel", 3, until).await.unwrap();
    let p = store
        .note_failed_sign_in("amel", 3, until)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.failed_count, 0);
    assert!(p.locked_at(OffsetDateTime::now_utc()));
    assert!(!p.locked_at(until + Duration::seconds(1)));
    assert_eq!(
        store.note_failed_sign_in("nobody", 3, until).await.unwrap(),
        None
    );
    // A new password lifts the lock.
    store.set_password_hash("amel", HASH).await.unwrap();
    assert!(
        !store
            .password("amel")
            .await
            .unwrap()
            .unwrap()
            .locked_at(OffsetDateTime::now_utc())
    );
    store.note_failed_sign_in("amel", 3, until).await.unwrap();
    store.clear_failed_sign_ins("amel").await.unwrap();
    assert_eq!(
        store.password("amel").await.unwrap().unwrap().failed_count,
        0
    );

    // Sessions: created, touched, ended; ending all of a user's.
    let s = store.create_session("h1", "amel", "csrf1").await.unwrap();
    assert_eq!(store.session("h1").await.unwrap(), Some(s.clone()));
    let later = s.created_at + Duration::minutes(5);
    store.touch_session("h1", later).await.unwrap();
    assert_eq!(store.session("h1").await.unwrap().unwrap().last_seen, later);
    store.end_session("h1").await.unwrap();
    let ended = store.session("h1").await.unwrap().unwrap();
    assert!(ended.ended_at.is_some());
    store
        .touch_session("h1", later + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(store.session("h1").await.unwrap().unwrap().last_seen, later);
    store.create_session("h2", "amel", "csrf2").await.unwrap();
    store.create_session("h3", "amel", "csrf3").await.unwrap();
    assert_eq!(store.end_sessions_of("amel").await.unwrap(), 2);
    assert_eq!(store.session("missing").await.unwrap(), None);
    let n = store
        .purge_sessions(OffsetDateTime::now_utc() + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(n, 3);
    assert_eq!(store.session("h2").await.unwrap(), None);
    store.close().await;
}

/// The second factor: enrolment pending until confirmed, never replaced
/// once confirmed, each time step taken once, reset; pending sign-ins.
pub async fn console_second_factor(location: &str) {
    const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    const OTHER: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let store = Store::open(location).await.unwrap();
    store.create_agency("dz-a", "Agency A").await.unwrap();
    store
        .create_user("amel", "dz-a", "Amel Fictive", &[Role::Officer])
        .await
        .unwrap();

    assert!(matches!(
        store.begin_totp("nobody", SECRET).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(store.begin_totp("amel", "short").await.is_err());
    assert!(
        store
            .begin_totp("amel", "not base32 at all!!")
            .await
            .is_err()
    );
    assert_eq!(store.totp("amel").await.unwrap(), None);

    // Pending: not taken at sign-in, may be restarted with a new secret.
    store.begin_totp("amel", OTHER).await.unwrap();
    let t = store.begin_totp("amel", SECRET).await.unwrap();
    assert_eq!(store.totp("amel").await.unwrap(), Some(t.clone()));
    assert!(!t.confirmed());
    assert!(!store.take_totp_step("amel", 100).await.unwrap());
    assert!(store.totp_confirmed_users().await.unwrap().is_empty());

    // Confirmed with the step of the code that proved it; once.
    assert!(store.confirm_totp("amel", 100).await.unwrap());
    assert!(!store.confirm_totp("amel", 101).await.unwrap());
    let t = store.totp("amel").await.unwrap().unwrap();
    assert!(t.confirmed());
    assert_eq!((t.secret.as_str(), t.last_step), (SECRET, Some(100)));
    assert_eq!(store.totp_confirmed_users().await.unwrap(), vec!["amel"]);
    // A confirmed authenticator is not replaced by a new enrolment.
    assert!(matches!(
        store.begin_totp("amel", OTHER).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.totp("amel").await.unwrap().unwrap().secret, SECRET);

    // Each step once, and never an older one.
    assert!(!store.take_totp_step("amel", 100).await.unwrap());
    assert!(store.take_totp_step("amel", 101).await.unwrap());
    assert!(!store.take_totp_step("amel", 101).await.unwrap());
    assert!(!store.take_totp_step("amel", 99).await.unwrap());
    // Of concurrent uses of one code, exactly one passes.
    let (a, b) = tokio::join!(
        store.take_totp_step("amel", 105),
        store.take_totp_step("amel", 105)
    );
    assert_eq!(u8::from(a.unwrap()) + u8::from(b.unwrap()), 1);

    // Pending sign-ins.
    let c = store
        .create_challenge("c1", "amel", "csrf-c1")
        .await
        .unwrap();
    assert_eq!(store.challenge("c1").await.unwrap(), Some(c.clone()));
    assert!(store.end_challenge("c1").await.unwrap());
    assert!(!store.end_challenge("c1").await.unwrap());
    assert_eq!(store.challenge("c1").await.unwrap(), None);
    store
        .create_challenge("c2", "amel", "csrf-c2")
        .await
        .unwrap();
    store
        .create_challenge("c3", "amel", "csrf-c3")
        .await
        .unwrap();
    let n = store
        .purge_challenges(c.created_at - Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(n, 0);

    // Reset: the authenticator and the pending sign-ins go; enrol again.
    assert!(store.reset_totp("amel").await.unwrap());
    assert!(!store.reset_totp("amel").await.unwrap());
    assert_eq!(store.totp("amel").await.unwrap(), None);
    assert_eq!(store.challenge("c2").await.unwrap(), None);
    store.begin_totp("amel", OTHER).await.unwrap();
    store
        .create_challenge("c4", "amel", "csrf-c4")
        .await
        .unwrap();
    let n = store
        .purge_challenges(OffsetDateTime::now_utc() + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(n, 1);
    store.close().await;
}
