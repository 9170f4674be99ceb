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
