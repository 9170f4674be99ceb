//! Partners and agreements for node administrators and node auditors
//! (the roles `GET /v1/federation/status` allows): each partner node with
//! both agreements in words, and the state of the exchange: last contact,
//! messages waiting in the outbox and for how long, messages the partner
//! refused and why, the last error. Node administrators also register a
//! partner, or change one, through a form (`PUT
//! /v1/federation/partners/{id}` underneath: no JSON to write), and read
//! this node's own invitation (id, address, key) to give to the partner.

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tansiq_federation::{Agreement, Level, Rule, TravellerField};
use tansiq_store::Role;
use time::OffsetDateTime;

use super::api;
use super::i18n::Lang;
use super::pages::{self, Nav};
use super::session::Session;
use crate::AppState;
use crate::federation::{
    ActionDto, AgreementDto, LevelDto, PartnerInput, PartnerStatusDto, RuleDto, TravellerFieldDto,
};

pub async fn get(State(state): State<AppState>, s: Session) -> Response {
    if let Some(r) = pages::require(&s, Nav::Partners) {
        return r;
    }
    render(&state, &s, html! {}, &PartnerForm::default()).await
}

async fn render(state: &AppState, s: &Session, top: Markup, form: &PartnerForm) -> Response {
    let l = s.lang;
    let admin = s.user().has(Role::NodeAdmin);
    let invite = if admin {
        api::invite(state, &s.principal).await.ok()
    } else {
        None
    };
    let body = match api::federation_status(state, &s.principal).await {
        Err(e) => pages::api_error(l, &e),
        Ok(st) => html! {
            (top)
            p { (l.ta("federation-node", &[("id", st.node.clone())])) }
            @if let Some(i) = &invite {
                details.invite {
                    summary { (l.t("invite-title")) }
                    p.hint { (l.t("invite-hint")) }
                    dl {
                        dt { (l.t("partner-id")) } dd { code { (i.node) } }
                        dt { (l.t("partner-url")) } dd { code dir="ltr" { (i.base_url) } }
                        @for k in &i.keys {
                            dt { (l.t("partner-key")) }
                            dd { code.token dir="ltr" { (k.public_key) } }
                        }
                    }
                }
            }
            @if st.partners.is_empty() { p { (l.t("partners-none")) } }
            @for p in &st.partners { (partner(l, p)) }
            @if admin { (partner_form(s, form)) }
        },
    };
    pages::page(s, Nav::Partners, &l.t("partners-title"), body)
}

/// The partner form as posted. `*_actions` and `*_fields` repeat (one per
/// ticked box), so it is read from pairs.
#[derive(Debug, Default, Clone)]
pub struct PartnerForm {
    pub id: String,
    pub base_url: String,
    pub public_key: String,
    pub out_level: String,
    pub out_agencies: String,
    pub out_actions: Vec<String>,
    pub out_fields: Vec<String>,
    pub in_level: String,
    pub in_fields: Vec<String>,
}

impl PartnerForm {
    fn from_pairs(pairs: &[(String, String)]) -> PartnerForm {
        let one = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        let all = |k: &str| {
            pairs
                .iter()
                .filter(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .collect()
        };
        PartnerForm {
            id: one("id"),
            base_url: one("base_url"),
            public_key: one("public_key").to_ascii_lowercase(),
            out_level: one("out_level"),
            out_agencies: one("out_agencies"),
            out_actions: all("out_actions"),
            out_fields: all("out_fields"),
            in_level: one("in_level"),
            in_fields: all("in_fields"),
        }
    }

    /// The API's input, or the form field that is wrong (a message key).
    fn to_input(&self, now: OffsetDateTime) -> Result<PartnerInput, &'static str> {
        let bytes = hex32(&self.public_key).ok_or("partner-key-invalid")?;
        let key_id = crate::auth::hex(&Sha256::digest(bytes))[..16].to_string();
        let key: tansiq_trust::PublicKey = serde_json::from_value(serde_json::json!({
            "key_id": key_id,
            "public_key": self.public_key,
            "created": crate::dto::rfc3339(now),
        }))
        .map_err(|_| "partner-key-invalid")?;
        let outgoing = form_agreement(
            &self.out_level,
            &self.out_agencies,
            &self.out_actions,
            &self.out_fields,
        )?;
        let incoming = form_agreement(&self.in_level, "", &[], &self.in_fields)?;
        Ok(PartnerInput {
            base_url: self.base_url.clone(),
            keys: vec![key],
            outgoing,
            incoming,
        })
    }
}

/// 32 bytes from 64 hex digits.
fn hex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// A value of the API's wire enums from its name (`refuse-entry`,
/// `hit-no-hit`, `birth-date`…), through their own serde names.
fn parse<T: serde::de::DeserializeOwned>(v: &str) -> Result<T, &'static str> {
    serde_json::from_value(Value::String(v.to_string())).map_err(|_| "invalid-input")
}

/// One direction's agreement from the form: no rule when the level is
/// `none`, else one rule with the agencies and actions given.
fn form_agreement(
    level: &str,
    agencies: &str,
    actions: &[String],
    fields: &[String],
) -> Result<AgreementDto, &'static str> {
    let traveller_fields: Vec<TravellerFieldDto> =
        fields.iter().map(|f| parse(f)).collect::<Result<_, _>>()?;
    let rules = match level {
        "" | "none" => Vec::new(),
        l => {
            let level: LevelDto = parse(l)?;
            let actions: Vec<ActionDto> =
                actions.iter().map(|a| parse(a)).collect::<Result<_, _>>()?;
            vec![RuleDto {
                agencies: agencies
                    .split([',', ' '])
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect(),
                lists: Vec::new(),
                categories: Vec::new(),
                actions,
                level,
            }]
        }
    };
    Ok(AgreementDto {
        rules,
        traveller_fields,
    })
}

const ACTIONS: [(&str, &str); 5] = [
    ("arrest", "action-arrest"),
    ("refuse-entry", "action-refuse-entry"),
    ("discreet-check", "action-discreet-check"),
    ("specific-check", "action-specific-check"),
    ("inform", "action-inform"),
];
const FIELDS: [(&str, &str); 4] = [
    ("name", "tf-name"),
    ("birth-date", "tf-birth-date"),
    ("nationality", "tf-nationality"),
    ("document-number", "tf-document"),
];

fn level_select(l: Lang, id: &str, chosen: &str) -> Markup {
    html! {
        select #(id) name=(id) {
            @for (v, key) in [("none", "level-none"), ("hit-no-hit", "level-hit-no-hit"), ("full", "level-full")] {
                option value=(v) selected[chosen == v] { (l.t(key)) }
            }
        }
    }
}

fn field_boxes(l: Lang, name: &str, chosen: &[String], fresh: bool) -> Markup {
    html! {
        fieldset {
            legend { (l.t("agreement-fields")) }
            @for (v, key) in FIELDS {
                @let on = if fresh { v == "name" || v == "birth-date" } else { chosen.iter().any(|c| c == v) };
                label.check { input type="checkbox" name=(name) value=(v) checked[on]; " " (l.t(key)) }
            }
        }
    }
}

/// The form that registers (or replaces) a partner and both agreements,
/// one rule each way.
fn partner_form(s: &Session, f: &PartnerForm) -> Markup {
    let l = s.lang;
    let fresh = f.id.is_empty();
    html! {
        section.partner-new aria-labelledby="partner-new-title" {
            h2 #partner-new-title { (l.t("partner-new")) }
            p.hint { (l.t("partner-new-hint")) }
            form method="post" action="/console/partners" {
                (pages::csrf_field(s))
                div.grid {
                    div { label for="pid" { (l.t("partner-id")) }
                        input #pid name="id" type="text" required dir="ltr" pattern="[a-z0-9][a-z0-9.-]{0,62}" value=(f.id); }
                    div { label for="purl" { (l.t("partner-url")) }
                        input #purl name="base_url" type="url" required dir="ltr" placeholder="https://" value=(f.base_url); }
                }
                div {
                    label for="pkey" { (l.t("partner-key")) }
                    p.hint #pkey-hint { (l.t("partner-key-hint")) }
                    input #pkey name="public_key" type="text" required dir="ltr" size="66"
                        pattern="[0-9a-fA-F]{64}" aria-describedby="pkey-hint" value=(f.public_key);
                }
                div.columns {
                    fieldset {
                        legend { (l.t("agreement-outgoing")) }
                        label for="out_level" { (l.t("agreement-level")) }
                        (level_select(l, "out_level", if fresh { "hit-no-hit" } else { &f.out_level }))
                        div {
                            label for="out_agencies" { (l.t("agreement-agencies")) }
                            p.hint #out-agencies-hint { (l.t("agreement-agencies-hint")) }
                            input #out_agencies name="out_agencies" type="text" dir="ltr"
                                aria-describedby="out-agencies-hint" value=(f.out_agencies);
                        }
                        fieldset {
                            legend { (l.t("agreement-actions")) }
                            @for (v, key) in ACTIONS {
                                label.check { input type="checkbox" name="out_actions" value=(v) checked[f.out_actions.iter().any(|a| a == v)]; " " (l.t(key)) }
                            }
                        }
                        (field_boxes(l, "out_fields", &f.out_fields, fresh))
                    }
                    fieldset {
                        legend { (l.t("agreement-incoming")) }
                        label for="in_level" { (l.t("agreement-level")) }
                        (level_select(l, "in_level", if fresh { "hit-no-hit" } else { &f.in_level }))
                        (field_boxes(l, "in_fields", &f.in_fields, fresh))
                    }
                }
                button.primary type="submit" { (l.t("partner-save")) }
            }
        }
    }
}

/// Registers or replaces a partner from the form (node administrators:
/// the API refuses anyone else).
pub async fn post(
    State(state): State<AppState>,
    s: Session,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if let Some(r) = s.check_csrf(csrf) {
        return r;
    }
    if let Some(r) = pages::require(&s, Nav::Partners) {
        return r;
    }
    let l = s.lang;
    let form = PartnerForm::from_pairs(&pairs);
    let input = match form.to_input(OffsetDateTime::now_utc()) {
        Ok(i) => i,
        Err(key) => {
            let mut r = render(&state, &s, pages::notice("error", &l.t(key)), &form).await;
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            return r;
        }
    };
    match api::put_partner(&state, &s.principal, &form.id, input).await {
        Ok(p) => {
            let top = pages::notice("ok", &l.ta("partner-saved", &[("id", p.id)]));
            render(&state, &s, top, &PartnerForm::default()).await
        }
        Err(e) => {
            let status = e.status;
            let mut r = render(&state, &s, pages::api_error(l, &e), &form).await;
            *r.status_mut() = status;
            r
        }
    }
}

fn partner(l: Lang, p: &PartnerStatusDto) -> Markup {
    let trouble = p.refused > 0 || p.last_error.is_some();
    html! {
        section.partner aria-labelledby={ "p-" (p.id) } {
            h2 id={ "p-" (p.id) } { code { (p.id) } }
            dl {
                dt { (l.t("partner-url")) } dd { code dir="ltr" { (p.base_url) } }
                dt { (l.t("last-contact")) }
                dd { @match p.last_contact_at.as_deref() { Some(t) => (pages::time(t)), None => (l.t("never")) } }
                dt { (l.t("outbox-pending")) }
                dd {
                    (p.outbox_pending)
                    @if let Some(t) = &p.oldest_pending_at {
                        " · " (l.ta("oldest-pending", &[("a", pages::isolate(&pages::when(t)))]))
                        " · " (l.ta("replication-lag", &[("n", format!("{:.0}", p.replication_lag_seconds))]))
                    }
                }
                dt { (l.t("messages-sent")) }
                dd { (l.ta("seq-sent-acked", &[("a", p.last_seq_sent.to_string()), ("b", p.last_seq_acknowledged.to_string())])) }
                dt { (l.t("inbox-last-seq")) } dd { (p.inbox_last_seq) }
                dt { (l.t("refused-messages")) }
                dd class=[trouble.then_some("bad")] {
                    (p.refused)
                    @if let Some(r) = &p.last_refusal { " · " span lang="en" dir="ltr" { (r) } }
                }
                @if let Some(e) = &p.last_error {
                    dt { (l.t("last-error")) } dd.bad { span lang="en" dir="ltr" { (e) } }
                }
            }
            div.columns {
                section {
                    h3 { (l.t("agreement-outgoing")) }
                    (agreement(l, &p.outgoing.clone().into()))
                }
                section {
                    h3 { (l.t("agreement-incoming")) }
                    (agreement(l, &p.incoming.clone().into()))
                }
            }
        }
    }
}

/// An agreement in words: one sentence per rule, then the traveller data
/// hit notices and checks may carry.
pub fn agreement(l: Lang, a: &Agreement) -> Markup {
    let fields: Vec<String> = a
        .traveller_fields
        .iter()
        .map(|f| {
            l.t(match f {
                TravellerField::Name => "tf-name",
                TravellerField::BirthDate => "tf-birth-date",
                TravellerField::Nationality => "tf-nationality",
                TravellerField::DocumentNumber => "tf-document",
            })
        })
        .collect();
    html! {
        @if a.rules.is_empty() {
            p { (l.t("agreement-none")) }
        } @else {
            ul.rules { @for r in &a.rules { li { (rule(l, r)) } } }
        }
        p { (l.ta("traveller-fields", &[("fields", fields.join(&l.t("list-separator")))])) }
    }
}

/// One rule in words, e.g. "Full copy: own entries shared by agreement,
/// of agency dz-dgsn, with action Arrest."
pub fn rule(l: Lang, r: &Rule) -> String {
    let mut s = l.t(match r.level {
        Level::Full => "level-full",
        Level::HitNoHit => "level-hit-no-hit",
    });
    s.push_str(&l.t("rule-colon"));
    s.push_str(&l.t("rule-entries"));
    let join = |v: &[String]| v.join(", ");
    if !r.agencies.is_empty() {
        s.push_str(&l.ta("rule-agencies", &[("a", join(&r.agencies))]));
    }
    if !r.lists.is_empty() {
        s.push_str(&l.ta("rule-lists", &[("a", join(&r.lists))]));
    }
    if !r.categories.is_empty() {
        s.push_str(&l.ta("rule-categories", &[("a", join(&r.categories))]));
    }
    if !r.actions.is_empty() {
        let actions: Vec<String> = r
            .actions
            .iter()
            .map(|a| super::screen::action(l, Some(a.as_str())))
            .collect();
        s.push_str(&l.ta("rule-actions", &[("a", actions.join(", "))]));
    }
    s.push('.');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use tansiq_model::ActionOnHit;

    #[test]
    fn a_rule_reads_as_a_sentence() {
        let r = Rule {
            agencies: vec!["dz-dgsn".into()],
            actions: vec![ActionOnHit::Arrest],
            level: Level::Full,
            ..Rule::default()
        };
        assert_eq!(
            rule(Lang::En, &r),
            "Full copy: own entries shared by agreement, of agency dz-dgsn, with action Arrest."
        );
        let all = Rule::default();
        assert_eq!(
            rule(Lang::Fr, &all),
            "Réponse positive/négative seulement : fiches propres partagées par accord."
        );
    }
}
