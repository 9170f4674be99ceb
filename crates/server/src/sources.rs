//! The declared list sources (`[[sources]]`) of a serving node: updates on
//! request (`POST /v1/sources/{name}/update`) and on their schedules, and
//! what is stale, for `/metrics` and `/readyz`.
//!
//! One update path for both: [`update`] fetches, verifies and imports
//! atomically (`tansiq_sources::Updater`, as `tansiq lists update` does),
//! swaps the new version into screening and records a `source.update`
//! audit event; a failure keeps the previous version in force and says why.
//! Updates of a node run one at a time.
//!
//! **When a source is due** (the scheduler, [`scheduler_loop`], every
//! `[lists] check_every_s`): never confirmed current, or confirmed longer
//! ago than [`REFRESH_SHARE`] of its schedule (so that it is refreshed well
//! before it turns stale at the full schedule); after a failure, not again
//! before [`RETRY_SHARE`] of the schedule has passed since the attempt.

use std::time::Duration;

use serde_json::json;
use tansiq_sources::{Outcome, SourceDef, SourceStatus, Updater};
use time::OffsetDateTime;

use crate::metrics::SourceLabels;
use crate::ops::SourceUpdateDto;
use crate::{AppState, AuditEvent, ServerError};

/// A source is refreshed once this share of its schedule has passed
/// since it was last confirmed current.
pub const REFRESH_SHARE: f64 = 0.5;

/// After a failed attempt, a source is tried again once this share of its
/// schedule has passed (a 24 h source: every 2.4 h).
pub const RETRY_SHARE: f64 = 0.1;

/// How long an update waits for the new version to be screenable.
const INDEX_WAIT: Duration = Duration::from_secs(30);

/// Who an update was made by, for its audit event.
pub(crate) struct Actor {
    pub user: String,
    pub agency: String,
    pub key_id: String,
}

impl Actor {
    /// The node's own scheduler.
    pub(crate) fn scheduler() -> Actor {
        Actor {
            user: "scheduler".into(),
            agency: "-".into(),
            key_id: "-".into(),
        }
    }
}

fn updater(state: &AppState) -> Result<Updater, ServerError> {
    let paths = state.config.source_paths();
    if let Some(dir) = paths.state.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            ServerError::Account(format!("the sources state folder {}: {e}", dir.display()))
        })?;
    }
    let measures = state
        .config
        .list_sources()
        .map(|c| c.measures)
        .unwrap_or_default();
    Ok(Updater::new(paths)
        .map_err(|e| ServerError::Account(e.to_string()))?
        .with_measure_overrides(measures))
}

/// Updates one declared source (see the module doc): `Err` with the reason
/// when it failed, the previous version staying in force.
pub(crate) async fn update(
    state: &AppState,
    def: &SourceDef,
    actor: &Actor,
) -> Result<SourceUpdateDto, String> {
    let _one = state.source_updates.lock().await;
    let outcome = match updater(state) {
        Ok(u) => u
            .update(&state.store, def, OffsetDateTime::now_utc())
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let event = |outcome: &'static str, detail: serde_json::Value| AuditEvent {
        at: OffsetDateTime::now_utc(),
        actor: actor.user.clone(),
        agency: actor.agency.clone(),
        key_id: actor.key_id.clone(),
        action: "source.update",
        target: Some(def.name.clone()),
        outcome,
        detail,
    };
    let dto = match outcome {
        Ok(Outcome::NotModified) => SourceUpdateDto {
            source: def.name.clone(),
            outcome: "not-modified".into(),
            version: None,
            previous_version: None,
            added: 0,
            changed: 0,
            removed: 0,
            record_errors: 0,
            warnings: 0,
        },
        Ok(Outcome::Imported(i)) => {
            let r = &i.report;
            SourceUpdateDto {
                source: def.name.clone(),
                outcome: if r.unchanged { "unchanged" } else { "imported" }.into(),
                version: Some(r.version.clone()),
                previous_version: r.previous_version.clone(),
                added: r.added.len(),
                changed: r.changed.len(),
                removed: r.removed.len(),
                record_errors: i.record_errors,
                warnings: i.warnings,
            }
        }
        Err(e) => {
            state
                .audit
                .record(event("failed", json!({ "error": e.clone() })));
            return Err(e);
        }
    };
    if dto.outcome == "imported" && !state.refresh_index(INDEX_WAIT).await {
        tracing::warn!(source = %def.name, "imported; the screening index did not catch up in time");
    }
    state.audit.record(event(
        "ok",
        json!({"outcome": dto.outcome, "version": dto.version, "added": dto.added,
               "changed": dto.changed, "removed": dto.removed}),
    ));
    Ok(dto)
}

/// Whether a source is due for an update at `now` (see the module doc).
pub fn is_due(s: &SourceStatus, now: OffsetDateTime) -> bool {
    now >= due_at(s)
}

/// When a source falls due (see the module doc): the later of "a share
/// of the schedule since it was last confirmed current" and, after a
/// failure, "a smaller share since that attempt"; the epoch when neither
/// applies (never tried: due at once). The scheduler takes it at its next
/// round (`[lists] check_every_s`).
pub fn due_at(s: &SourceStatus) -> OffsetDateTime {
    let schedule = s.schedule.max_age().as_secs_f64();
    let after = |at: OffsetDateTime, share: f64| at + time::Duration::seconds_f64(schedule * share);
    let failed_last = match (s.last_attempt, s.last_success) {
        (Some(a), Some(ok)) => a > ok,
        (Some(_), None) => true,
        _ => false,
    };
    let retry = s
        .last_attempt
        .filter(|_| failed_last)
        .map(|a| after(a, RETRY_SHARE));
    let refresh = s.last_success.map(|ok| after(ok, REFRESH_SHARE));
    retry
        .into_iter()
        .chain(refresh)
        .max()
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// When a source confirmed current at `last_success` turns stale: its
/// schedule after that (`tansiq_sources::is_stale`).
pub fn stale_at(s: &SourceStatus) -> Option<OffsetDateTime> {
    s.last_success.map(|ok| ok + s.schedule.max_age())
}

/// The state of every declared source now (empty without `[[sources]]`).
pub(crate) async fn status(state: &AppState) -> Result<Vec<SourceStatus>, ServerError> {
    let config = state.config.list_sources()?;
    if config.sources.is_empty() {
        return Ok(Vec::new());
    }
    updater(state)?
        .status(&state.store, &config, OffsetDateTime::now_utc())
        .await
        .map_err(|e| ServerError::Account(e.to_string()))
}

/// Publishes what [`status`] says: the `list_stale` and
/// `list_last_success_timestamp_seconds` gauges, and the stale sources
/// `/readyz` reports.
pub(crate) fn publish(state: &AppState, statuses: &[SourceStatus]) {
    let mut stale = Vec::new();
    for s in statuses {
        let labels = SourceLabels {
            source: s.name.clone(),
        };
        state
            .metrics
            .list_stale
            .get_or_create(&labels)
            .set(i64::from(s.stale));
        if let Some(at) = s.last_success {
            state
                .metrics
                .list_last_success
                .get_or_create(&labels)
                .set(at.unix_timestamp());
        }
        if s.stale {
            let when = s.last_success.map_or_else(
                || "never imported".to_string(),
                |at| format!("last confirmed current {}", crate::dto::rfc3339(at)),
            );
            let why = s
                .last_error
                .as_deref()
                .map(|e| format!("; last error: {e}"))
                .unwrap_or_default();
            stale.push(format!(
                "list {} is stale: {when}, schedule {}{why}",
                s.name,
                tansiq_sources::format_duration(s.schedule.max_age())
            ));
        }
    }
    if let Ok(mut slot) = state.stale_sources.lock() {
        *slot = stale;
    }
}

/// Updates every due source, one after the other, every `[lists]
/// check_every_s`; publishes staleness after each round. Stops when the
/// state is dropped.
pub(crate) async fn scheduler_loop(state: std::sync::Weak<crate::state::Inner>) {
    loop {
        let Some(inner) = state.upgrade() else { return };
        let every = Duration::from_secs(inner.config.lists.check_every_s.max(1));
        let state = AppState::from_inner(inner);
        match status(&state).await {
            Ok(statuses) => {
                let now = OffsetDateTime::now_utc();
                let due: Vec<&SourceStatus> = statuses
                    .iter()
                    .filter(|s| state.config.lists.auto_update && is_due(s, now))
                    .collect();
                if due.is_empty() {
                    publish(&state, &statuses);
                } else {
                    if let Ok(config) = state.config.list_sources() {
                        for name in due.iter().map(|s| &s.name) {
                            let Some(def) = config.source(name) else {
                                continue;
                            };
                            match update(&state, def, &Actor::scheduler()).await {
                                Ok(d) => tracing::info!(source = %name, outcome = %d.outcome,
                                    version = ?d.version, "list source updated on schedule"),
                                Err(e) => tracing::warn!(source = %name, error = %e,
                                    "list source update failed; the previous version stays in force"),
                            }
                        }
                    }
                    // what the updates changed
                    match status(&state).await {
                        Ok(after) => publish(&state, &after),
                        Err(e) => tracing::warn!(error = %e, "reading the list sources' state"),
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "reading the list sources' state"),
        }
        drop(state);
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tansiq_lists::Format;
    use tansiq_sources::Schedule;

    fn status(
        last_success: Option<i64>,
        last_attempt: Option<i64>,
        schedule_h: u64,
    ) -> SourceStatus {
        let at = |h: i64| OffsetDateTime::UNIX_EPOCH + time::Duration::hours(h);
        SourceStatus {
            name: "un-sc".into(),
            format: Format::UnXml,
            origin: "https://example.invalid/un.xml".into(),
            schedule: Schedule::new(Duration::from_secs(schedule_h * 3600)).unwrap(),
            version: last_success.map(|_| "v1".into()),
            imported_at: None,
            active: 0,
            total: 0,
            last_success: last_success.map(at),
            last_attempt: last_attempt.map(at),
            last_error: None,
            last_failure_at: None,
            last_failure: None,
            stale: false,
        }
    }

    #[test]
    fn due_before_stale_and_not_hammered_after_a_failure() {
        let now = OffsetDateTime::UNIX_EPOCH + time::Duration::hours(100);
        // never imported, never tried
        assert!(is_due(&status(None, None, 24), now));
        // confirmed 11 h ago on a 24 h schedule: not yet; 13 h ago: due
        assert!(!is_due(&status(Some(89), Some(89), 24), now));
        assert!(is_due(&status(Some(87), Some(87), 24), now));
        // failed 1 h ago: wait 2.4 h; failed 3 h ago: try again
        assert!(!is_due(&status(Some(70), Some(99), 24), now));
        assert!(is_due(&status(Some(70), Some(97), 24), now));
        assert!(!is_due(&status(None, Some(99), 24), now));
    }

    #[test]
    fn due_at_is_when_is_due_turns_true() {
        let at = |h: i64| OffsetDateTime::UNIX_EPOCH + time::Duration::hours(h);
        // confirmed at 88 h on 24 h: due at 100 h
        assert_eq!(due_at(&status(Some(88), Some(88), 24)), at(100));
        // failed at 99 h after a success at 70 h: retried at 101.4 h
        let s = status(Some(70), Some(99), 24);
        assert_eq!(due_at(&s), at(99) + time::Duration::minutes(144));
        // never tried: at once
        assert_eq!(due_at(&status(None, None, 24)), OffsetDateTime::UNIX_EPOCH);
        for (ok, attempt) in [(Some(88), Some(88)), (Some(70), Some(99)), (None, Some(99))] {
            let s = status(ok, attempt, 24);
            let d = due_at(&s);
            assert!(is_due(&s, d) && !is_due(&s, d - time::Duration::seconds(1)));
        }
        assert_eq!(stale_at(&status(Some(88), Some(88), 24)), Some(at(112)));
    }
}
