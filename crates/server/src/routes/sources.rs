//! The lists screened now, and how fresh each is.

use axum::extract::State;
use tansiq_store::Role;
use time::OffsetDateTime;

use crate::auth::Principal;
use crate::dto::*;
use crate::error::Problem;
use crate::{ApiError, AppState};

/// A list imported by hand (not declared in `[[sources]]`, so with no
/// schedule of its own) counts as stale after this many days: public lists
/// change weekly or faster.
pub const UNSCHEDULED_STALE_DAYS: i64 = 7;

/// How many names of each kind (added, changed, withdrawn) the last
/// update of a list shows: enough to see what it was about.
pub const UPDATE_NAMES_SHOWN: usize = 5;

/// The lists screened now.
///
/// Each list source with its version, counts and age; for a declared source also its schedule, last
/// success and attempt, when it is next due and turns stale, its last failure and why; and for a
/// public list what its last update added, changed and withdrew (counts and a few names), so an
/// operator can see a stale or failing list before an officer does.
#[utoipa::path(get, path = "/v1/sources", tag = "sources", security(("bearer" = [])),
    responses(
        (status = 200, description = "Lists screened now, with versions, ages, schedules, failures and last changes", body = SourcesResponse),
        (status = 403, description = "Not a node administrator or analyst", body = Problem)))]
pub(crate) async fn sources(
    State(state): State<AppState>,
    p: Principal,
) -> Result<axum::Json<SourcesResponse>, ApiError> {
    p.require(&[Role::NodeAdmin, Role::Analyst])?;
    let now = OffsetDateTime::now_utc();
    // Declared sources; a configuration or state file that cannot be read
    // leaves the loaded lists listed, without schedules.
    let declared = match crate::sources::status(&state).await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "reading the declared list sources");
            Vec::new()
        }
    };
    let auto = state.config.lists.auto_update;
    let snap = state.index.load();
    let mut names: Vec<String> = snap.lists.iter().map(|l| l.source.clone()).collect();
    for d in &declared {
        if !names.contains(&d.name) {
            names.push(d.name.clone());
        }
    }
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let loaded = snap.lists.iter().find(|l| l.source == name);
        let decl = declared.iter().find(|d| d.name == name);
        let national = name == tansiq_store::NATIONAL_SOURCE;
        let imported_at = loaded
            .and_then(|l| l.imported_at)
            .or(decl.and_then(|d| d.imported_at));
        let version = loaded
            .and_then(|l| l.version.clone())
            .or(decl.and_then(|d| d.version.clone()));
        let mut dto = SourceDto {
            source: name.clone(),
            version: version.clone(),
            imported_at: imported_at.map(rfc3339),
            active: (!national).then(|| loaded.map_or(0, |l| l.active)),
            kind: if national {
                "national"
            } else if decl.is_some() {
                "scheduled"
            } else {
                "manual"
            }
            .into(),
            schedule_seconds: None,
            last_success_at: imported_at.map(rfc3339),
            last_attempt_at: None,
            next_due_at: None,
            stale_at: None,
            stale: false,
            last_failure: None,
            last_update: None,
        };
        if let Some(d) = decl {
            let failing = d.last_error.is_some();
            dto.schedule_seconds = Some(d.schedule.max_age().as_secs());
            dto.last_success_at = d.last_success.map(rfc3339);
            dto.last_attempt_at = d.last_attempt.map(rfc3339);
            // Never tried: due at once (the epoch says "any time").
            let due = crate::sources::due_at(d);
            let due = if due == OffsetDateTime::UNIX_EPOCH {
                now
            } else {
                due
            };
            dto.next_due_at = auto.then(|| rfc3339(due));
            dto.stale_at = crate::sources::stale_at(d).map(rfc3339);
            dto.stale = d.stale;
            dto.last_failure = match (&d.last_failure, &d.last_error) {
                (Some(e), _) => Some(SourceFailureDto {
                    at: d.last_failure_at.map(rfc3339),
                    error: e.clone(),
                    current: failing,
                }),
                // a state file written before failures were kept
                (None, Some(e)) => Some(SourceFailureDto {
                    at: d.last_attempt.map(rfc3339),
                    error: e.clone(),
                    current: true,
                }),
                (None, None) => None,
            };
        } else if !national {
            let limit = time::Duration::days(UNSCHEDULED_STALE_DAYS);
            dto.stale_at = imported_at.map(|t| rfc3339(t + limit));
            dto.stale = imported_at.is_none_or(|t| now - t > limit);
        }
        if !national && let Some(v) = &version {
            dto.last_update = last_update(&state, &snap, &name, v).await?;
        }
        out.push(dto);
    }
    Ok(axum::Json(SourcesResponse { sources: out }))
}

/// What version `version` of list `source` changed, with a few names.
async fn last_update(
    state: &AppState,
    snap: &crate::Snapshot,
    source: &str,
    version: &str,
) -> Result<Option<ListUpdateDto>, ApiError> {
    let versions = state.store.list_versions(source).await?;
    let Some(v) = versions
        .iter()
        .filter(|v| v.version == version)
        .max_by_key(|v| v.seq)
    else {
        return Ok(None);
    };
    let diff = state.store.list_version_changes(source, version).await?;
    let first = |ids: Vec<&String>| -> Vec<String> {
        ids.into_iter().take(UPDATE_NAMES_SHOWN).cloned().collect()
    };
    let added = first(diff.added.iter().collect());
    let changed = first(diff.changed.iter().map(|c| &c.0).collect());
    let withdrawn = first(diff.removed.iter().collect());
    Ok(Some(ListUpdateDto {
        version: v.version.clone(),
        imported_at: rfc3339(v.imported_at),
        added: v.added,
        changed: v.changed,
        withdrawn: v.removed,
        added_names: captions(state, snap, &added).await?,
        changed_names: captions(state, snap, &changed).await?,
        withdrawn_names: captions(state, snap, &withdrawn).await?,
    }))
}

/// The names of entities by id: from the index when active, else from
/// the store (a withdrawn entry keeps its name there).
async fn captions(
    state: &AppState,
    snap: &crate::Snapshot,
    ids: &[String],
) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let name = match snap.index.entity(id) {
            Some(e) => e.caption(),
            None => match state.store.entity(id).await? {
                Some(e) => e.caption(),
                None => id.clone(),
            },
        };
        out.push(name);
    }
    Ok(out)
}
