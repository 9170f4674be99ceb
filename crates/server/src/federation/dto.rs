//! The wire forms of the federation routes, converted by hand from the
//! federation crate's types.

use serde::{Deserialize, Serialize};
use tansiq_federation::{Agreement, Level, Rule, Sealed, Traveller, TravellerField};
use tansiq_model::ActionOnHit;
use tansiq_trust::PublicKey;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// A sealed federation message: the envelope's JSON exactly as signed.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SealedDto {
    pub body: String,
    pub key_id: String,
    pub signature: String,
}

impl From<Sealed> for SealedDto {
    fn from(s: Sealed) -> SealedDto {
        SealedDto {
            body: s.body,
            key_id: s.key_id,
            signature: s.signature,
        }
    }
}

impl From<SealedDto> for Sealed {
    fn from(s: SealedDto) -> Sealed {
        Sealed {
            body: s.body,
            key_id: s.key_id,
            signature: s.signature,
        }
    }
}

/// Sequenced messages from one partner, in order.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryRequest {
    pub messages: Vec<SealedDto>,
}

/// What became of one delivered message.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliveryResult {
    pub seq: Option<u64>,
    /// `applied`, `refused` (numbered, content not taken), `duplicate`,
    /// `gap`, `replay`, `bad-signature`, `unknown-sender`, `malformed`.
    pub result: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl DeliveryResult {
    /// Whether the sender may forget the message.
    pub(crate) fn accepted(&self) -> bool {
        matches!(self.result.as_str(), "applied" | "refused" | "duplicate")
    }
}

/// Results in the order of the request; processing stops at the first
/// message not accepted.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliveryResponse {
    pub results: Vec<DeliveryResult>,
}

/// A partner to register or update.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerInput {
    /// Where the partner's node answers, e.g. `https://tn.example:8443`.
    pub base_url: String,
    /// Its public identity keys (`tansiq node show`).
    #[schema(value_type = Vec<Object>)]
    pub keys: Vec<PublicKey>,
    /// What this node shares with it (nothing when left out).
    #[serde(default)]
    pub outgoing: AgreementDto,
    /// What this node accepts from it (nothing when left out).
    #[serde(default)]
    pub incoming: AgreementDto,
}

/// One direction of a partnership: what this node shares with the partner
/// (`outgoing`) or accepts from it (`incoming`). The wire form of
/// `tansiq_federation::Agreement`, converted by hand. The example is
/// `samples/agreements/dz-to-tn.json` (DEPLOY.md, "Sharing agreements"):
/// arrest warrants copied in full, other wanted persons answered hit/no-hit.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "rules": [
        {"lists": ["national"], "actions": ["arrest"], "level": "full"},
        {"lists": ["national"], "categories": ["wanted"], "level": "hit-no-hit"}
    ],
    "traveller_fields": ["name", "birth-date", "nationality"]
}))]
pub struct AgreementDto {
    /// Clauses; an entry is shared at the highest level among the rules it
    /// matches, and not at all when it matches none.
    #[serde(default)]
    pub rules: Vec<RuleDto>,
    /// The traveller fields that hit notices and checks may carry
    /// (default when left out: `name` and `birth-date`).
    #[serde(default = "default_traveller_fields")]
    pub traveller_fields: Vec<TravellerFieldDto>,
}

/// One clause of an agreement: own entries marked `by-agreement` that
/// match every non-empty filter are shared at `level`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleDto {
    /// Originating agencies (empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agencies: Vec<String>,
    /// Lists, e.g. `national` (empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lists: Vec<String>,
    /// Categories, the FtM `topics` (e.g. `wanted`, `crime.terror`; empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Actions on hit (empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ActionDto>,
    pub level: LevelDto,
}

/// How a shared entry reaches the partner.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LevelDto {
    /// The entry stays here; the partner asks online and learns only
    /// "hit, reference, action" or "no hit".
    HitNoHit,
    /// The partner holds a read-only copy and screens against it.
    Full,
}

/// A traveller field an agreement lets through.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TravellerFieldDto {
    Name,
    BirthDate,
    Nationality,
    DocumentNumber,
}

/// What the issuing agency asks the border officer to do on a confirmed hit.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ActionDto {
    Arrest,
    RefuseEntry,
    DiscreetCheck,
    SpecificCheck,
    Inform,
}

/// What `tansiq_federation::Agreement` takes when `traveller_fields` is
/// left out (a test holds the two equal).
pub(crate) fn default_traveller_fields() -> Vec<TravellerFieldDto> {
    vec![TravellerFieldDto::Name, TravellerFieldDto::BirthDate]
}

impl From<AgreementDto> for Agreement {
    fn from(a: AgreementDto) -> Agreement {
        Agreement {
            rules: a
                .rules
                .into_iter()
                .map(|r| Rule {
                    agencies: r.agencies,
                    lists: r.lists,
                    categories: r.categories,
                    actions: r.actions.into_iter().map(ActionOnHit::from).collect(),
                    level: match r.level {
                        LevelDto::HitNoHit => Level::HitNoHit,
                        LevelDto::Full => Level::Full,
                    },
                })
                .collect(),
            traveller_fields: a
                .traveller_fields
                .into_iter()
                .map(|f| match f {
                    TravellerFieldDto::Name => TravellerField::Name,
                    TravellerFieldDto::BirthDate => TravellerField::BirthDate,
                    TravellerFieldDto::Nationality => TravellerField::Nationality,
                    TravellerFieldDto::DocumentNumber => TravellerField::DocumentNumber,
                })
                .collect(),
        }
    }
}

impl From<&Agreement> for AgreementDto {
    fn from(a: &Agreement) -> AgreementDto {
        AgreementDto {
            rules: a
                .rules
                .iter()
                .map(|r| RuleDto {
                    agencies: r.agencies.clone(),
                    lists: r.lists.clone(),
                    categories: r.categories.clone(),
                    actions: r.actions.iter().map(|&a| ActionDto::from(a)).collect(),
                    level: match r.level {
                        Level::HitNoHit => LevelDto::HitNoHit,
                        Level::Full => LevelDto::Full,
                    },
                })
                .collect(),
            traveller_fields: a
                .traveller_fields
                .iter()
                .map(|f| match f {
                    TravellerField::Name => TravellerFieldDto::Name,
                    TravellerField::BirthDate => TravellerFieldDto::BirthDate,
                    TravellerField::Nationality => TravellerFieldDto::Nationality,
                    TravellerField::DocumentNumber => TravellerFieldDto::DocumentNumber,
                })
                .collect(),
        }
    }
}

impl From<ActionDto> for ActionOnHit {
    fn from(a: ActionDto) -> ActionOnHit {
        match a {
            ActionDto::Arrest => ActionOnHit::Arrest,
            ActionDto::RefuseEntry => ActionOnHit::RefuseEntry,
            ActionDto::DiscreetCheck => ActionOnHit::DiscreetCheck,
            ActionDto::SpecificCheck => ActionOnHit::SpecificCheck,
            ActionDto::Inform => ActionOnHit::Inform,
        }
    }
}

impl From<ActionOnHit> for ActionDto {
    fn from(a: ActionOnHit) -> ActionDto {
        match a {
            ActionOnHit::Arrest => ActionDto::Arrest,
            ActionOnHit::RefuseEntry => ActionDto::RefuseEntry,
            ActionOnHit::DiscreetCheck => ActionDto::DiscreetCheck,
            ActionOnHit::SpecificCheck => ActionDto::SpecificCheck,
            ActionOnHit::Inform => ActionDto::Inform,
        }
    }
}

/// A partner and how replication to it stands.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerStatusDto {
    pub id: String,
    pub base_url: String,
    pub key_ids: Vec<String>,
    pub outgoing: AgreementDto,
    pub incoming: AgreementDto,
    pub last_contact_at: Option<String>,
    /// Messages queued and not yet acknowledged.
    pub outbox_pending: i64,
    pub oldest_pending_at: Option<String>,
    /// Seconds the oldest unacknowledged message has waited (0 when none).
    pub replication_lag_seconds: f64,
    pub last_seq_sent: i64,
    pub last_seq_acknowledged: i64,
    pub last_error: Option<String>,
    /// Messages the partner numbered but refused under its incoming
    /// agreement: the two agreements do not match (`tansiq federation
    /// accept --dry-run` compares them).
    pub refused: i64,
    /// The latest refusal: `#<seq>: <the partner's reason>`.
    pub last_refusal: Option<String>,
    /// The last message number applied from this partner.
    pub inbox_last_seq: i64,
}

/// The federation status of this node.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FederationStatusDto {
    pub node: String,
    pub partners: Vec<PartnerStatusDto>,
}

/// This node's invitation: what a partner registers.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InviteDto {
    pub node: String,
    pub base_url: String,
    #[schema(value_type = Vec<Object>)]
    pub keys: Vec<PublicKey>,
}

/// One message of a follow-up thread.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FollowUpDto {
    pub message_id: String,
    pub from_node: String,
    /// `request`, `answer` or `outcome`.
    pub kind: String,
    pub text: String,
    pub author: String,
    pub recorded_at: String,
}

/// A hit on a foreign entry and its thread.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FedHitDto {
    pub hit_id: String,
    /// `out`: seen here on a partner's entry; `in`: seen at a partner on
    /// one of ours.
    pub direction: String,
    pub partner: String,
    /// The originator's id of the entry.
    pub reference: String,
    pub action: Option<String>,
    /// `local-copy` or `hit-no-hit`.
    pub via: String,
    #[schema(value_type = Object)]
    pub traveller: Traveller,
    pub score: f64,
    pub screened_at: String,
    pub acknowledged_at: Option<String>,
    pub thread: Vec<FollowUpDto>,
    /// For a hit seen here on a partner's full copy: the local hit in the
    /// review queue (`/v1/hits/{id}`) that this notice tells about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_hit_id: Option<String>,
}

/// Hits on foreign entries.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FedHitListDto {
    pub hits: Vec<FedHitDto>,
}

/// A new message in a hit's thread.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpInput {
    /// `request`, `answer` or `outcome`.
    pub kind: String,
    pub text: String,
}

/// A partner's hit/no-hit answer given during a screening.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RemoteHitDto {
    pub partner: String,
    /// The originator's reference for its entry.
    pub reference: String,
    pub action: Option<String>,
    pub score: f64,
    /// The hit id under which the originator was notified.
    pub hit_id: String,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The wire form says exactly what the federation crate's agreement
    /// holds: every field and every variant survive DTO → domain → DTO,
    /// serialised the same as the domain type, and the defaults agree.
    #[test]
    fn agreement_dto_is_the_agreement_on_the_wire() {
        let full = json!({
            "rules": [
                {"agencies": ["police"], "lists": ["national"], "categories": ["wanted"],
                 "actions": ["arrest", "refuse-entry", "discreet-check", "specific-check", "inform"],
                 "level": "full"},
                {"level": "hit-no-hit"}
            ],
            "traveller_fields": ["name", "birth-date", "nationality", "document-number"]
        });
        for text in [
            full.to_string(),
            "{}".to_string(),
            r#"{"rules": []}"#.to_string(),
        ] {
            let domain: Agreement = serde_json::from_str(&text).unwrap();
            let dto: AgreementDto = serde_json::from_str(&text).unwrap();
            let back = Agreement::from(dto);
            assert_eq!(back, domain, "{text}");
            assert_eq!(
                serde_json::to_value(AgreementDto::from(&domain)).unwrap(),
                serde_json::to_value(&domain).unwrap(),
                "{text}"
            );
        }
        assert_eq!(
            Agreement::from(AgreementDto::default()),
            Agreement::default()
        );
    }
}
