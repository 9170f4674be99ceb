//! One national entry: its edit form and its version history as a
//! readable diff (names added and removed, fields changed, version by
//! version). An edit posts the version the page showed and is applied
//! with `If-Match`: when someone changed the entry meanwhile, nothing is
//! saved, the page says so, shows what changed in the history and keeps
//! the person's input in the form, now based on the current version.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::api;
use super::countries;
use super::entries::{self, EntryForm};
use super::i18n::Lang;
use super::pages::{self, Nav};
use super::session::Session;
use crate::AppState;
use crate::dto::{EntryDto, HistoryItemDto};

#[derive(Debug, Default, Deserialize)]
pub struct EntryQuery {
    #[serde(default)]
    pub done: Option<String>,
}

pub async fn get(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Query(q): Query<EntryQuery>,
) -> Response {
    if let Some(r) = pages::require(&s, Nav::Entries) {
        return r;
    }
    let top = match q.done.as_deref() {
        Some("updated") => pages::notice("ok", &s.lang.t("done-updated")),
        _ => html! {},
    };
    render(&state, &s, &id, top, None).await
}

/// The entry page: `form` is the person's input to show again (after a
/// refused save), else the stored entry.
async fn render(
    state: &AppState,
    s: &Session,
    id: &str,
    top: Markup,
    form: Option<EntryForm>,
) -> Response {
    let l = s.lang;
    let current = match api::entry(state, &s.principal, id).await {
        Ok(e) => e,
        Err(e) => {
            let body = html! { (top) (pages::api_error(l, &e)) (back(l)) };
            return pages::page(s, Nav::Entries, &l.t("entry-title"), body);
        }
    };
    let history = api::entry_history(state, &s.principal, id).await;
    let mut form = form.unwrap_or_else(|| EntryForm::of(&current));
    form.version = current.version;
    let title = current
        .names
        .first()
        .cloned()
        .unwrap_or_else(|| id.to_string());
    let body = html! {
        (top)
        p {
            (l.ta("entry-version", &[("n", current.version.to_string())])) " · "
            code { (current.id) }
            @if current.status == "withdrawn" { " · " strong { (l.t("entry-withdrawn")) } }
        }
        @if current.status == "active" {
            section aria-labelledby="edit-title" {
                h2 #edit-title { (l.t("entry-edit")) }
                form method="post" action={ "/console/entries/" (current.id) } {
                    (pages::csrf_field(s))
                    input type="hidden" name="version" value=(form.version);
                    (entries::fields(l, &form, true))
                    button.primary type="submit" { (l.t("save")) }
                }
            }
        }
        section aria-labelledby="history-title" {
            h2 #history-title { (l.t("entry-history")) }
            @match &history {
                Err(e) => (pages::api_error(l, e)),
                Ok(h) => (history_list(l, &h.versions)),
            }
        }
        (back(l))
    };
    pages::page(s, Nav::Entries, &title, body)
}

fn back(l: Lang) -> Markup {
    html! { p { a href="/console/entries" { (l.t("back-to-entries")) } } }
}

/// The versions, newest first, each with what changed from the one before.
fn history_list(l: Lang, versions: &[HistoryItemDto]) -> Markup {
    html! {
        ol.versions reversed {
            @for (i, v) in versions.iter().enumerate().rev() {
                li value=(v.version) {
                    p.version-head {
                        strong { (l.ta("entry-version", &[("n", v.version.to_string())])) }
                        " · " (change_kind(l, &v.change))
                        " · " (pages::time(&v.recorded_at)) " · " bdi { (v.actor) }
                        // The store's own words for a plain write repeat the kind.
                        @if !v.reason.is_empty() && !matches!(v.reason.as_str(), "created" | "updated") {
                            " · " bdi { (v.reason) }
                        }
                    }
                    @if i > 0 {
                        @let deltas = diff(&versions[i - 1].entry, &v.entry);
                        @if deltas.is_empty() {
                            p.hint { (l.t("diff-nothing")) }
                        } @else {
                            ul.diff {
                                @for d in &deltas { li { (delta(l, d)) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn change_kind(l: Lang, change: &str) -> String {
    match change {
        "created" | "added" => l.t("change-created"),
        "updated" | "changed" => l.t("change-updated"),
        "withdrawn" | "removed" => l.t("change-withdrawn"),
        other => other.to_string(),
    }
}

/// One difference between two versions of an entry.
#[derive(Debug, PartialEq, Eq)]
pub enum Delta {
    /// A value of a multi-valued field (a name, an alias, a date of birth…)
    /// is new.
    Added(Field, String),
    /// A value of a multi-valued field is gone.
    Removed(Field, String),
    /// A single-valued field changed (empty: no value).
    Changed(Field, String, String),
}

/// The fields of an entry a diff names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Names,
    Aliases,
    WeakAliases,
    BirthDates,
    BirthPlaces,
    Nationalities,
    Passports,
    IdNumbers,
    Gender,
    Notes,
    WarrantNumber,
    Court,
    IssuedOn,
    Offence,
    Basis,
    Action,
    ValidFrom,
    ValidUntil,
    ReviewOn,
    Visibility,
    SharedWith,
    Federation,
    Status,
}

impl Field {
    #[cfg(test)]
    pub const ALL: [Field; 23] = [
        Field::Names,
        Field::Aliases,
        Field::WeakAliases,
        Field::BirthDates,
        Field::BirthPlaces,
        Field::Nationalities,
        Field::Passports,
        Field::IdNumbers,
        Field::Gender,
        Field::Notes,
        Field::WarrantNumber,
        Field::Court,
        Field::IssuedOn,
        Field::Offence,
        Field::Basis,
        Field::Action,
        Field::ValidFrom,
        Field::ValidUntil,
        Field::ReviewOn,
        Field::Visibility,
        Field::SharedWith,
        Field::Federation,
        Field::Status,
    ];

    fn key(self) -> &'static str {
        match self {
            Field::Names => "diff-names",
            Field::Aliases => "diff-aliases",
            Field::WeakAliases => "weak-aliases",
            Field::BirthDates => "field-birth-date",
            Field::BirthPlaces => "birth-places",
            Field::Nationalities => "field-nationality",
            Field::Passports => "field-document",
            Field::IdNumbers => "id-numbers",
            Field::Gender => "gender",
            Field::Notes => "notes",
            Field::WarrantNumber => "warrant-number",
            Field::Court => "court",
            Field::IssuedOn => "issued-on",
            Field::Offence => "offence",
            Field::Basis => "legal-basis",
            Field::Action => "action-on-hit",
            Field::ValidFrom => "valid-from",
            Field::ValidUntil => "valid-until",
            Field::ReviewOn => "review-on",
            Field::Visibility => "visibility",
            Field::SharedWith => "shared-with",
            Field::Federation => "federation-sharing",
            Field::Status => "entry-status",
        }
    }
}

/// What changed from `a` to `b`: for each multi-valued field the values
/// added then removed (in the entry's order), then each single-valued
/// field that differs.
pub fn diff(a: &EntryDto, b: &EntryDto) -> Vec<Delta> {
    let mut out = Vec::new();
    let many: [(Field, &Vec<String>, &Vec<String>); 9] = [
        (Field::Names, &a.names, &b.names),
        (Field::Aliases, &a.aliases, &b.aliases),
        (Field::WeakAliases, &a.weak_aliases, &b.weak_aliases),
        (Field::BirthDates, &a.birth_dates, &b.birth_dates),
        (Field::BirthPlaces, &a.birth_places, &b.birth_places),
        (Field::Nationalities, &a.nationalities, &b.nationalities),
        (Field::Passports, &a.passport_numbers, &b.passport_numbers),
        (Field::IdNumbers, &a.id_numbers, &b.id_numbers),
        (Field::SharedWith, &a.sharing.agencies, &b.sharing.agencies),
    ];
    for (f, old, new) in many {
        for v in new.iter().filter(|v| !old.contains(v)) {
            out.push(Delta::Added(f, v.clone()));
        }
        for v in old.iter().filter(|v| !new.contains(v)) {
            out.push(Delta::Removed(f, v.clone()));
        }
    }
    let text = |o: &Option<String>| o.clone().unwrap_or_default();
    let (la, lb) = (&a.legal_basis, &b.legal_basis);
    let (va, vb) = (&a.validity, &b.validity);
    let one: [(Field, String, String); 14] = [
        (Field::Gender, text(&a.gender), text(&b.gender)),
        (Field::Notes, text(&a.notes), text(&b.notes)),
        (
            Field::WarrantNumber,
            text(&la.warrant_number),
            text(&lb.warrant_number),
        ),
        (Field::Court, text(&la.court), text(&lb.court)),
        (Field::IssuedOn, text(&la.issued_on), text(&lb.issued_on)),
        (Field::Offence, text(&la.offence), text(&lb.offence)),
        (Field::Basis, text(&la.basis), text(&lb.basis)),
        (
            Field::Action,
            text(&a.action_on_hit),
            text(&b.action_on_hit),
        ),
        (Field::ValidFrom, text(&va.valid_from), text(&vb.valid_from)),
        (
            Field::ValidUntil,
            text(&va.valid_until),
            text(&vb.valid_until),
        ),
        (Field::ReviewOn, text(&va.review_on), text(&vb.review_on)),
        (
            Field::Visibility,
            a.sharing.visibility.clone(),
            b.sharing.visibility.clone(),
        ),
        (
            Field::Federation,
            a.sharing.federation.clone(),
            b.sharing.federation.clone(),
        ),
        (Field::Status, a.status.clone(), b.status.clone()),
    ];
    for (f, old, new) in one {
        if old != new {
            out.push(Delta::Changed(f, old, new));
        }
    }
    out
}

/// A field's value in words where the console has them.
fn value(l: Lang, f: Field, v: &str) -> String {
    if v.is_empty() {
        return l.t("diff-empty");
    }
    match f {
        Field::Action => super::screen::action(l, Some(v)),
        Field::Nationalities => countries::display(l, v),
        Field::Visibility => match v {
            "originator" => l.t("visibility-originator"),
            "national" => l.t("visibility-national"),
            "agencies" => l.t("visibility-agencies"),
            other => other.to_string(),
        },
        Field::Status => match v {
            "active" => l.t("entry-active"),
            "withdrawn" => l.t("entry-withdrawn"),
            other => other.to_string(),
        },
        _ => v.to_string(),
    }
}

pub fn delta(l: Lang, d: &Delta) -> Markup {
    match d {
        Delta::Added(f, v) => html! {
            span.added { (l.t("diff-added")) } " " (l.t(f.key())) ": " bdi { (value(l, *f, v)) }
        },
        Delta::Removed(f, v) => html! {
            span.removed { (l.t("diff-removed")) } " " (l.t(f.key())) ": " del { bdi { (value(l, *f, v)) } }
        },
        Delta::Changed(f, a, b) => html! {
            span.changed { (l.t("diff-changed")) } " " (l.t(f.key())) ": "
            del { bdi { (value(l, *f, a)) } } " " (l.t("diff-arrow")) " " ins { bdi { (value(l, *f, b)) } }
        },
    }
}

pub async fn post(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Form(f): Form<EntryForm>,
) -> Response {
    if let Some(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    if let Some(r) = pages::require(&s, Nav::Entries) {
        return r;
    }
    let l = s.lang;
    // What the form does not show is kept as stored; the write is
    // conditional on the version the page showed, so a change made
    // meanwhile (to any field) refuses it.
    let current = match api::entry(&state, &s.principal, &id).await {
        Ok(e) => e,
        Err(e) => return render(&state, &s, &id, pages::api_error(l, &e), Some(f)).await,
    };
    let input = f.apply(entries::input_of(&current));
    match api::update_entry(&state, &s.principal, &id, f.version, input).await {
        Ok(_) => Redirect::to(&format!("/console/entries/{id}?done=updated")).into_response(),
        Err(e) if e.status.as_u16() == 409 => {
            let msg = l.ta(
                "entry-changed-meanwhile",
                &[
                    ("a", f.version.to_string()),
                    ("b", current.version.to_string()),
                ],
            );
            render(&state, &s, &id, pages::notice("error", &msg), Some(f)).await
        }
        Err(e) => render(&state, &s, &id, pages::api_error(l, &e), Some(f)).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::{LegalBasisDto, SharingDto, ValidityDto};

    fn entry() -> EntryDto {
        EntryDto {
            id: "agency-a-1".into(),
            version: 1,
            status: "active".into(),
            origin_agency: Some("agency-a".into()),
            schema: "Person".into(),
            names: vec!["Rachid Fictif Benamar".into()],
            aliases: vec!["رشيد بن عمر".into()],
            weak_aliases: Vec::new(),
            birth_dates: vec!["1983-02-11".into()],
            birth_places: Vec::new(),
            nationalities: vec!["dz".into()],
            gender: None,
            passport_numbers: Vec::new(),
            id_numbers: Vec::new(),
            notes: None,
            legal_basis: LegalBasisDto {
                warrant_number: Some("DEMO-1".into()),
                ..LegalBasisDto::default()
            },
            action_on_hit: Some("arrest".into()),
            validity: ValidityDto::default(),
            sharing: SharingDto::default(),
        }
    }

    #[test]
    fn diff_names_added_and_removed_and_fields_changed() {
        let a = entry();
        let mut b = entry();
        b.version = 2;
        b.aliases = vec!["Rachid Benamar".into()];
        b.nationalities.push("tn".into());
        b.action_on_hit = Some("inform".into());
        b.legal_basis.warrant_number = None;
        assert_eq!(
            diff(&a, &b),
            vec![
                Delta::Added(Field::Aliases, "Rachid Benamar".into()),
                Delta::Removed(Field::Aliases, "رشيد بن عمر".into()),
                Delta::Added(Field::Nationalities, "tn".into()),
                Delta::Changed(Field::WarrantNumber, "DEMO-1".into(), String::new()),
                Delta::Changed(Field::Action, "arrest".into(), "inform".into()),
            ]
        );
        assert!(diff(&a, &a).is_empty());
    }

    #[test]
    fn every_field_has_words_in_every_language() {
        for l in Lang::ALL {
            for f in Field::ALL {
                assert_ne!(l.t(f.key()), f.key(), "{f:?} has no words in {l:?}");
            }
        }
    }

    #[test]
    fn a_diff_reads_in_words() {
        let d = Delta::Changed(Field::Action, "arrest".into(), "inform".into());
        let text = delta(Lang::En, &d).into_string();
        assert!(text.contains("Action on hit"), "{text}");
        assert!(
            text.contains("Arrest") && text.contains("Inform the issuing agency"),
            "{text}"
        );
        let d = Delta::Added(Field::Nationalities, "tn".into());
        assert!(delta(Lang::Fr, &d).into_string().contains("Tunisie (TN)"));
    }

    #[test]
    fn the_edit_form_keeps_what_it_does_not_show() {
        let mut e = entry();
        e.weak_aliases = vec!["Abou Rachid".into()];
        e.notes = Some("fictitious".into());
        e.legal_basis.issued_on = Some("2025-01-02".into());
        let mut f = EntryForm::of(&e);
        f.aliases.push_str("\nRachid Benamar");
        f.nationality = "DZ, TN".into();
        let input = f.apply(entries::input_of(&e));
        assert_eq!(input.weak_aliases, vec!["Abou Rachid".to_string()]);
        assert_eq!(input.notes.as_deref(), Some("fictitious"));
        assert_eq!(input.legal_basis.issued_on.as_deref(), Some("2025-01-02"));
        assert_eq!(input.aliases.len(), 2);
        assert_eq!(
            input.nationalities,
            vec!["DZ".to_string(), "TN".to_string()]
        );
        assert_eq!(input.names, e.names);
        assert_eq!(input.action_on_hit, "arrest");
    }
}
