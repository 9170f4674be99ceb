//! The contact point's national entries: the agency's active entries, a
//! form to create one (names in any script, legal basis, action on hit,
//! validity, who may see it) and withdrawal with a reason.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::api;
use super::i18n::Lang;
use super::pages::{self, Nav};
use super::session::Session;
use crate::AppState;
use crate::dto::{EntryDto, EntryInput, LegalBasisDto, SharingDto, ValidityDto};

/// The entry form as posted (creation and edit). Names and aliases are
/// one per line; dates of birth, nationalities and passport numbers may
/// be several, separated by commas.
#[derive(Debug, Default, Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    pub csrf: String,
    /// The version the edit page showed (sent as `If-Match`).
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub aliases: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub nationality: String,
    #[serde(default)]
    pub passport: String,
    #[serde(default)]
    pub warrant_number: String,
    #[serde(default)]
    pub court: String,
    #[serde(default)]
    pub offence: String,
    #[serde(default)]
    pub basis: String,
    #[serde(default)]
    pub action_on_hit: String,
    #[serde(default)]
    pub valid_until: String,
    #[serde(default)]
    pub visibility: String,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn lines(s: &str) -> Vec<String> {
    s.lines().filter_map(opt).collect()
}

/// Values separated by commas or line breaks.
fn several(s: &str) -> Vec<String> {
    s.split([',', '\n']).filter_map(opt).collect()
}

impl EntryForm {
    /// A new entry: the form's fields, nothing else.
    fn to_input(&self) -> EntryInput {
        let blank = EntryInput {
            schema: None,
            names: Vec::new(),
            aliases: Vec::new(),
            weak_aliases: Vec::new(),
            birth_dates: Vec::new(),
            birth_places: Vec::new(),
            nationalities: Vec::new(),
            gender: None,
            passport_numbers: Vec::new(),
            id_numbers: Vec::new(),
            notes: None,
            legal_basis: LegalBasisDto::default(),
            action_on_hit: String::new(),
            validity: ValidityDto::default(),
            sharing: SharingDto::default(),
        };
        self.apply(blank)
    }

    /// `base` with the fields this form edits replaced by the form's;
    /// what the form does not show (weak aliases, places of birth, notes,
    /// the warrant's date…) is kept as it is.
    pub fn apply(&self, mut base: EntryInput) -> EntryInput {
        base.names = lines(&self.name);
        base.aliases = lines(&self.aliases);
        base.birth_dates = several(&self.birth_date);
        base.nationalities = several(&self.nationality);
        base.passport_numbers = several(&self.passport);
        base.legal_basis.warrant_number = opt(&self.warrant_number);
        base.legal_basis.court = opt(&self.court);
        base.legal_basis.offence = opt(&self.offence);
        base.legal_basis.basis = opt(&self.basis);
        base.action_on_hit = self.action_on_hit.clone();
        base.validity.valid_until = opt(&self.valid_until);
        let visibility = opt(&self.visibility).unwrap_or_else(|| "originator".into());
        if visibility != base.sharing.visibility {
            base.sharing.agencies.clear();
        }
        base.sharing.visibility = visibility;
        base
    }

    /// The form showing an entry as stored.
    pub fn of(e: &EntryDto) -> EntryForm {
        let lb = &e.legal_basis;
        EntryForm {
            csrf: String::new(),
            version: e.version,
            name: e.names.join("\n"),
            aliases: e.aliases.join("\n"),
            birth_date: e.birth_dates.join(", "),
            nationality: e
                .nationalities
                .iter()
                .map(|n| n.to_ascii_uppercase())
                .collect::<Vec<_>>()
                .join(", "),
            passport: e.passport_numbers.join(", "),
            warrant_number: lb.warrant_number.clone().unwrap_or_default(),
            court: lb.court.clone().unwrap_or_default(),
            offence: lb.offence.clone().unwrap_or_default(),
            basis: lb.basis.clone().unwrap_or_default(),
            action_on_hit: e.action_on_hit.clone().unwrap_or_default(),
            valid_until: e.validity.valid_until.clone().unwrap_or_default(),
            visibility: e.sharing.visibility.clone(),
        }
    }
}

/// The API input that writes `e` back unchanged.
pub fn input_of(e: &EntryDto) -> EntryInput {
    EntryInput {
        schema: Some(e.schema.clone()),
        names: e.names.clone(),
        aliases: e.aliases.clone(),
        weak_aliases: e.weak_aliases.clone(),
        birth_dates: e.birth_dates.clone(),
        birth_places: e.birth_places.clone(),
        nationalities: e.nationalities.clone(),
        gender: e.gender.clone(),
        passport_numbers: e.passport_numbers.clone(),
        id_numbers: e.id_numbers.clone(),
        notes: e.notes.clone(),
        legal_basis: e.legal_basis.clone(),
        action_on_hit: e.action_on_hit.clone().unwrap_or_default(),
        validity: e.validity.clone(),
        sharing: e.sharing.clone(),
    }
}

/// The entry form's fields (creation and edit alike).
pub fn fields(l: Lang, form: &EntryForm, many_names: bool) -> Markup {
    let field = |id: &str, key: &str, value: &str, dir: &str| {
        html! { div { label for=(id) { (l.t(key)) } input id=(id) name=(id) type="text" value=(value) dir=(dir); } }
    };
    html! {
        div.grid {
            div {
                label for="name" { (l.t(if many_names { "names" } else { "field-name" })) }
                @if many_names {
                    textarea #name name="name" rows="2" required dir="auto" { (form.name) }
                } @else {
                    input #name name="name" type="text" value=(form.name) required dir="auto";
                }
            }
            div { label for="aliases" { (l.t("aliases")) } textarea #aliases name="aliases" rows="2" dir="auto" { (form.aliases) } }
            (field("birth_date", "field-birth-date", &form.birth_date, "ltr"))
            (field("nationality", "field-nationality", &form.nationality, "ltr"))
            (field("passport", "field-document", &form.passport, "ltr"))
            (field("warrant_number", "warrant-number", &form.warrant_number, "auto"))
            (field("court", "court", &form.court, "auto"))
            (field("offence", "offence", &form.offence, "auto"))
            (field("basis", "legal-basis", &form.basis, "auto"))
            (field("valid_until", "valid-until", &form.valid_until, "ltr"))
            div {
                label for="action_on_hit" { (l.t("action-on-hit")) }
                select #action_on_hit name="action_on_hit" {
                    @for (v, k) in ACTIONS { option value=(v) selected[form.action_on_hit == v] { (l.t(k)) } }
                }
            }
            div {
                label for="visibility" { (l.t("visibility")) }
                select #visibility name="visibility" {
                    option value="originator" selected[form.visibility == "originator" || form.visibility.is_empty()] { (l.t("visibility-originator")) }
                    option value="national" selected[form.visibility == "national"] { (l.t("visibility-national")) }
                    @if form.visibility == "agencies" {
                        option value="agencies" selected { (l.t("visibility-agencies")) }
                    }
                }
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub done: Option<String>,
    /// Entries an import wrote, and the rows it had.
    #[serde(default)]
    pub n: Option<usize>,
    #[serde(default)]
    pub of: Option<usize>,
}

pub const ACTIONS: [(&str, &str); 5] = [
    ("arrest", "action-arrest"),
    ("refuse-entry", "action-refuse-entry"),
    ("discreet-check", "action-discreet-check"),
    ("specific-check", "action-specific-check"),
    ("inform", "action-inform"),
];

pub async fn list(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<ListQuery>,
) -> Response {
    if let Some(r) = pages::require(&s, Nav::Entries) {
        return r;
    }
    let imported = match (q.done.as_deref(), q.n, q.of) {
        (Some("imported"), Some(n), Some(of)) => Some(pages::notice(
            "ok",
            &s.lang.ta(
                "done-imported",
                &[
                    ("n", n.to_string()),
                    ("a", of.saturating_sub(n).to_string()),
                ],
            ),
        )),
        _ => None,
    };
    render(
        &state,
        &s,
        q.done.as_deref(),
        imported,
        &EntryForm::default(),
    )
    .await
}

async fn render(
    state: &AppState,
    s: &Session,
    done: Option<&str>,
    error: Option<maud::Markup>,
    form: &EntryForm,
) -> Response {
    let l = s.lang;
    let entries = api::entries(state, &s.principal).await;
    let body = html! {
        @match done {
            Some("created") => (pages::notice("ok", &l.t("done-created"))),
            Some("withdrawn") => (pages::notice("ok", &l.t("done-withdrawn"))),
            _ => {}
        }
        @if let Some(e) = error { (e) }
        p { a href="/console/entries/import" { (l.t("import-title")) } }
        @match &entries {
            Err(e) => (pages::api_error(l, e)),
            Ok(list) if list.entries.is_empty() => p { (l.t("entries-empty")) },
            Ok(list) => table {
                caption { (l.ta("entries-count", &[("n", list.entries.len().to_string())])) }
                thead { tr {
                    th scope="col" { (l.t("field-name")) }
                    th scope="col" { (l.t("field-birth-date")) }
                    th scope="col" { (l.t("action-on-hit")) }
                    th scope="col" { (l.t("legal-basis")) }
                    th scope="col" { (l.t("withdraw")) }
                } }
                tbody {
                    @for e in &list.entries {
                        tr {
                            td {
                                ul.names { @for n in e.names.iter().chain(&e.aliases) { li { bdi dir="auto" { (n) } } } }
                                a href={ "/console/entries/" (e.id) } { (l.t("entry-open")) }
                            }
                            td { (e.birth_dates.join(", ")) }
                            td { (super::screen::action(l, e.action_on_hit.as_deref())) }
                            td { (e.legal_basis.warrant_number.clone().unwrap_or_default()) " " (e.legal_basis.offence.clone().unwrap_or_default()) }
                            td {
                                form.inline method="post" action={ "/console/entries/" (e.id) "/withdraw" } {
                                    (pages::csrf_field(s))
                                    input type="hidden" name="version" value=(e.version);
                                    label for={ "why-" (e.id) } { (l.t("withdraw-reason")) }
                                    input id={ "why-" (e.id) } name="reason" type="text" required;
                                    button type="submit" { (l.t("withdraw")) }
                                }
                            }
                        }
                    }
                }
            },
        }
        h2 { (l.t("entry-new")) }
        form method="post" action="/console/entries" {
            (pages::csrf_field(s))
            (fields(l, form, false))
            button.primary type="submit" { (l.t("create")) }
        }
    };
    pages::page(s, Nav::Entries, &l.t("entries-title"), body)
}

pub async fn create(
    State(state): State<AppState>,
    s: Session,
    Form(f): Form<EntryForm>,
) -> Response {
    if let Some(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    if let Some(r) = pages::require(&s, Nav::Entries) {
        return r;
    }
    match api::create_entry(&state, &s.principal, f.to_input()).await {
        Ok(_) => Redirect::to("/console/entries?done=created").into_response(),
        Err(e) => {
            let err = pages::api_error(s.lang, &e);
            render(&state, &s, None, Some(err), &f).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    pub csrf: String,
    /// The entry version the page showed: the withdrawal is refused (409)
    /// when the entry changed since, as the API's `If-Match` requires.
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub reason: String,
}

pub async fn withdraw(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Form(f): Form<WithdrawForm>,
) -> Response {
    if let Some(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    if let Some(r) = pages::require(&s, Nav::Entries) {
        return r;
    }
    match api::withdraw_entry(&state, &s.principal, &id, f.reason, f.version).await {
        Ok(_) => Redirect::to("/console/entries?done=withdrawn").into_response(),
        Err(e) => {
            let err = pages::api_error(s.lang, &e);
            render(&state, &s, None, Some(err), &EntryForm::default()).await
        }
    }
}
