//! Sharing agreements: which of this node's entries reach a partner, and
//! how.

use serde::{Deserialize, Serialize};
use tansiq_model::{ActionOnHit, Entity, EntryStatus, FederationShare, Visibility, prop};

use crate::message::Traveller;

/// How a shared entry reaches a partner. `Full` is more than `HitNoHit`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// The entry stays here; the partner asks online and learns only
    /// "hit, reference R, action A" or "no hit". The default: the least.
    #[default]
    HitNoHit,
    /// The partner holds a read-only copy and screens against it.
    Full,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::HitNoHit => "hit-no-hit",
            Level::Full => "full",
        }
    }
}

/// One clause of an agreement: entries matching every non-empty filter
/// are shared at `level`. An empty filter matches anything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Originating agencies (`origin_agency`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agencies: Vec<String>,
    /// Lists (`provenance.source`; `national` for own entries).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lists: Vec<String>,
    /// Categories (the FtM `topics` property, e.g. `wanted`, `crime.terror`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Actions on hit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ActionOnHit>,
    pub level: Level,
}

impl Rule {
    fn matches(&self, e: &Entity) -> bool {
        let agency = e.origin_agency.as_deref().unwrap_or("");
        (self.agencies.is_empty() || self.agencies.iter().any(|a| a == agency))
            && (self.lists.is_empty() || self.lists.contains(&e.provenance.source))
            && (self.categories.is_empty()
                || e.get(prop::TOPICS)
                    .iter()
                    .any(|t| self.categories.contains(t)))
            && (self.actions.is_empty()
                || e.action_on_hit.is_some_and(|a| self.actions.contains(&a)))
    }
}

/// The traveller fields a hit notice or check may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TravellerField {
    Name,
    BirthDate,
    Nationality,
    DocumentNumber,
}

/// What one direction of a partnership allows: from this node to
/// `partner` when it is the outgoing agreement, from `partner` to this
/// node when incoming (the receiver checks what it is sent against it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// The agreed minimum of traveller data in hit notices and checks.
    #[serde(default = "default_fields")]
    pub traveller_fields: Vec<TravellerField>,
}

fn default_fields() -> Vec<TravellerField> {
    vec![TravellerField::Name, TravellerField::BirthDate]
}

impl Agreement {
    /// The level at which entry `e` reaches the partner, `None` when it
    /// does not. Only active own entries marked `by-agreement` are ever
    /// shared (never public lists, never other nodes' copies); among the
    /// rules that match, the highest level wins.
    pub fn level(&self, e: &Entity) -> Option<Level> {
        if e.sharing.federation != FederationShare::ByAgreement
            || e.status != EntryStatus::Active
            || e.provenance.source != "national"
        {
            return None;
        }
        self.rules
            .iter()
            .filter(|r| r.matches(e))
            .map(|r| r.level)
            .max()
    }

    /// Keeps only the agreed traveller fields.
    pub fn minimise(&self, t: &Traveller) -> Traveller {
        let keep = |f: TravellerField, v: &Option<String>| {
            if self.traveller_fields.contains(&f) {
                v.clone()
            } else {
                None
            }
        };
        Traveller {
            name: keep(TravellerField::Name, &t.name),
            birth_date: keep(TravellerField::BirthDate, &t.birth_date),
            nationality: keep(TravellerField::Nationality, &t.nationality),
            document_number: keep(TravellerField::DocumentNumber, &t.document_number),
        }
    }
}

/// What replication sends a partner after an entry changed or the
/// agreement did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replicate {
    /// Send the (new) full copy.
    Upsert,
    /// Tell the partner to drop its copy.
    Remove,
}

/// The replication step from the level the partner had (`before`, `None`
/// when it held nothing) to the level it now gets. `changed`: whether the
/// entry's content changed. Hit/no-hit entries are never copied.
pub fn replication(
    before: Option<Level>,
    after: Option<Level>,
    changed: bool,
) -> Option<Replicate> {
    match (before == Some(Level::Full), after == Some(Level::Full)) {
        (false, true) => Some(Replicate::Upsert),
        (true, true) if changed => Some(Replicate::Upsert),
        (true, false) => Some(Replicate::Remove),
        _ => None,
    }
}

/// The local id of `origin`'s entry `id`: prefixed so it can never collide
/// with an own entry or another node's.
pub fn foreign_id(origin: &str, id: &str) -> String {
    format!("{origin}:{id}")
}

/// The read-only local copy of a partner's entry: its own source
/// (`fed:<origin>`), the prefixed id, the originator's id kept as the
/// source record id, visible to every agency of the receiving node (the
/// agreement decided who gets it; the originator's agency restrictions
/// name agencies the receiver does not have), never shared further.
pub fn foreign_copy(origin: &str, mut e: Entity) -> Entity {
    e.provenance.source_record_id = Some(e.id.clone());
    e.provenance.source = format!("fed:{origin}");
    e.id = foreign_id(origin, &e.id);
    e.sharing.federation = FederationShare::Never;
    e.sharing.visibility = Visibility::National;
    e.status = EntryStatus::Active;
    e
}

/// Whether this node's incoming agreement with `origin` still allows the
/// full copy it holds (`copy`, as [`foreign_copy`] made it). The sender
/// only ever sends active own entries shared by agreement, so the entry
/// as it was sent is the copy with those marks put back; the incoming
/// agreement is judged on it exactly as when the copy arrived. Used when
/// the receiver narrows its own agreement: a copy it no longer allows is
/// purged (issue 16, finding 6).
pub fn copy_still_allowed(incoming: &Agreement, copy: &Entity) -> bool {
    let mut sent = copy.clone();
    if let Some(id) = &copy.provenance.source_record_id {
        sent.id = id.clone();
    }
    sent.provenance.source = "national".to_string();
    sent.sharing.federation = FederationShare::ByAgreement;
    sent.status = EntryStatus::Active;
    incoming.level(&sent) == Some(Level::Full)
}

/// Most sample entries [`check_pair`] builds for one rule.
const MAX_SAMPLES_PER_RULE: usize = 256;

/// How the two agreements of one direction (what the sender shares, what
/// the receiver accepts) disagree. Checked before they are used
/// (`tansiq federation accept --dry-run`): a mismatch would otherwise show
/// only as refused messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// Entries of the sender's rule `rule` (the sample described) would be
    /// sent as full copies that the receiver refuses (it takes them at
    /// `taken`, `None`: not at all), so they never screen there.
    FullCopyRefused {
        rule: usize,
        sample: String,
        taken: Option<Level>,
    },
    /// Entries of the sender's rule `rule` are answered by hit/no-hit
    /// checks, but the receiver asks no checks (its incoming agreement has
    /// no hit/no-hit rule).
    ChecksNeverAsked { rule: usize, sample: String },
    /// The traveller fields differ: a hit notice carries only the fields
    /// both name; these are named by one side only.
    TravellerFields {
        sender_only: Vec<TravellerField>,
        receiver_only: Vec<TravellerField>,
    },
}

impl Mismatch {
    /// Whether entries would silently not screen at the receiver (a
    /// traveller-field difference only narrows notices).
    pub fn is_fatal(&self) -> bool {
        !matches!(self, Mismatch::TravellerFields { .. })
    }
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mismatch::FullCopyRefused {
                rule,
                sample,
                taken,
            } => write!(
                f,
                "rule {rule} shares {sample} as full copies, which the receiver {}",
                match taken {
                    Some(l) =>
                        format!("takes only at level {}: the copies are refused", l.as_str()),
                    None => "does not accept: the copies are refused".to_string(),
                }
            ),
            Mismatch::ChecksNeverAsked { rule, sample } => write!(
                f,
                "rule {rule} answers checks on {sample}, but the receiver accepts no \
                 hit/no-hit entries and never asks"
            ),
            Mismatch::TravellerFields {
                sender_only,
                receiver_only,
            } => write!(
                f,
                "traveller fields differ: only the sender names {sender_only:?}, only the \
                 receiver names {receiver_only:?}; hit notices keep the fields both name"
            ),
        }
    }
}

/// Sample entries for a rule: one per combination of the values its
/// filters name (an empty filter contributes one entry that names
/// nothing), at most [`MAX_SAMPLES_PER_RULE`].
fn samples(rule: &Rule) -> Vec<(String, Entity)> {
    let agencies: Vec<Option<&str>> = if rule.agencies.is_empty() {
        vec![None]
    } else {
        rule.agencies.iter().map(|a| Some(a.as_str())).collect()
    };
    let categories: Vec<Option<&str>> = if rule.categories.is_empty() {
        vec![None]
    } else {
        rule.categories.iter().map(|c| Some(c.as_str())).collect()
    };
    let actions: Vec<Option<ActionOnHit>> = if rule.actions.is_empty() {
        vec![None]
    } else {
        rule.actions.iter().copied().map(Some).collect()
    };
    let mut out = Vec::new();
    for agency in &agencies {
        for category in &categories {
            for action in &actions {
                if out.len() == MAX_SAMPLES_PER_RULE {
                    return out;
                }
                let mut e = Entity::new("sample", tansiq_model::Schema::Person);
                e.provenance.source = "national".into();
                e.sharing.federation = tansiq_model::FederationShare::ByAgreement;
                e.origin_agency = agency.map(str::to_string);
                if let Some(c) = category {
                    e.add(prop::TOPICS, *c);
                }
                e.action_on_hit = *action;
                let describe = format!(
                    "entries of agency {}, category {}, action {}",
                    agency.unwrap_or("any"),
                    category.unwrap_or("any"),
                    action.map_or("any", ActionOnHit::as_str)
                );
                out.push((describe, e));
            }
        }
    }
    out
}

/// Checks the sender's outgoing agreement against the receiver's incoming
/// one for the same direction: every kind of entry the sender's rules
/// share (sampled by the values their filters name) must be taken by the
/// receiver at the level it is sent. A receiver that accepts more than is
/// sent is not a mismatch.
pub fn check_pair(sender_outgoing: &Agreement, receiver_incoming: &Agreement) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let asks = receiver_incoming
        .rules
        .iter()
        .any(|r| r.level == Level::HitNoHit);
    for (i, rule) in sender_outgoing.rules.iter().enumerate() {
        if !rule.lists.is_empty() && !rule.lists.iter().any(|l| l == "national") {
            // Only own entries are ever shared: this rule shares nothing.
            continue;
        }
        for (sample, e) in samples(rule) {
            match sender_outgoing.level(&e) {
                Some(Level::Full) => {
                    let taken = receiver_incoming.level(&e);
                    if taken != Some(Level::Full) {
                        out.push(Mismatch::FullCopyRefused {
                            rule: i,
                            sample,
                            taken,
                        });
                        break;
                    }
                }
                Some(Level::HitNoHit) if !asks => {
                    out.push(Mismatch::ChecksNeverAsked { rule: i, sample });
                    break;
                }
                _ => {}
            }
        }
    }
    let named = |a: &Agreement, b: &Agreement| -> Vec<TravellerField> {
        a.traveller_fields
            .iter()
            .filter(|f| !b.traveller_fields.contains(f))
            .copied()
            .collect()
    };
    let sender_only = named(sender_outgoing, receiver_incoming);
    let receiver_only = named(receiver_incoming, sender_outgoing);
    if !sender_only.is_empty() || !receiver_only.is_empty() {
        out.push(Mismatch::TravellerFields {
            sender_only,
            receiver_only,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::{any, prop_assert_eq, proptest};
    use tansiq_model::{Schema, prop};

    fn entry(agency: &str, action: Option<ActionOnHit>, topics: &[&str]) -> Entity {
        let mut e = Entity::new("w-1", Schema::Person);
        e.add(prop::NAME, "Karim Fictive Haddad");
        for t in topics {
            e.add(prop::TOPICS, t);
        }
        e.provenance.source = "national".into();
        e.origin_agency = Some(agency.into());
        e.action_on_hit = action;
        e.sharing.federation = FederationShare::ByAgreement;
        e
    }

    fn rule(level: Level) -> Rule {
        Rule {
            level,
            ..Rule::default()
        }
    }

    #[test]
    fn filters_combine_and_the_highest_level_wins() {
        let a = Agreement {
            rules: vec![
                Rule {
                    agencies: vec!["dz-dgsn".into()],
                    actions: vec![ActionOnHit::Arrest],
                    ..rule(Level::Full)
                },
                Rule {
                    categories: vec!["wanted".into()],
                    ..rule(Level::HitNoHit)
                },
            ],
            ..Agreement::default()
        };
        let arrest = entry("dz-dgsn", Some(ActionOnHit::Arrest), &["wanted"]);
        assert_eq!(a.level(&arrest), Some(Level::Full));
        let inform = entry("dz-dgsn", Some(ActionOnHit::Inform), &["wanted"]);
        assert_eq!(a.level(&inform), Some(Level::HitNoHit));
        let other = entry("dz-customs", Some(ActionOnHit::Arrest), &[]);
        assert_eq!(a.level(&other), None);
    }

    #[test]
    fn a_held_copy_is_judged_as_it_was_sent() {
        let arrest = entry("dz-dgsn", Some(ActionOnHit::Arrest), &["wanted"]);
        let inform = entry("dz-dgsn", Some(ActionOnHit::Inform), &["wanted"]);
        let full = Agreement {
            rules: vec![rule(Level::Full)],
            ..Agreement::default()
        };
        let arrests_only = Agreement {
            rules: vec![
                Rule {
                    actions: vec![ActionOnHit::Arrest],
                    ..rule(Level::Full)
                },
                rule(Level::HitNoHit),
            ],
            ..Agreement::default()
        };
        let national_only = Agreement {
            rules: vec![Rule {
                lists: vec!["national".into()],
                ..rule(Level::Full)
            }],
            ..Agreement::default()
        };
        for sent in [&arrest, &inform] {
            let copy = foreign_copy("dz", sent.clone());
            assert!(copy_still_allowed(&full, &copy));
            // The copy's own marks (source fed:dz, never shared, its
            // prefixed id) are not what the agreement was judged on.
            assert!(copy_still_allowed(&national_only, &copy));
            assert!(!copy_still_allowed(&Agreement::default(), &copy));
        }
        assert!(copy_still_allowed(
            &arrests_only,
            &foreign_copy("dz", arrest.clone())
        ));
        // Narrowed to hit/no-hit for this entry: no full copy is kept.
        assert!(!copy_still_allowed(
            &arrests_only,
            &foreign_copy("dz", inform.clone())
        ));
    }

    #[test]
    fn nothing_but_active_own_by_agreement_entries_is_shared() {
        let a = Agreement {
            rules: vec![rule(Level::Full)],
            ..Agreement::default()
        };
        let mut e = entry("dz-dgsn", None, &[]);
        assert_eq!(a.level(&e), Some(Level::Full));
        e.sharing.federation = FederationShare::Never;
        assert_eq!(a.level(&e), None);
        let mut w = entry("dz-dgsn", None, &[]);
        w.status = EntryStatus::Withdrawn;
        assert_eq!(a.level(&w), None);
        let copy = foreign_copy("tn", entry("tn-police", None, &[]));
        assert_eq!(a.level(&copy), None);
        assert_eq!(copy.id, "tn:w-1");
        assert_eq!(copy.provenance.source, "fed:tn");
        assert_eq!(copy.provenance.source_record_id.as_deref(), Some("w-1"));
    }

    #[test]
    fn replication_copies_only_full_and_removes_what_is_no_longer_full() {
        use Level::*;
        assert_eq!(
            replication(None, Some(Full), false),
            Some(Replicate::Upsert)
        );
        assert_eq!(
            replication(Some(HitNoHit), Some(Full), false),
            Some(Replicate::Upsert)
        );
        assert_eq!(
            replication(Some(Full), Some(Full), true),
            Some(Replicate::Upsert)
        );
        assert_eq!(replication(Some(Full), Some(Full), false), None);
        assert_eq!(
            replication(Some(Full), Some(HitNoHit), false),
            Some(Replicate::Remove)
        );
        assert_eq!(
            replication(Some(Full), None, false),
            Some(Replicate::Remove)
        );
        assert_eq!(replication(None, Some(HitNoHit), true), None);
        assert_eq!(replication(Some(HitNoHit), None, true), None);
    }

    #[test]
    fn minimise_keeps_only_agreed_fields() {
        let a = Agreement {
            traveller_fields: vec![TravellerField::Name],
            ..Agreement::default()
        };
        let t = Traveller {
            name: Some("K. Haddad".into()),
            birth_date: Some("1980-01-01".into()),
            nationality: Some("dz".into()),
            document_number: Some("X1".into()),
        };
        assert_eq!(
            a.minimise(&t),
            Traveller {
                name: Some("K. Haddad".into()),
                ..Traveller::default()
            }
        );
    }

    #[test]
    fn an_agreement_reads_from_json_and_refuses_unknown_fields() {
        let a: Agreement =
            serde_json::from_str(r#"{"rules":[{"agencies":["dz-dgsn"],"level":"full"}]}"#).unwrap();
        assert_eq!(a.traveller_fields, default_fields());
        assert!(serde_json::from_str::<Agreement>(r#"{"rulez":[]}"#).is_err());
    }

    proptest! {
        /// No agreement shares an entry marked never, whatever its rules.
        #[test]
        fn never_means_never(
            levels in proptest::collection::vec(any::<bool>(), 0..5),
            agency in "[a-z]{1,6}",
        ) {
            let a = Agreement {
                rules: levels
                    .into_iter()
                    .map(|f| rule(if f { Level::Full } else { Level::HitNoHit }))
                    .collect(),
                ..Agreement::default()
            };
            let mut e = entry(&agency, None, &[]);
            e.sharing.federation = FederationShare::Never;
            prop_assert_eq!(a.level(&e), None);
        }

        /// Replication converges: the partner holds a copy exactly when the
        /// last level was full, whatever the path of agreement changes.
        #[test]
        fn replication_converges(path in proptest::collection::vec(0u8..3, 1..20)) {
            let mut held = false;
            let mut before = None;
            for step in path {
                let after = match step { 0 => None, 1 => Some(Level::HitNoHit), _ => Some(Level::Full) };
                match replication(before, after, true) {
                    Some(Replicate::Upsert) => held = true,
                    Some(Replicate::Remove) => held = false,
                    None => {}
                }
                prop_assert_eq!(held, after == Some(Level::Full));
                before = after;
            }
        }
    }

    #[test]
    fn mismatched_agreements_are_found_before_use() {
        // Issue 16, finding 7: a full copy sent under a hit/no-hit
        // agreement was refused silently.
        let full = Agreement {
            rules: vec![rule(Level::Full)],
            ..Agreement::default()
        };
        let hit_no_hit = Agreement {
            rules: vec![rule(Level::HitNoHit)],
            ..Agreement::default()
        };
        let m = check_pair(&full, &hit_no_hit);
        assert!(
            matches!(
                m.as_slice(),
                [Mismatch::FullCopyRefused {
                    rule: 0,
                    taken: Some(Level::HitNoHit),
                    ..
                }]
            ),
            "{m:?}"
        );
        assert!(m[0].is_fatal());
        assert_eq!(check_pair(&full, &full), []);
        // Receiving more than is sent is fine; checks need an asker.
        assert_eq!(check_pair(&hit_no_hit, &hit_no_hit), []);
        assert!(matches!(
            check_pair(&hit_no_hit, &full).as_slice(),
            [Mismatch::ChecksNeverAsked { rule: 0, .. }]
        ));
        // A receiver that takes one agency only refuses the others.
        let one_agency = Agreement {
            rules: vec![Rule {
                agencies: vec!["dz-dgsn".into()],
                level: Level::Full,
                ..Rule::default()
            }],
            ..Agreement::default()
        };
        let two = Agreement {
            rules: vec![Rule {
                agencies: vec!["dz-dgsn".into(), "dz-customs".into()],
                level: Level::Full,
                ..Rule::default()
            }],
            ..Agreement::default()
        };
        let m = check_pair(&two, &one_agency);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].to_string().contains("dz-customs"), "{}", m[0]);
        assert_eq!(check_pair(&one_agency, &two), []);
        // Differing traveller fields are reported, not fatal.
        let names_only = Agreement {
            traveller_fields: vec![TravellerField::Name],
            ..full.clone()
        };
        let both = Agreement {
            traveller_fields: vec![TravellerField::Name, TravellerField::BirthDate],
            ..full.clone()
        };
        let m = check_pair(&both, &names_only);
        assert_eq!(
            m,
            [Mismatch::TravellerFields {
                sender_only: vec![TravellerField::BirthDate],
                receiver_only: vec![],
            }]
        );
        assert!(!m[0].is_fatal());
    }
}
