//! The pure half of an import: validating a batch, its content hash, its
//! counts and its difference from the previous version. No I/O here.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sha2::{Digest, Sha256};
use tansiq_model::{Entity, EntryStatus};

use crate::StoreError;

/// What changed between two versions of a list, by entity id (each vector
/// sorted by id).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// Ids present only in the new version.
    pub added: Vec<String>,
    /// Ids present in both whose content differs, with the names of the
    /// differing fields: FollowTheMoney property names (`name`,
    /// `birthDate`, …) and tansiq's own fields under their JSON names
    /// (`schema`, `provenance`, `legal_basis`, `sharing`, `validity`,
    /// `status`, …), sorted.
    pub changed: Vec<(String, Vec<String>)>,
    /// Ids present only in the old version.
    pub removed: Vec<String>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

/// Compares two versions of a list by entity id.
///
/// `provenance.list_version` is ignored: it names the version an entity was
/// read from, so it differs between any two versions without the entity
/// having changed. Property values compare in order (a list that reorders an
/// entity's aliases has changed that entity's `alias`). When an id occurs
/// more than once in a slice, the last occurrence counts.
pub fn diff(old: &[Entity], new: &[Entity]) -> Diff {
    let old: HashMap<&str, &Entity> = old.iter().map(|e| (e.id.as_str(), e)).collect();
    let new: BTreeMap<&str, &Entity> = new.iter().map(|e| (e.id.as_str(), e)).collect();
    let mut out = Diff::default();
    for (id, n) in &new {
        match old.get(id) {
            None => out.added.push((*id).to_string()),
            Some(o) => {
                let fields = changed_fields(o, n);
                if !fields.is_empty() {
                    out.changed.push(((*id).to_string(), fields));
                }
            }
        }
    }
    let mut removed: Vec<String> = old
        .keys()
        .filter(|id| !new.contains_key(*id))
        .map(|id| (*id).to_string())
        .collect();
    removed.sort();
    out.removed = removed;
    out
}

/// The names of the fields in which two versions of one entity differ.
pub(crate) fn changed_fields(old: &Entity, new: &Entity) -> Vec<String> {
    let mut fields = BTreeSet::new();
    let keys: BTreeSet<&String> = old.properties.keys().chain(new.properties.keys()).collect();
    for key in keys {
        if old.get(key) != new.get(key) {
            fields.insert(key.clone());
        }
    }
    let mut old_prov = old.provenance.clone();
    let mut new_prov = new.provenance.clone();
    old_prov.list_version = None;
    new_prov.list_version = None;
    let tansiq_fields = [
        ("schema", old.schema != new.schema),
        ("provenance", old_prov != new_prov),
        ("origin_agency", old.origin_agency != new.origin_agency),
        ("legal_basis", old.legal_basis != new.legal_basis),
        ("action_on_hit", old.action_on_hit != new.action_on_hit),
        ("sharing", old.sharing != new.sharing),
        ("validity", old.validity != new.validity),
        ("status", old.status != new.status),
    ];
    for (name, differs) in tansiq_fields {
        if differs {
            fields.insert(name.to_string());
        }
    }
    fields.into_iter().collect()
}

/// Counts of one list version, as reported and kept with it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub entities: usize,
    pub persons: usize,
    pub organisations: usize,
    /// Vessels, aircraft and bare `LegalEntity` records.
    pub other: usize,
    /// Names of every kind (primary, alias, weak alias); an entity known
    /// only by name parts counts one.
    pub names: usize,
}

pub(crate) fn counts(entities: &[Entity]) -> Counts {
    let mut c = Counts {
        entities: entities.len(),
        ..Counts::default()
    };
    for e in entities {
        if e.schema.is_person() {
            c.persons += 1;
        } else if e.schema.is_organisation() && e.schema != tansiq_model::Schema::LegalEntity {
            c.organisations += 1;
        } else {
            c.other += 1;
        }
        let names = e.names().len();
        c.names += if names == 0 && e.composed_name().is_some() {
            1
        } else {
            names
        };
    }
    c
}

/// A batch of entities checked and normalised for import into `source`.
#[derive(Debug)]
pub(crate) struct Batch {
    /// Sorted by id; `provenance.source` and `provenance.list_version` set.
    pub entities: Vec<Entity>,
    pub content_hash: String,
    pub counts: Counts,
}

/// Checks a batch and prepares it: ids present and unique, each entity's
/// source empty or `source`; stamps source and version into provenance.
pub(crate) fn prepare(
    source: &str,
    version: &str,
    mut entities: Vec<Entity>,
) -> Result<Batch, StoreError> {
    check_label("source", source)?;
    check_label("version", version)?;
    if source == crate::NATIONAL_SOURCE {
        return Err(StoreError::invalid(
            "source",
            format!("{source:?} is reserved for national entries (use put_entry)"),
        ));
    }
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(entities.len());
    for (i, e) in entities.iter().enumerate() {
        if e.id.trim().is_empty() {
            return Err(StoreError::invalid(
                format!("entities[{i}].id"),
                "the id is empty",
            ));
        }
        if let Some(first) = seen.insert(e.id.as_str(), i) {
            return Err(StoreError::invalid(
                format!("entities[{i}].id"),
                format!("duplicate id {:?} (also at entities[{first}])", e.id),
            ));
        }
        if e.status != EntryStatus::Active {
            return Err(StoreError::invalid(
                format!("entities[{i}].status"),
                format!(
                    "entity {:?} is withdrawn; a list carries active entities \
                     (leaving it out of the version withdraws it)",
                    e.id
                ),
            ));
        }
        if !e.provenance.source.is_empty() && e.provenance.source != source {
            return Err(StoreError::invalid(
                format!("entities[{i}].provenance.source"),
                format!(
                    "entity {:?} says source {:?} but is imported into {source:?}",
                    e.id, e.provenance.source
                ),
            ));
        }
    }
    for e in &mut entities {
        e.provenance.source = source.to_string();
        e.provenance.list_version = None;
    }
    entities.sort_by(|a, b| a.id.cmp(&b.id));
    let content_hash = content_hash(&entities);
    for e in &mut entities {
        e.provenance.list_version = Some(version.to_string());
    }
    let counts = counts(&entities);
    Ok(Batch {
        entities,
        content_hash,
        counts,
    })
}

/// SHA-256 (hex) over the entities' JSON, one line each, in the given order.
fn content_hash(entities: &[Entity]) -> String {
    let mut h = Sha256::new();
    for e in entities {
        // Serialising a model entity cannot fail: every field is a string,
        // a map of strings or a unit-like enum.
        let json = serde_json::to_vec(e).unwrap_or_default();
        h.update(&json);
        h.update(b"\n");
    }
    hex(&h.finalize())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A source or version label: non-empty, at most 200 characters, no
/// control characters.
pub(crate) fn check_label(field: &str, value: &str) -> Result<(), StoreError> {
    if value.trim().is_empty() {
        return Err(StoreError::invalid(field, "it is empty"));
    }
    if value.chars().count() > 200 {
        return Err(StoreError::invalid(
            field,
            "it is longer than 200 characters",
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(StoreError::invalid(
            field,
            "it contains a control character",
        ));
    }
    Ok(())
}

/// The entity as kept once its list no longer carries it.
pub(crate) fn delisted(mut e: Entity) -> Entity {
    e.status = EntryStatus::Withdrawn;
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use tansiq_model::{Schema, prop};

    fn person(id: &str, name: &str) -> Entity {
        let mut e = Entity::new(id, Schema::Person);
        e.add(prop::NAME, name);
        e
    }

    /// Expected (added, changed with fields, removed).
    type Expected<'a> = (&'a [&'a str], &'a [(&'a str, &'a [&'a str])], &'a [&'a str]);

    fn check(old: &[Entity], new: &[Entity], expect: Expected<'_>) {
        let d = diff(old, new);
        let changed: Vec<(String, Vec<String>)> = expect
            .1
            .iter()
            .map(|(id, f)| (id.to_string(), f.iter().map(|s| s.to_string()).collect()))
            .collect();
        assert_eq!(d.added, expect.0, "added");
        assert_eq!(d.changed, changed, "changed");
        assert_eq!(d.removed, expect.2, "removed");
    }

    #[test]
    fn identical_lists_have_an_empty_diff() {
        let a = [person("p1", "Amal Fictive"), person("p2", "Bashir Nemo")];
        check(&a, &a, (&[], &[], &[]));
        assert!(diff(&a, &a).is_empty());
    }

    #[test]
    fn added_changed_removed_are_sorted_by_id() {
        let old = [
            person("p3", "C"),
            person("p1", "A"),
            person("p2", "B"),
            person("p9", "Z"),
        ];
        let mut p2 = person("p2", "B");
        p2.add(prop::BIRTH_DATE, "1970");
        p2.add(prop::ALIAS, "Bee");
        let mut p3 = person("p3", "C");
        p3.schema = Schema::LegalEntity;
        let new = [
            person("p5", "E"),
            p3,
            p2,
            person("p1", "A"),
            person("p4", "D"),
        ];
        check(
            &old,
            &new,
            (
                &["p4", "p5"],
                &[("p2", &["alias", "birthDate"]), ("p3", &["schema"])],
                &["p9"],
            ),
        );
    }

    #[test]
    fn list_version_alone_is_not_a_change_but_other_provenance_is() {
        let mut a = person("p1", "A");
        a.provenance.list_version = Some("v1".into());
        let mut b = a.clone();
        b.provenance.list_version = Some("v2".into());
        check(std::slice::from_ref(&a), &[b.clone()], (&[], &[], &[]));
        b.provenance.amended_on = Some("2026-01-01".into());
        b.status = EntryStatus::Withdrawn;
        check(&[a], &[b], (&[], &[("p1", &["provenance", "status"])], &[]));
    }

    #[test]
    fn value_order_and_removed_properties_count_as_changes() {
        let mut a = person("p1", "A");
        a.add(prop::ALIAS, "X");
        a.add(prop::ALIAS, "Y");
        a.add(prop::NOTES, "n");
        let mut b = person("p1", "A");
        b.add(prop::ALIAS, "Y");
        b.add(prop::ALIAS, "X");
        check(&[a], &[b], (&[], &[("p1", &["alias", "notes"])], &[]));
    }

    #[test]
    fn prepare_rejects_duplicates_and_foreign_sources_naming_the_position() {
        let err = prepare("un-sc", "v1", vec![person("a", "A"), person("a", "B")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid entities[1].id: duplicate id \"a\" (also at entities[0])"
        );
        let mut e = person("a", "A");
        e.provenance.source = "ofac".into();
        let err = prepare("un-sc", "v1", vec![person("b", "B"), e]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid entities[1].provenance.source")
        );
        let mut w = person("w", "W");
        w.status = EntryStatus::Withdrawn;
        let err = prepare("un-sc", "v1", vec![w]).unwrap_err();
        assert!(
            err.to_string().starts_with("invalid entities[0].status"),
            "{err}"
        );
        assert!(prepare("national", "v1", vec![]).is_err());
        assert!(prepare("un-sc", " ", vec![]).is_err());
        assert!(prepare("un-sc", "v1", vec![person(" ", "A")]).is_err());
    }

    #[test]
    fn content_hash_ignores_order_and_version_label_but_not_content() {
        let a = vec![person("a", "A"), person("b", "B")];
        let b = vec![person("b", "B"), person("a", "A")];
        let ha = prepare("s", "v1", a).unwrap();
        let hb = prepare("s", "v2", b).unwrap();
        assert_eq!(ha.content_hash, hb.content_hash);
        assert_eq!(
            ha.entities[0].provenance.list_version.as_deref(),
            Some("v1")
        );
        assert_eq!(ha.entities[0].provenance.source, "s");
        let hc = prepare("s", "v1", vec![person("a", "A"), person("b", "Bb")]).unwrap();
        assert_ne!(ha.content_hash, hc.content_hash);
        assert_eq!(ha.content_hash.len(), 64);
    }

    #[test]
    fn counts_by_schema_and_names() {
        let mut org = Entity::new("o", Schema::Company);
        org.add(prop::NAME, "Acme Fictive");
        org.add(prop::ALIAS, "AF");
        let mut parts = Entity::new("q", Schema::Person);
        parts.add(prop::FIRST_NAME, "Nadia");
        let c = counts(&[
            person("p", "P"),
            org,
            parts,
            Entity::new("v", Schema::Vessel),
        ]);
        assert_eq!(
            c,
            Counts {
                entities: 4,
                persons: 2,
                organisations: 1,
                other: 1,
                names: 4
            }
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;
        use std::collections::BTreeMap;

        /// Lists of up to 12 entities with ids from a small set (so old and
        /// new overlap) and one of a few names and birth years each.
        fn list() -> impl Strategy<Value = Vec<Entity>> {
            proptest::collection::btree_map(0u8..16, (0u8..3, proptest::option::of(0u8..2)), 0..12)
                .prop_map(|m: BTreeMap<u8, (u8, Option<u8>)>| {
                    m.into_iter()
                        .map(|(id, (name, year))| {
                            let mut e = person(&format!("e{id}"), &format!("Name {name}"));
                            if let Some(y) = year {
                                e.add(tansiq_model::prop::BIRTH_DATE, format!("197{y}"));
                            }
                            e
                        })
                        .collect()
                })
        }

        proptest! {
            #[test]
            fn diff_partitions_ids_and_flags_exactly_the_differing(old in list(), new in list()) {
                let d = diff(&old, &new);
                let old_ids: BTreeSet<&str> = old.iter().map(|e| e.id.as_str()).collect();
                let new_ids: BTreeSet<&str> = new.iter().map(|e| e.id.as_str()).collect();
                let added: Vec<&str> = new_ids.difference(&old_ids).copied().collect();
                let removed: Vec<&str> = old_ids.difference(&new_ids).copied().collect();
                prop_assert_eq!(d.added.iter().map(String::as_str).collect::<Vec<_>>(), added);
                prop_assert_eq!(d.removed.iter().map(String::as_str).collect::<Vec<_>>(), removed);
                let mut changed: Vec<&str> = new
                    .iter()
                    .filter(|n| old.iter().any(|o| o.id == n.id && o != *n))
                    .map(|e| e.id.as_str())
                    .collect();
                changed.sort();
                prop_assert_eq!(
                    d.changed.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
                    changed
                );
                prop_assert!(d.changed.iter().all(|(_, f)| !f.is_empty()));
                prop_assert!(diff(&new, &new).is_empty());
            }
        }
    }
}
