//! Partners and agreements, read-only, for node administrators and node
//! auditors (the roles `GET /v1/federation/status` allows): each partner
//! node with both agreements in words, and the state of the exchange:
//! last contact, messages waiting in the outbox and for how long,
//! messages the partner refused and why, the last error.

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use tansiq_federation::{Agreement, Level, Rule, TravellerField};

use super::api;
use super::i18n::Lang;
use super::pages::{self, Nav};
use super::session::Session;
use crate::AppState;
use crate::federation::PartnerStatusDto;

pub async fn get(State(state): State<AppState>, s: Session) -> Response {
    if let Some(r) = pages::require(&s, Nav::Partners) {
        return r;
    }
    let l = s.lang;
    let body = match api::federation_status(&state, &s.principal).await {
        Err(e) => pages::api_error(l, &e),
        Ok(st) => html! {
            p { (l.ta("federation-node", &[("id", st.node.clone())])) }
            @if st.partners.is_empty() { p { (l.t("partners-none")) } }
            @for p in &st.partners { (partner(l, p)) }
        },
    };
    pages::page(&s, Nav::Partners, &l.t("partners-title"), body)
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
