//! Backend-independent store scenarios. Each takes the location of an
//! empty store (a SQLite path or a PostgreSQL URL) and opens it itself, so
//! a scenario can open several handles on one database. `tests/sqlite.rs`
//! and `tests/postgres.rs` run every scenario listed in [`scenarios!`].
//! All people here are fictitious.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;
use sqlx::Connection;
use tansiq_model::{Entity, EntryStatus, Schema, prop};
use tansiq_store::{AuditEvent, AuditHead, Change, Expect, NATIONAL_SOURCE, Store, StoreError};
use time::OffsetDateTime;

mod federation;
pub use federation::*;
mod sessions;
pub use sessions::*;

/// Calls `$m!(scenario, …)` with every scenario, so both harnesses run the
/// same list.
#[macro_export]
macro_rules! scenarios {
    ($m:ident) => {
        $m!(
            import_counts_and_reads,
            reimport_of_same_content_changes_nothing,
            new_version_records_added_changed_removed,
            failed_import_leaves_store_unchanged,
            entity_history_keeps_every_version,
            national_entries_create_update_withdraw,
            optimistic_concurrency_on_entries,
            concurrent_writers_lose_nothing,
            ids_are_unique_across_sources,
            bulk_entries_are_all_or_nothing,
            audit_chain_is_one_chain_across_writers,
            audit_tampering_is_detected,
            change_feed_follows_every_write_in_order,
            screenings_are_kept_found_and_purged,
            screening_records_hash_alike_when_read_back,
            hits_walk_every_state,
            journal_commits_all_or_nothing,
            fed_replicates_by_agreement,
            fed_inbox_applies_once,
            fed_hit_taken_once,
            fed_rotated_keys_are_announced,
            fed_inbox_digests_purged,
            console_passwords_and_sessions,
            console_second_factor,
            fed_hit_keeps_only_agreed_traveller_fields,
            fed_removed_copies_are_purged,
            fed_receiver_narrowing_purges_copies,
        );
    };
}

fn person(id: &str, name: &str) -> Entity {
    let mut e = Entity::new(id, Schema::Person);
    e.add(prop::NAME, name);
    e
}

fn with(mut e: Entity, property: &str, value: &str) -> Entity {
    e.add(property, value);
    e
}

fn ids(entities: &[Entity]) -> Vec<&str> {
    entities.iter().map(|e| e.id.as_str()).collect()
}

async fn open(location: &str) -> Store {
    Store::open(location)
        .await
        .unwrap_or_else(|e| panic!("open {location}: {e}"))
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

pub async fn import_counts_and_reads(location: &str) {
    let store = open(location).await;
    assert!(store.active_entities().await.unwrap().is_empty());
    let mut company = Entity::new("t-c1", Schema::Company);
    company.add(prop::NAME, "Sahara Fictive Trading");
    company.add(prop::ALIAS, "SFT");
    let mut vessel = Entity::new("t-v1", Schema::Vessel);
    vessel.add(prop::NAME, "MV Imaginary");
    let list = vec![
        with(
            person("t-p2", "Yusuf Nemo"),
            prop::PASSPORT_NUMBER,
            "X 123-456",
        ),
        person("t-p1", "Amal Fictive"),
        with(person("t-p3", "Leila Example"), prop::WEAK_ALIAS, "Lulu"),
        company,
        vessel,
    ];
    let report = store
        .import_list("test-list", "2026-01-01", list)
        .await
        .unwrap();
    assert_eq!(report.source, "test-list");
    assert_eq!(report.version, "2026-01-01");
    assert_eq!(report.previous_version, None);
    assert_eq!(
        (
            report.persons,
            report.organisations,
            report.other,
            report.names
        ),
        (3, 1, 1, 7)
    );
    assert_eq!(
        report.added,
        strings(&["t-c1", "t-p1", "t-p2", "t-p3", "t-v1"])
    );
    assert!(report.changed.is_empty() && report.removed.is_empty() && !report.unchanged);

    let active = store.active_entities().await.unwrap();
    assert_eq!(ids(&active), ["t-c1", "t-p1", "t-p2", "t-p3", "t-v1"]);
    let p2 = store.entity("t-p2").await.unwrap().expect("t-p2 stored");
    assert_eq!(p2.provenance.source, "test-list");
    assert_eq!(p2.provenance.list_version.as_deref(), Some("2026-01-01"));
    assert_eq!(p2.get(prop::PASSPORT_NUMBER), ["X 123-456"]);
    assert_eq!(store.entity("nobody").await.unwrap(), None);

    let versions = store.list_versions("test-list").await.unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].version, "2026-01-01");
    assert_eq!(versions[0].counts.entities, 5);
    assert_eq!(versions[0].added, 5);
    assert_eq!(versions[0].content_hash.len(), 64);
    assert!(store.list_versions("other").await.unwrap().is_empty());

    let sources = store.sources().await.unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].source, "test-list");
    assert_eq!(sources[0].version.as_deref(), Some("2026-01-01"));
    assert_eq!((sources[0].active, sources[0].total), (5, 5));

    // The same data is visible through a second handle (another process).
    let again = open(location).await;
    assert_eq!(again.active_entities().await.unwrap(), active);
    again.close().await;
    store.close().await;
}

pub async fn reimport_of_same_content_changes_nothing(location: &str) {
    let store = open(location).await;
    let v1 = vec![person("r-1", "Amal Fictive"), person("r-2", "Bashir Nemo")];
    store.import_list("l", "v1", v1.clone()).await.unwrap();
    let before = store.dump().await.unwrap();

    // Same version, same content, other record order.
    let mut reordered = v1.clone();
    reordered.reverse();
    let report = store.import_list("l", "v1", reordered).await.unwrap();
    assert!(report.unchanged);
    assert_eq!(report.previous_version.as_deref(), Some("v1"));
    assert!(report.added.is_empty() && report.changed.is_empty() && report.removed.is_empty());
    assert_eq!(report.persons, 2);
    assert_eq!(store.dump().await.unwrap(), before);

    // A new label for the same content: recorded as a list version, no
    // entity written.
    let report = store
        .import_list("l", "v1-republished", v1.clone())
        .await
        .unwrap();
    assert!(report.unchanged);
    let versions = store.list_versions("l").await.unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| v.version.as_str())
            .collect::<Vec<_>>(),
        ["v1", "v1-republished"]
    );
    assert_eq!(versions[0].content_hash, versions[1].content_hash);
    let entity_rows = |dump: Vec<String>| -> Vec<String> {
        dump.into_iter()
            .filter(|l| !l.starts_with("list_versions:"))
            .collect()
    };
    let after = store.dump().await.unwrap();
    assert_eq!(entity_rows(after.clone()), entity_rows(before));

    // A reused label for other content is a conflict and writes nothing.
    let err = store
        .import_list("l", "v1", vec![person("r-1", "Amal Changed")])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert_eq!(store.dump().await.unwrap(), after);
    store.close().await;
}

pub async fn new_version_records_added_changed_removed(location: &str) {
    let store = open(location).await;
    let v1 = vec![
        person("d-a", "Amal Fictive"),
        person("d-b", "Bashir Nemo"),
        person("d-c", "Camil Sample"),
    ];
    store.import_list("l", "v1", v1).await.unwrap();
    let v2 = vec![
        person("d-a", "Amal Fictive"),
        with(
            with(person("d-b", "Bashir Nemo"), prop::ALIAS, "Bachir Nemo"),
            prop::BIRTH_DATE,
            "1970",
        ),
        person("d-d", "Dalia Dummy"),
    ];
    let report = store.import_list("l", "v2", v2).await.unwrap();
    assert!(!report.unchanged);
    assert_eq!(report.previous_version.as_deref(), Some("v1"));
    assert_eq!(report.added, strings(&["d-d"]));
    assert_eq!(
        report.changed,
        vec![("d-b".to_string(), strings(&["alias", "birthDate"]))]
    );
    assert_eq!(report.removed, strings(&["d-c"]));
    assert_eq!(
        ids(&store.active_entities().await.unwrap()),
        ["d-a", "d-b", "d-d"]
    );

    // Removed entities are kept, withdrawn.
    let c = store.entity("d-c").await.unwrap().expect("d-c kept");
    assert_eq!(c.status, EntryStatus::Withdrawn);
    // Unchanged entities keep the version they came with.
    let a = store.entity("d-a").await.unwrap().unwrap();
    assert_eq!(a.provenance.list_version.as_deref(), Some("v1"));
    let b = store.entity("d-b").await.unwrap().unwrap();
    assert_eq!(b.provenance.list_version.as_deref(), Some("v2"));

    let versions = store.list_versions("l").await.unwrap();
    let last = versions.last().unwrap();
    assert_eq!((last.added, last.changed, last.removed), (1, 1, 1));
    // The store keeps what each version changed.
    let recorded = store.list_version_changes("l", "v2").await.unwrap();
    assert_eq!(
        (recorded.added, recorded.changed, recorded.removed),
        (
            report.added.clone(),
            report.changed.clone(),
            report.removed.clone()
        )
    );
    assert_eq!(
        store.list_version_changes("l", "v1").await.unwrap().added,
        strings(&["d-a", "d-b", "d-c"])
    );
    let missing = store.list_version_changes("l", "v9").await;
    assert!(
        matches!(missing, Err(StoreError::NotFound { .. })),
        "{missing:?}"
    );
    assert_eq!(last.counts.entities, 3);

    // Listed again: "added", one more version of the same entity.
    let v3 = vec![
        person("d-a", "Amal Fictive"),
        person("d-c", "Camil Sample"),
        person("d-d", "Dalia Dummy"),
    ];
    let report = store.import_list("l", "v3", v3).await.unwrap();
    assert_eq!(report.added, strings(&["d-c"]));
    assert_eq!(report.removed, strings(&["d-b"]));
    assert_eq!(
        report.changed,
        Vec::<(String, Vec<String>)>::new(),
        "v3 copies of d-a and d-d are unchanged"
    );
    let c = store.entity("d-c").await.unwrap().unwrap();
    assert_eq!(c.status, EntryStatus::Active);
    let history = store.entity_history("d-c").await.unwrap();
    let changes: Vec<(i64, Change, Option<&str>)> = history
        .iter()
        .map(|v| (v.version, v.change, v.list_version.as_deref()))
        .collect();
    assert_eq!(
        changes,
        [
            (1, Change::Added, Some("v1")),
            (2, Change::Removed, Some("v2")),
            (3, Change::Added, Some("v3"))
        ]
    );
    store.close().await;
}

pub async fn failed_import_leaves_store_unchanged(location: &str) {
    let store = open(location).await;
    let v1 = vec![
        person("f-1", "Amal Fictive"),
        person("f-2", "Bashir Nemo"),
        person("f-3", "Camil Sample"),
    ];
    store.import_list("l", "v1", v1).await.unwrap();
    store
        .put_entry(person("n-1", "Nadia Invented"), "officer-1")
        .await
        .unwrap();
    let before = store.dump().await.unwrap();

    // Duplicate ids inside the batch: refused before anything is written.
    let err = store
        .import_list(
            "l",
            "v2",
            vec![person("f-1", "A"), person("f-9", "B"), person("f-1", "C")],
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid entities[2].id: duplicate id \"f-1\" (also at entities[0])"
    );
    assert_eq!(store.dump().await.unwrap(), before);

    // Fails midway: the list version row, the update of f-1 and the
    // withdrawal of f-2 and f-3 are written before the insert of n-1 hits
    // the national entry's id. Everything must roll back.
    let err = store
        .import_list(
            "l",
            "v2",
            vec![
                with(person("f-1", "Amal Fictive"), prop::ALIAS, "Amel"),
                person("f-4", "Dalia Dummy"),
                person("n-1", "Collides Withnational"),
            ],
        )
        .await
        .unwrap_err();
    match &err {
        StoreError::Conflict(msg) => {
            assert!(
                msg.contains("\"n-1\"") && msg.contains("\"national\""),
                "{msg}"
            )
        }
        other => panic!("expected a conflict, got {other}"),
    }
    assert_eq!(store.dump().await.unwrap(), before);
    assert_eq!(store.list_versions("l").await.unwrap().len(), 1);
    assert_eq!(
        ids(&store.active_entities().await.unwrap()),
        ["f-1", "f-2", "f-3", "n-1"]
    );

    // The store still works after the failure.
    let report = store
        .import_list("l", "v2", vec![person("f-1", "Amal Fictive")])
        .await
        .unwrap();
    assert_eq!(report.removed, strings(&["f-2", "f-3"]));
    store.close().await;
}

pub async fn entity_history_keeps_every_version(location: &str) {
    let store = open(location).await;
    store
        .import_list("l", "v1", vec![person("h-1", "Amal Fictive")])
        .await
        .unwrap();
    store
        .import_list(
            "l",
            "v2",
            vec![with(person("h-1", "Amal Fictive"), prop::NATIONALITY, "dz")],
        )
        .await
        .unwrap();
    store.import_list("l", "v3", vec![]).await.unwrap();
    let history = store.entity_history("h-1").await.unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(
        history.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(
        history.iter().map(|v| v.change).collect::<Vec<_>>(),
        [Change::Added, Change::Changed, Change::Removed]
    );
    assert_eq!(history[1].changed, strings(&["nationality"]));
    assert_eq!(history[1].reason, "changed in l version v2");
    assert_eq!(history[1].entity.get(prop::NATIONALITY), ["dz"]);
    assert_eq!(history[0].entity.get(prop::NATIONALITY), [] as [String; 0]);
    assert_eq!(history[2].entity.status, EntryStatus::Withdrawn);
    assert!(
        history
            .iter()
            .all(|v| v.actor == "import" && v.source == "l")
    );
    assert!(
        history
            .windows(2)
            .all(|w| w[0].recorded_at <= w[1].recorded_at)
    );
    assert!(store.entity_history("unknown").await.unwrap().is_empty());
    let sources = store.sources().await.unwrap();
    assert_eq!((sources[0].active, sources[0].total), (0, 1));
    store.close().await;
}

pub async fn national_entries_create_update_withdraw(location: &str) {
    let store = open(location).await;
    let mut entry = person("dz-1", "Karim Fictive Haddad");
    entry.origin_agency = Some("dz-dgsn".into());
    let created = store.put_entry(entry.clone(), "officer-1").await.unwrap();
    assert_eq!((created.version, created.change), (1, Change::Created));
    assert_eq!(created.source, NATIONAL_SOURCE);
    assert_eq!(created.actor, "officer-1");
    let stored = store.entity("dz-1").await.unwrap().unwrap();
    assert_eq!(stored.provenance.source, NATIONAL_SOURCE);
    assert_eq!(stored, created.entity);

    // The same content again records nothing.
    let same = store.put_entry(entry.clone(), "officer-2").await.unwrap();
    assert_eq!(same, created);

    let updated = store
        .put_entry(with(entry.clone(), prop::ALIAS, "Karim Hadad"), "officer-2")
        .await
        .unwrap();
    assert_eq!((updated.version, updated.change), (2, Change::Updated));
    assert_eq!(updated.changed, strings(&["alias"]));

    let withdrawn = store
        .withdraw_entry("dz-1", "officer-3", "warrant cancelled by the court")
        .await
        .unwrap();
    assert_eq!(
        (withdrawn.version, withdrawn.change),
        (3, Change::Withdrawn)
    );
    assert_eq!(withdrawn.reason, "warrant cancelled by the court");
    assert!(store.active_entities().await.unwrap().is_empty());
    assert_eq!(
        store.entity("dz-1").await.unwrap().unwrap().status,
        EntryStatus::Withdrawn
    );
    let again = store.withdraw_entry("dz-1", "officer-3", "twice").await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");

    // Re-activated by writing it again.
    let back = store.put_entry(entry.clone(), "officer-1").await.unwrap();
    assert_eq!((back.version, back.change), (4, Change::Updated));
    assert_eq!(back.changed, strings(&["alias", "status"]));

    let history = store.entity_history("dz-1").await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|v| (v.version, v.change, v.actor.as_str()))
            .collect::<Vec<_>>(),
        [
            (1, Change::Created, "officer-1"),
            (2, Change::Updated, "officer-2"),
            (3, Change::Withdrawn, "officer-3"),
            (4, Change::Updated, "officer-1"),
        ]
    );
    assert_eq!(history[0], created);
    assert_eq!(history[2], withdrawn);
    assert!(history.iter().all(|v| v.list_version.is_none()));

    // Refusals.
    let missing = store.withdraw_entry("dz-404", "officer-1", "gone").await;
    assert!(
        matches!(missing, Err(StoreError::NotFound { .. })),
        "{missing:?}"
    );
    let no_reason = store.withdraw_entry("dz-1", "officer-1", "  ").await;
    assert!(
        matches!(no_reason, Err(StoreError::Invalid { .. })),
        "{no_reason:?}"
    );
    let mut foreign = person("dz-2", "X");
    foreign.provenance.source = "un-sc".into();
    let err = store.put_entry(foreign, "officer-1").await;
    assert!(matches!(err, Err(StoreError::Invalid { .. })), "{err:?}");
    let mut withdrawn_input = person("dz-3", "Y");
    withdrawn_input.status = EntryStatus::Withdrawn;
    let err = store.put_entry(withdrawn_input, "officer-1").await;
    assert!(matches!(err, Err(StoreError::Invalid { .. })), "{err:?}");
    let err = store.put_entry(person("dz-4", "Z"), "").await;
    assert!(matches!(err, Err(StoreError::Invalid { .. })), "{err:?}");

    // List entities cannot be written or withdrawn as national entries.
    store
        .import_list("un-sc", "v1", vec![person("un-1", "Listed Fictive")])
        .await
        .unwrap();
    let err = store.put_entry(person("un-1", "Hijack"), "officer-1").await;
    assert!(matches!(err, Err(StoreError::Conflict(_))), "{err:?}");
    let err = store.withdraw_entry("un-1", "officer-1", "no").await;
    assert!(matches!(err, Err(StoreError::Conflict(_))), "{err:?}");
    let err = store
        .import_list(NATIONAL_SOURCE, "v1", vec![person("x", "X")])
        .await;
    assert!(matches!(err, Err(StoreError::Invalid { .. })), "{err:?}");

    let record = store.entity_record("dz-1").await.unwrap().unwrap();
    assert_eq!((record.version, &record.entity), (4, &back.entity));
    assert_eq!(record.updated_at, back.recorded_at);
    assert_eq!(store.entity_record("dz-404").await.unwrap(), None);
    let national_entries = store.source_entities(NATIONAL_SOURCE).await.unwrap();
    assert_eq!(national_entries, vec![record]);
    let listed = store.source_entities("un-sc").await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|r| (r.entity.id.as_str(), r.version))
            .collect::<Vec<_>>(),
        [("un-1", 1)]
    );

    let sources = store.sources().await.unwrap();
    let national = sources
        .iter()
        .find(|s| s.source == NATIONAL_SOURCE)
        .unwrap();
    assert_eq!(
        (national.active, national.total, national.version.as_deref()),
        (1, 1, None)
    );
    store.close().await;
}

pub async fn optimistic_concurrency_on_entries(location: &str) {
    let a = open(location).await;
    let b = open(location).await;
    let v1 = a
        .put_entry_expecting(person("oc-1", "Amal Fictive"), Expect::New, "u-a")
        .await
        .unwrap();
    let dup = b
        .put_entry_expecting(person("oc-1", "Other"), Expect::New, "u-b")
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let missing = a
        .put_entry_expecting(person("oc-404", "X"), Expect::Version(1), "u-a")
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound { .. })),
        "{missing:?}"
    );

    // Both handles read version 1 and race to write version 2.
    let (ra, rb) = tokio::join!(
        a.put_entry_expecting(
            with(person("oc-1", "Amal Fictive"), prop::ALIAS, "from a"),
            Expect::Version(v1.version),
            "u-a",
        ),
        b.put_entry_expecting(
            with(person("oc-1", "Amal Fictive"), prop::ALIAS, "from b"),
            Expect::Version(v1.version),
            "u-b",
        ),
    );
    let outcomes = [&ra, &rb];
    let won: Vec<_> = outcomes.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(won.len(), 1, "exactly one writer wins: {ra:?} {rb:?}");
    assert!(
        outcomes
            .iter()
            .any(|r| matches!(r, Err(StoreError::Conflict(_)))),
        "the loser gets a conflict: {ra:?} {rb:?}"
    );
    assert_eq!(won[0].version, 2);
    let current = b.entity("oc-1").await.unwrap().unwrap();
    assert_eq!(current, won[0].entity);
    assert_eq!(a.entity_history("oc-1").await.unwrap().len(), 2);
    a.close().await;
    b.close().await;
}

pub async fn concurrent_writers_lose_nothing(location: &str) {
    const N: usize = 15;
    let a = open(location).await;
    let b = open(location).await;
    a.put_entry(person("cw-shared", "Shared Fictive"), "setup")
        .await
        .unwrap();
    let writer = |store: Store, name: &'static str| async move {
        for i in 0..N {
            store
                .put_entry(person(&format!("cw-{name}-{i}"), "Own Entry"), name)
                .await
                .unwrap();
            let note = format!("{name} {i}");
            store
                .put_entry(
                    with(person("cw-shared", "Shared Fictive"), prop::NOTES, &note),
                    name,
                )
                .await
                .unwrap();
        }
        let list: Vec<Entity> = (0..N)
            .map(|i| person(&format!("{name}-list-{i}"), "Listed Fictive"))
            .collect();
        store.import_list(name, "v1", list).await.unwrap();
    };
    let ta = tokio::spawn(writer(a.clone(), "wa"));
    let tb = tokio::spawn(writer(b.clone(), "wb"));
    ta.await.unwrap();
    tb.await.unwrap();

    let active: BTreeSet<String> = a
        .active_entities()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(active.len(), 1 + 4 * N);
    for name in ["wa", "wb"] {
        for i in 0..N {
            assert!(active.contains(&format!("cw-{name}-{i}")));
            assert!(active.contains(&format!("{name}-list-{i}")));
        }
    }
    // Every update of the shared entry is a version; none overwrote another
    // unseen.
    let history = b.entity_history("cw-shared").await.unwrap();
    assert_eq!(history.len(), 1 + 2 * N);
    assert_eq!(
        history.iter().map(|v| v.version).collect::<Vec<_>>(),
        (1..=(1 + 2 * N) as i64).collect::<Vec<_>>()
    );
    let notes: BTreeSet<String> = history
        .iter()
        .filter_map(|v| v.entity.first(prop::NOTES).map(str::to_string))
        .collect();
    assert_eq!(notes.len(), 2 * N);
    a.close().await;
    b.close().await;
}

pub async fn ids_are_unique_across_sources(location: &str) {
    let store = open(location).await;
    store
        .import_list("list-a", "v1", vec![person("same-id", "From A")])
        .await
        .unwrap();
    let before = store.dump().await.unwrap();
    let err = store
        .import_list(
            "list-b",
            "v1",
            vec![person("b-1", "B"), person("same-id", "From B")],
        )
        .await
        .unwrap_err();
    match &err {
        StoreError::Conflict(msg) => assert!(
            msg.contains("\"same-id\"") && msg.contains("\"list-a\"") && msg.contains("\"list-b\""),
            "{msg}"
        ),
        other => panic!("expected a conflict, got {other}"),
    }
    assert_eq!(store.dump().await.unwrap(), before);
    // An entity that names another source than the one imported into.
    let mut e = person("b-2", "B");
    e.provenance.source = "list-a".into();
    let err = store.import_list("list-b", "v1", vec![e]).await;
    assert!(matches!(err, Err(StoreError::Invalid { .. })), "{err:?}");
    store.close().await;
}

/// A bulk load of national entries (the national CSV) is one transaction:
/// a bad entry anywhere in the batch leaves the store unchanged.
pub async fn bulk_entries_are_all_or_nothing(location: &str) {
    let store = open(location).await;
    store
        .import_list("list-a", "v1", vec![person("held", "Listed Elsewhere")])
        .await
        .unwrap();
    let before = store.dump().await.unwrap();
    let batch = vec![
        person("n-1", "Karim Fictif"),
        person("n-2", "Samira Fictive"),
        person("held", "Collides With A List"),
    ];
    let err = store.put_entries(batch, "loader").await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert_eq!(
        store.dump().await.unwrap(),
        before,
        "a failed bulk load wrote something"
    );
    let twice = vec![person("n-1", "A"), person("n-1", "B")];
    let err = store.put_entries(twice, "loader").await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid { .. }), "{err}");
    assert_eq!(store.dump().await.unwrap(), before);

    let written = store
        .put_entries(
            vec![
                person("n-1", "Karim Fictif"),
                person("n-2", "Samira Fictive"),
            ],
            "loader",
        )
        .await
        .unwrap();
    assert_eq!(
        written.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 1]
    );
    // The same load again writes nothing new; a changed entry gets version 2.
    let again = store
        .put_entries(
            vec![
                person("n-1", "Karim Fictif"),
                person("n-2", "Samira Fictive B"),
            ],
            "loader",
        )
        .await
        .unwrap();
    assert_eq!(again.iter().map(|v| v.version).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(store.entity_history("n-2").await.unwrap().len(), 2);
    store.close().await;
}

fn audit_event(i: i64, actor: &str) -> AuditEvent {
    AuditEvent {
        at: OffsetDateTime::from_unix_timestamp(1_790_000_000 + i * 60).unwrap()
            + time::Duration::nanoseconds(123_456_789),
        actor: actor.to_string(),
        action: "screen".to_string(),
        subject: (i % 3 == 0).then(|| format!("entry-{i}")),
        facts: json!({"agency": "dz-dgsn", "outcome": "ok"}),
        payload: json!({"query": {"name": "Fictive Traveller", "n": i}}),
    }
}

/// Runs SQL on the store's database directly, as someone with access to
/// the database (not through the store) would.
async fn raw(location: &str, sql: &str) -> Result<(), sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    if location.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(location).await?;
        sqlx::raw_sql(sql).execute(&mut c).await?;
        c.close().await
    } else {
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{location}")).await?;
        sqlx::raw_sql(sql).execute(&mut c).await?;
        c.close().await
    }
}

fn broken_at(result: Result<u64, StoreError>) -> i64 {
    match result {
        Err(StoreError::ChainBroken { seq, .. }) => seq,
        other => panic!("expected a broken chain, got {other:?}"),
    }
}

pub async fn audit_chain_is_one_chain_across_writers(location: &str) {
    let a = open(location).await;
    let b = open(location).await;
    assert_eq!(a.verify_audit().await.unwrap(), 0);
    assert_eq!(a.audit_head().await.unwrap(), None);
    let writer = |store: Store, name: &'static str| async move {
        let mut written = Vec::new();
        for round in 0..3 {
            let batch: Vec<AuditEvent> =
                (0..5).map(|i| audit_event(round * 10 + i, name)).collect();
            written.extend(store.append_audit_batch(&batch).await.unwrap());
            written.push(store.append_audit(audit_event(round, name)).await.unwrap());
        }
        written
    };
    let (wa, wb) = tokio::join!(
        tokio::spawn(writer(a.clone(), "writer-a")),
        tokio::spawn(writer(b.clone(), "writer-b"))
    );
    let mut written = wa.unwrap();
    written.extend(wb.unwrap());
    written.sort_by_key(|r| r.seq);
    assert_eq!(
        written.iter().map(|r| r.seq).collect::<Vec<_>>(),
        (1..=36).collect::<Vec<i64>>(),
        "no seq repeats or goes missing"
    );
    assert_eq!(b.verify_audit().await.unwrap(), 36);
    let head = a.audit_head().await.unwrap().unwrap();
    assert_eq!(
        head,
        AuditHead {
            seq: 36,
            hash: written[35].hash.clone()
        }
    );
    // What was returned is what is stored (times to the microsecond).
    let stored = a.audit_records(0, 100).await.unwrap();
    assert_eq!(stored, written);
    assert_eq!(stored[0].at.nanosecond() % 1_000, 0);
    assert_eq!(a.verify_audit_against(&head).await.unwrap(), 36);
    let paged = a.audit_records(30, 4).await.unwrap();
    assert_eq!(
        paged.iter().map(|r| r.seq).collect::<Vec<_>>(),
        [31, 32, 33, 34]
    );
    a.close().await;
    b.close().await;
}

pub async fn audit_tampering_is_detected(location: &str) {
    let store = open(location).await;
    let events: Vec<AuditEvent> = (1..=10).map(|i| audit_event(i, "officer-7")).collect();
    let records = store.append_audit_batch(&events).await.unwrap();
    let checkpoint = store.audit_head().await.unwrap().unwrap();
    assert_eq!(checkpoint.seq, 10);

    // The database itself refuses deletes and edits...
    assert!(
        raw(location, "DELETE FROM audit_log WHERE seq = 5")
            .await
            .is_err()
    );
    assert!(
        raw(
            location,
            "UPDATE audit_log SET actor = 'mallory' WHERE seq = 4"
        )
        .await
        .is_err()
    );
    // ...but lets retention purge payloads, and the chain still verifies.
    let purged = store.purge_audit_payloads(records[3].at).await.unwrap();
    assert_eq!(purged, 3);
    let stored = store.audit_records(0, 100).await.unwrap();
    assert!(stored[..3].iter().all(|r| r.payload.is_none()));
    assert!(stored[3..].iter().all(|r| r.payload.is_some()));
    assert_eq!(store.verify_audit().await.unwrap(), 10);

    // Someone with the database drops the guard; the chain still tells.
    let drop_guard = if location.starts_with("postgres") {
        "DROP TRIGGER audit_log_append_only ON audit_log"
    } else {
        "DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_log_only_purge"
    };
    raw(location, drop_guard).await.unwrap();

    // An edited field.
    raw(
        location,
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 4",
    )
    .await
    .unwrap();
    assert_eq!(broken_at(store.verify_audit().await), 4);
    raw(
        location,
        "UPDATE audit_log SET actor = 'officer-7' WHERE seq = 4",
    )
    .await
    .unwrap();
    assert_eq!(store.verify_audit().await.unwrap(), 10);

    // An edited payload.
    let original = stored[5].payload.clone().unwrap();
    assert!(!original.contains('\''));
    raw(
        location,
        "UPDATE audit_log SET payload = '{}' WHERE seq = 6",
    )
    .await
    .unwrap();
    assert_eq!(broken_at(store.verify_audit().await), 6);
    raw(
        location,
        &format!("UPDATE audit_log SET payload = '{original}' WHERE seq = 6"),
    )
    .await
    .unwrap();
    assert_eq!(store.verify_audit().await.unwrap(), 10);

    // Two events swapped.
    let swap = "UPDATE audit_log SET seq = 1000 WHERE seq = 2; \
                UPDATE audit_log SET seq = 2 WHERE seq = 3; \
                UPDATE audit_log SET seq = 3 WHERE seq = 1000";
    raw(location, swap).await.unwrap();
    assert_eq!(broken_at(store.verify_audit().await), 2);
    raw(location, swap).await.unwrap();
    assert_eq!(store.verify_audit().await.unwrap(), 10);

    // The tail cut off: the chain alone cannot tell, the checkpoint can.
    raw(location, "DELETE FROM audit_log WHERE seq = 10")
        .await
        .unwrap();
    assert_eq!(store.verify_audit().await.unwrap(), 9);
    assert_eq!(broken_at(store.verify_audit_against(&checkpoint).await), 10);

    // An event deleted in the middle.
    raw(location, "DELETE FROM audit_log WHERE seq = 5")
        .await
        .unwrap();
    assert_eq!(broken_at(store.verify_audit().await), 5);
    store.close().await;
}

pub async fn change_feed_follows_every_write_in_order(location: &str) {
    let a = open(location).await;
    let b = open(location).await;
    assert_eq!(a.change_head().await.unwrap(), 0);
    assert!(a.changes_since(0, 100).await.unwrap().is_empty());

    a.import_list("l", "v1", vec![person("cf-1", "A"), person("cf-2", "B")])
        .await
        .unwrap();
    let head_after_import = a.change_head().await.unwrap();
    assert_eq!(head_after_import, 2);
    b.put_entry(person("cf-n", "N"), "officer").await.unwrap();
    // A no-op write and a failed import add nothing to the feed.
    b.put_entry(person("cf-n", "N"), "officer").await.unwrap();
    assert!(
        a.import_list("l", "v2", vec![person("cf-1", "A"), person("cf-n", "X")])
            .await
            .is_err()
    );
    a.import_list(
        "l",
        "v2",
        vec![with(person("cf-1", "A"), prop::ALIAS, "Ay")],
    )
    .await
    .unwrap();
    b.withdraw_entry("cf-n", "officer", "cancelled")
        .await
        .unwrap();

    let feed = a.changes_since(0, 100).await.unwrap();
    let got: Vec<(i64, &str, i64, Change)> = feed
        .iter()
        .map(|c| (c.seq, c.entity.id.as_str(), c.version, c.change))
        .collect();
    assert_eq!(
        got,
        [
            (1, "cf-1", 1, Change::Added),
            (2, "cf-2", 1, Change::Added),
            (3, "cf-n", 1, Change::Created),
            (4, "cf-1", 2, Change::Changed),
            (5, "cf-2", 2, Change::Removed),
            (6, "cf-n", 2, Change::Withdrawn),
        ]
    );
    assert_eq!(a.change_head().await.unwrap(), 6);
    assert_eq!(
        b.changes_since(head_after_import, 2)
            .await
            .unwrap()
            .iter()
            .map(|c| c.seq)
            .collect::<Vec<_>>(),
        [3, 4]
    );

    // Concurrent writers: positions stay contiguous and the feed has one
    // entry per history row.
    let writer = |store: Store, name: &'static str| async move {
        for i in 0..10 {
            store
                .put_entry(person(&format!("cf-{name}-{i}"), "W"), name)
                .await
                .unwrap();
        }
        let list: Vec<Entity> = (0..10)
            .map(|i| person(&format!("cf-{name}-l{i}"), "L"))
            .collect();
        store.import_list(name, "v1", list).await.unwrap();
    };
    let (ra, rb) = tokio::join!(
        tokio::spawn(writer(a.clone(), "wa")),
        tokio::spawn(writer(b.clone(), "wb"))
    );
    ra.unwrap();
    rb.unwrap();
    let feed = a.changes_since(0, 1000).await.unwrap();
    assert_eq!(
        feed.iter().map(|c| c.seq).collect::<Vec<_>>(),
        (1..=46).collect::<Vec<i64>>()
    );

    // Replaying the feed rebuilds exactly the active entities.
    let mut replica: BTreeMap<String, Entity> = BTreeMap::new();
    for c in feed {
        if c.entity.status == EntryStatus::Active {
            replica.insert(c.entity.id.clone(), c.entity);
        } else {
            replica.remove(&c.entity.id);
        }
    }
    assert_eq!(
        replica.into_values().collect::<Vec<_>>(),
        a.active_entities().await.unwrap()
    );
    a.close().await;
    b.close().await;
}

fn screening(
    id: &str,
    at: OffsetDateTime,
    agency: &str,
    doc: Option<&str>,
) -> tansiq_store::ScreeningRecord {
    tansiq_store::ScreeningRecord {
        id: id.to_string(),
        at,
        recorded_at: at,
        agency_id: agency.to_string(),
        user_id: format!("officer-of-{agency}"),
        border_post: Some("post-1".into()),
        document_key: doc.map(str::to_string),
        band: "none".into(),
        query: json!({"names": [format!("Traveller {id}")]}),
        matches: json!([]),
    }
}

fn new_hit(
    id: &str,
    screening_id: &str,
    entity: &str,
    version: i64,
    doc: Option<&str>,
) -> tansiq_store::NewHit {
    tansiq_store::NewHit {
        id: id.to_string(),
        screening_id: screening_id.to_string(),
        screened_at: OffsetDateTime::now_utc(),
        agency_id: "agency-a".into(),
        user_id: "officer-a".into(),
        border_post: Some("post-1".into()),
        document_key: doc.map(str::to_string),
        entity_id: entity.to_string(),
        entity_version: version,
        source: "national".into(),
        band: "strong".into(),
        score: 0.97,
        origin: "screening".into(),
        context: json!({"query": {"names": ["Amal Fictive"]}, "matches": [{"entity_id": entity}]}),
    }
}

/// Screening records are kept in batches, found by crossing time (paged)
/// and by document, and purged by age.
pub async fn screenings_are_kept_found_and_purged(location: &str) {
    use tansiq_store::ScreeningRecord;
    let store = open(location).await;
    let now = OffsetDateTime::now_utc();
    let day = time::Duration::days(1);
    let mut batch: Vec<ScreeningRecord> = (0..1200)
        .map(|i| screening(&format!("s-{i:05}"), now - day * (i % 40), "agency-a", None))
        .collect();
    batch.push(screening(
        "s-doc-1",
        now - day * 10,
        "agency-a",
        Some("DZA:P123"),
    ));
    batch.push(screening(
        "s-doc-2",
        now - day * 2,
        "agency-a",
        Some("DZA:P123"),
    ));
    batch.push(screening("s-doc-b", now, "agency-b", Some("DZA:P123")));
    store.record_screenings(&batch).await.unwrap();
    // Paging by id over the last 30 days.
    let since = now - day * 30 - time::Duration::minutes(1);
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let page = store.screenings_since(since, &after, 250).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.id.clone();
        seen.extend(page.into_iter().map(|r| r.id));
    }
    let expected = batch.iter().filter(|r| r.at >= since).count();
    assert_eq!(seen.len(), expected);
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    let one = store
        .screenings_since(now - day * 100, "s-doc-0", 1)
        .await
        .unwrap();
    assert_eq!(one[0].id, "s-doc-1");
    assert_eq!(one[0].query, batch[1200].query);
    assert_eq!(one[0].border_post.as_deref(), Some("post-1"));
    // A document's history is per agency, newest first.
    let history = store
        .screenings_of_document("agency-a", "DZA:P123", 10)
        .await
        .unwrap();
    assert_eq!(
        history.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["s-doc-2", "s-doc-1"]
    );
    // Retention removes what crossed before the cut.
    let purged = store.purge_screenings(now - day * 35).await.unwrap();
    assert_eq!(
        purged as usize,
        batch.iter().filter(|r| r.at < now - day * 35).count()
    );
    store.close().await;
}

/// A screening's audit event carries its record's content hash instead
/// of a copy of it: the record read back from the store hashes the same,
/// whatever the backend does to times and JSON text, and a changed field
/// changes the hash.
pub async fn screening_records_hash_alike_when_read_back(location: &str) {
    let store = open(location).await;
    // nanoseconds, which PostgreSQL cuts to microseconds
    let at = OffsetDateTime::from_unix_timestamp_nanos(1_800_000_000_123_456_789).unwrap();
    let mut with_matches = screening("s-hash-1", at, "agency-a", Some("dz:P123"));
    with_matches.query = json!({"schema": "Person", "names": ["Amal Fictive", "أمل"],
        "birth_dates": ["1980-02"], "gender": null, "documents": ["P123"]});
    with_matches.matches = json!([["e-1", 0.8123, "possible", ["e-2"]], ["e-3", 0.41]]);
    let mut bare = screening("s-hash-2", at, "agency-a", None);
    bare.border_post = None;
    let written = [with_matches, bare];
    store.record_screenings(&written).await.unwrap();
    let read = store
        .screenings_by_ids(&strings(&["s-hash-1", "s-hash-2"]))
        .await
        .unwrap();
    assert_eq!(read.len(), 2);
    for (w, r) in written.iter().zip(&read) {
        assert_eq!(w.content_hash(), r.content_hash(), "{}", w.id);
    }
    let mut changed = read[0].clone();
    changed.band = "strong".into();
    assert_ne!(changed.content_hash(), read[0].content_hash());
    let mut moved = read[1].clone();
    moved.document_key = Some(String::new());
    assert_ne!(moved.content_hash(), read[1].content_hash());
    store.close().await;
}

/// A hit walks open → confirmed → closed and open → dismissed → closed;
/// illegal steps and stale versions are conflicts; a dismissal suppresses
/// its (document, entity version) pair; a confirmation writes the
/// notification; a (screening, entity) pair is raised once.
pub async fn hits_walk_every_state(location: &str) {
    use tansiq_store::{HitAction, HitFilter, HitState, Notification};
    let store = open(location).await;
    let raised = store
        .insert_hits(
            vec![
                new_hit("h-1", "s-1", "e-1", 1, Some("DZA:P1")),
                new_hit("h-2", "s-2", "e-1", 1, Some("DZA:P2")),
            ],
            "officer-a",
        )
        .await
        .unwrap();
    assert_eq!(raised.len(), 2);
    // The same pair again gives back the hit it has; a bad band is refused.
    let again = store
        .insert_hits(vec![new_hit("h-x", "s-1", "e-1", 2, None)], "system")
        .await
        .unwrap();
    assert_eq!(again, raised[..1]);
    assert_eq!(again[0], store.hit("h-1").await.unwrap().unwrap());
    assert!(store.hit("h-x").await.unwrap().is_none());
    let mut bad = new_hit("h-y", "s-9", "e-1", 1, None);
    bad.band = "none".into();
    assert!(matches!(
        store.insert_hits(vec![bad], "x").await,
        Err(StoreError::Invalid { .. })
    ));
    let h1 = store.hit("h-1").await.unwrap().unwrap();
    assert_eq!((h1.state, h1.version), (HitState::Open, 1));
    assert_eq!(h1.hit.context["matches"][0]["entity_id"], json!("e-1"));

    // Closing an open hit is illegal; a stale version is a conflict.
    let err = store
        .transition_hit("h-1", None, HitAction::Close, "analyst-a", None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict(m) if m.contains("open")),
        "{err}"
    );
    let h = store
        .transition_hit(
            "h-1",
            Some(1),
            HitAction::Assign(Some("analyst-a".into())),
            "analyst-a",
            None,
        )
        .await
        .unwrap();
    assert_eq!((h.version, h.assignee.as_deref()), (2, Some("analyst-a")));
    let err = store
        .transition_hit("h-1", Some(1), HitAction::Confirm(None), "analyst-a", None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict(m) if m.contains("version")),
        "{err}"
    );
    let note = Notification {
        id: "n-1".into(),
        at: OffsetDateTime::now_utc(),
        agency_id: "agency-o".into(),
        kind: "hit.confirmed".into(),
        hit_id: "h-1".into(),
        entity_id: "e-1".into(),
        from_agency: "agency-a".into(),
        detail: json!({"border_post": "post-1"}),
    };
    let h = store
        .transition_hit(
            "h-1",
            Some(2),
            HitAction::Confirm(Some("same person".into())),
            "analyst-a",
            Some(note.clone()),
        )
        .await
        .unwrap();
    assert_eq!(
        (h.state, h.outcome),
        (HitState::Confirmed, Some(HitState::Confirmed))
    );
    let note = Notification {
        at: h.updated_at,
        ..note
    };
    assert_eq!(
        store.notifications("agency-o", 10).await.unwrap(),
        vec![note]
    );
    assert!(
        store
            .notifications("agency-a", 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .transition_hit(
                "h-1",
                None,
                HitAction::Dismiss("x".into()),
                "analyst-a",
                None
            )
            .await
            .is_err()
    );
    let h = store
        .transition_hit("h-1", None, HitAction::Close, "analyst-a", None)
        .await
        .unwrap();
    assert_eq!(
        (h.state, h.outcome, h.version),
        (HitState::Closed, Some(HitState::Confirmed), 4)
    );
    assert!(
        store
            .transition_hit("h-1", None, HitAction::Assign(None), "analyst-a", None)
            .await
            .is_err()
    );
    store
        .comment_hit("h-1", "analyst-a", "archived with the file")
        .await
        .unwrap();
    let events = store.hit_events("h-1").await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["raised", "assigned", "confirmed", "closed", "comment"]
    );
    assert_eq!(events[2].note.as_deref(), Some("same person"));
    assert_eq!(events[3].from_state.as_deref(), Some("confirmed"));

    // Dismissal: reason required; the pair is suppressed with its version.
    assert!(matches!(
        store
            .transition_hit(
                "h-2",
                None,
                HitAction::Dismiss("  ".into()),
                "analyst-a",
                None
            )
            .await,
        Err(StoreError::Invalid { .. })
    ));
    assert!(
        store
            .suppressions("agency-a", "DZA:P2")
            .await
            .unwrap()
            .is_empty()
    );
    let h = store
        .transition_hit(
            "h-2",
            None,
            HitAction::Dismiss("different birth date".into()),
            "analyst-a",
            None,
        )
        .await
        .unwrap();
    assert_eq!(h.state, HitState::Dismissed);
    let s = store.suppressions("agency-a", "DZA:P2").await.unwrap();
    assert_eq!(s.len(), 1);
    assert_eq!(
        (
            s[0].entity_id.as_str(),
            s[0].entity_version,
            s[0].hit_id.as_str(),
            s[0].reason.as_str()
        ),
        ("e-1", 1, "h-2", "different birth date")
    );
    assert!(
        store
            .suppressions("agency-b", "DZA:P2")
            .await
            .unwrap()
            .is_empty()
    );
    store
        .transition_hit("h-2", None, HitAction::Close, "analyst-a", None)
        .await
        .unwrap();
    assert!(matches!(
        store
            .transition_hit("nope", None, HitAction::Close, "a", None)
            .await,
        Err(StoreError::NotFound { .. })
    ));

    // The queue: filters by state, band, post, list, document, age.
    let all = |f: HitFilter| {
        let store = store.clone();
        async move { store.hits(&f).await.unwrap() }
    };
    let base = HitFilter {
        agency_id: "agency-a".into(),
        limit: 100,
        ..HitFilter::default()
    };
    assert_eq!(all(base.clone()).await.len(), 2);
    assert!(
        all(HitFilter {
            agency_id: "agency-b".into(),
            ..base.clone()
        })
        .await
        .is_empty()
    );
    assert_eq!(
        all(HitFilter {
            state: Some(HitState::Closed),
            ..base.clone()
        })
        .await
        .len(),
        2
    );
    assert!(
        all(HitFilter {
            state: Some(HitState::Open),
            ..base.clone()
        })
        .await
        .is_empty()
    );
    assert_eq!(
        all(HitFilter {
            band: Some("strong".into()),
            border_post: Some("post-1".into()),
            source: Some("national".into()),
            ..base.clone()
        })
        .await
        .len(),
        2
    );
    assert!(
        all(HitFilter {
            border_post: Some("post-2".into()),
            ..base.clone()
        })
        .await
        .is_empty()
    );
    let by_doc = all(HitFilter {
        document_key: Some("DZA:P2".into()),
        ..base.clone()
    })
    .await;
    assert_eq!(by_doc.len(), 1);
    assert_eq!(by_doc[0].hit.id, "h-2");
    let past = OffsetDateTime::now_utc() - time::Duration::hours(1);
    assert!(
        all(HitFilter {
            created_before: Some(past),
            ..base.clone()
        })
        .await
        .is_empty()
    );
    assert_eq!(all(HitFilter { limit: 1, ..base }).await.len(), 1);

    // The re-screening cursor only moves forward.
    assert_eq!(store.review_cursor("rescreen").await.unwrap(), None);
    store.set_review_cursor("rescreen", 7).await.unwrap();
    store.set_review_cursor("rescreen", 5).await.unwrap();
    assert_eq!(store.review_cursor("rescreen").await.unwrap(), Some(7));

    // Retention: decided hits (closed, dismissed) lose their traveller
    // data; their state, outcome and history stay.
    let later = OffsetDateTime::now_utc() + time::Duration::days(1);
    let decided = ["h-1", "h-2"];
    let mut states = Vec::new();
    for id in decided {
        states.push(store.hit(id).await.unwrap().unwrap().state);
    }
    assert!(
        states
            .iter()
            .all(|s| matches!(s, HitState::Closed | HitState::Dismissed)),
        "{states:?}"
    );
    let purged = store.purge_hit_contexts(later).await.unwrap();
    assert!(purged >= 2, "{purged}");
    for (id, state) in decided.iter().zip(&states) {
        let h = store.hit(id).await.unwrap().unwrap();
        assert_eq!(h.hit.context, json!({"purged": true}), "{id}");
        assert_eq!(h.hit.document_key, None, "{id}");
        assert_eq!(&h.state, state, "{id}");
    }
    assert_eq!(store.purge_hit_contexts(later).await.unwrap(), 0);
    store.close().await;
}

/// The node's group commit: hits, screening records and audit events of
/// many screenings in one transaction; all of it or none of it.
pub async fn journal_commits_all_or_nothing(location: &str) {
    use tansiq_store::Journal;
    let store = open(location).await;
    let now = OffsetDateTime::now_utc();
    let screenings = [
        screening("j-1", now, "agency-a", Some("DZA:P1")),
        screening("j-2", now, "agency-a", None),
    ];
    let audit: Vec<_> = (1..=3).map(|i| audit_event(i, "officer-a")).collect();
    let mut bad = new_hit("h-bad", "j-2", "e-2", 1, None);
    bad.band = "none".into();

    // One refused hit: nothing at all is written.
    let err = store
        .commit_journal(Journal {
            hits: vec![
                (
                    vec![new_hit("h-1", "j-1", "e-1", 1, None)],
                    "officer-a".into(),
                ),
                (vec![bad], "officer-b".into()),
            ],
            screenings: &screenings,
            audit: &audit,
        })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid { .. }), "{err}");
    assert!(store.hit("h-1").await.unwrap().is_none());
    assert_eq!(store.audit_head().await.unwrap(), None);
    let since = now - time::Duration::days(1);
    assert!(
        store
            .screenings_since(since, "", 10)
            .await
            .unwrap()
            .is_empty()
    );

    // The same without it: everything, hits answered per group in order.
    let receipt = store
        .commit_journal(Journal {
            hits: vec![
                (
                    vec![new_hit("h-1", "j-1", "e-1", 1, None)],
                    "officer-a".into(),
                ),
                (
                    vec![
                        new_hit("h-2", "j-2", "e-2", 1, None),
                        new_hit("h-3", "j-2", "e-3", 4, None),
                    ],
                    "officer-b".into(),
                ),
            ],
            screenings: &screenings,
            audit: &audit,
        })
        .await
        .unwrap();
    let ids: Vec<Vec<&str>> = receipt
        .hits
        .iter()
        .map(|g| g.iter().map(|h| h.hit.id.as_str()).collect())
        .collect();
    assert_eq!(ids, vec![vec!["h-1"], vec!["h-2", "h-3"]]);
    assert_eq!(receipt.audit.len(), 3);
    assert_eq!(
        store.hit("h-3").await.unwrap().unwrap().hit.entity_version,
        4
    );
    let events = store.hit_events("h-2").await.unwrap();
    assert_eq!(events[0].actor, "officer-b");
    let kept = store.screenings_since(since, "", 10).await.unwrap();
    assert_eq!(
        kept.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["j-1", "j-2"]
    );
    assert_eq!(store.verify_audit().await.unwrap(), 3);
    // A second journal continues the chain.
    store
        .commit_journal(Journal {
            audit: &[audit_event(4, "officer-a")],
            ..Journal::default()
        })
        .await
        .unwrap();
    assert_eq!(store.verify_audit().await.unwrap(), 4);
}
