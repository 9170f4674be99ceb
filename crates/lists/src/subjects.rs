//! One subject, several listings: which entities of different lists are
//! the same person, organisation or vessel **because the lists say so**.
//!
//! Two listings are linked only by an identifier that both lists carry as
//! data, never by how alike their names are:
//!
//! | key | read from | e.g. |
//! |---|---|---|
//! | UN reference number | `unscId` (UN listings; the UK's "UN Reference Number") | `QDi.232` |
//! | identity document number | `passportNumber`, `idNumber` (UN, OFAC remarks, UK identifiers, national entries) | `A1234567` |
//! | IMO ship number | `imoNumber` | `9123456` |
//!
//! Rules (each to keep a link from being a guess):
//! - a link joins listings of **different sources** (two UN listings are
//!   two subjects: the list says so by listing them twice);
//! - the key must be **unambiguous in each source**: a number that two
//!   listings of one list both carry (a family's shared document, a
//!   recycled number, a counterfeit used by several people) links nothing;
//! - a document number must have at least [`MIN_DOCUMENT_CHARS`]
//!   characters of which [`MIN_DOCUMENT_DIGITS`] digits, an IMO number
//!   exactly seven digits (short numbers repeat across countries);
//! - the schemata must be compatible (a person never joins a company);
//! - only entities every agency of the node may see take part: one
//!   restricted to some agencies would, by joining two listings, tell the
//!   others that it exists;
//! - a subject holds **at most one listing per source**: links are taken
//!   strongest first (UN reference, then documents, then IMO; then by id),
//!   and one that would put two listings of one source in a subject is
//!   dropped, so a chain of links cannot merge two people a list keeps
//!   apart. Organisations' registration numbers are not used: the lists
//!   give them without the registry's country, and they repeat.
//!
//! [`SubjectIndex`] keeps the links current as entities change
//! ([`SubjectIndex::apply`] recomputes only the subjects a change can
//! touch), so importing a new version of one list re-links it.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt;
use std::sync::Arc;

use tansiq_model::{Entity, Schema, Visibility, prop};

use crate::uk::UNSC_ID;

/// Fewest characters (letters and digits, after normalisation) of a
/// document number that may link two listings.
pub const MIN_DOCUMENT_CHARS: usize = 6;
/// Fewest digits of a document number that may link two listings.
pub const MIN_DOCUMENT_DIGITS: usize = 4;
/// Digits of an IMO ship identification number.
pub const IMO_DIGITS: usize = 7;

/// An identifier two listings of one subject share.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkKey {
    /// The UN Security Council reference number, as the UN writes it
    /// (`QDi.232`; blanks dropped).
    UnReference(String),
    /// A passport or identity card number, normalised.
    Document(String),
    /// A ship's IMO number.
    Imo(String),
}

impl fmt::Display for LinkKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkKey::UnReference(r) => write!(f, "same UN reference number {r}"),
            LinkKey::Document(n) => write!(f, "same identity document number {n}"),
            LinkKey::Imo(n) => write!(f, "same IMO number {n}"),
        }
    }
}

impl LinkKey {
    /// A short machine name of the kind of key (`un-reference`,
    /// `document`, `imo`).
    pub fn kind(&self) -> &'static str {
        match self {
            LinkKey::UnReference(_) => "un-reference",
            LinkKey::Document(_) => "document",
            LinkKey::Imo(_) => "imo",
        }
    }

    /// The identifier itself.
    pub fn value(&self) -> &str {
        match self {
            LinkKey::UnReference(v) | LinkKey::Document(v) | LinkKey::Imo(v) => v,
        }
    }
}

/// The identifiers of `e` that may link it to another list's listing.
pub fn link_keys(e: &Entity) -> Vec<LinkKey> {
    let mut keys = BTreeSet::new();
    for r in e.get(UNSC_ID) {
        let r: String = r.chars().filter(|c| !c.is_whitespace()).collect();
        if !r.is_empty() {
            keys.insert(LinkKey::UnReference(r));
        }
    }
    for d in e.documents() {
        let digits = d.number.bytes().filter(u8::is_ascii_digit).count();
        if d.number.len() >= MIN_DOCUMENT_CHARS && digits >= MIN_DOCUMENT_DIGITS {
            keys.insert(LinkKey::Document(d.number));
        }
    }
    for imo in e.get(prop::IMO_NUMBER) {
        let digits: String = imo.chars().filter(char::is_ascii_digit).collect();
        if digits.len() == IMO_DIGITS {
            keys.insert(LinkKey::Imo(digits));
        }
    }
    keys.into_iter().collect()
}

/// Two listings joined, and the identifier that joins them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub a: String,
    pub b: String,
    pub key: LinkKey,
}

/// One subject listed more than once: its listings (entity ids, sorted)
/// and the links that joined them (a spanning set: each listing is
/// reached by at least one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    pub listings: Vec<String>,
    pub links: Vec<Link>,
}

impl Subject {
    /// The links that reach `id`.
    pub fn links_of<'s>(&'s self, id: &'s str) -> impl Iterator<Item = &'s Link> + 's {
        self.links.iter().filter(move |l| l.a == id || l.b == id)
    }
}

#[derive(Clone, Debug)]
struct Facts {
    source: String,
    schema: Schema,
    keys: Vec<LinkKey>,
}

/// The subjects of a set of entities, kept current as they change.
#[derive(Clone, Debug, Default)]
pub struct SubjectIndex {
    facts: HashMap<String, Facts>,
    holders: HashMap<LinkKey, Vec<String>>,
    subject_of: HashMap<String, Arc<Subject>>,
}

impl SubjectIndex {
    /// The subjects of `entities` (each id once).
    pub fn build<'a>(entities: impl IntoIterator<Item = &'a Entity>) -> SubjectIndex {
        let mut index = SubjectIndex::default();
        let mut seeds = Vec::new();
        for e in entities {
            if index.insert(e) {
                seeds.push(e.id.clone());
            }
        }
        index.relink(seeds);
        index
    }

    /// The subject `id` belongs to, when it has other listings.
    pub fn subject(&self, id: &str) -> Option<&Arc<Subject>> {
        self.subject_of.get(id)
    }

    /// Every subject with more than one listing, each once, in the order
    /// of its first listing.
    pub fn subjects(&self) -> Vec<&Arc<Subject>> {
        let mut seen = HashSet::new();
        let mut out: Vec<&Arc<Subject>> = self
            .subject_of
            .values()
            .filter(|s| seen.insert(Arc::as_ptr(s)))
            .collect();
        out.sort_by(|a, b| a.listings.cmp(&b.listings));
        out
    }

    /// Whether a change to `e` (or the removal of `id`) can change any
    /// link: the entity has linking keys now or had them before.
    pub fn touches(&self, id: &str, e: Option<&Entity>) -> bool {
        self.facts.contains_key(id)
            || e.is_some_and(|e| {
                e.sharing.visibility == Visibility::National && !link_keys(e).is_empty()
            })
    }

    /// Applies changes: each entity put (added or changed) and each id
    /// removed (withdrawn); only the subjects they can touch are
    /// recomputed.
    pub fn apply<'a>(&mut self, put: impl IntoIterator<Item = &'a Entity>, removed: &[String]) {
        let mut seeds: Vec<String> = Vec::new();
        let forget = |index: &mut SubjectIndex, id: &str, seeds: &mut Vec<String>| {
            if let Some(s) = index.subject_of.get(id) {
                seeds.extend(s.listings.iter().cloned());
            }
            if let Some(old) = index.facts.remove(id) {
                for k in old.keys {
                    if let Some(h) = index.holders.get_mut(&k) {
                        h.retain(|x| x != id);
                        seeds.extend(h.iter().cloned());
                        if h.is_empty() {
                            index.holders.remove(&k);
                        }
                    }
                }
            }
            index.subject_of.remove(id);
        };
        for id in removed {
            forget(self, id, &mut seeds);
        }
        for e in put {
            forget(self, &e.id, &mut seeds);
            if self.insert(e) {
                seeds.push(e.id.clone());
                for k in &self.facts[&e.id].keys {
                    seeds.extend(self.holders[k].iter().cloned());
                }
            }
        }
        self.relink(seeds);
    }

    /// Records `e`'s facts; whether it has any linking key. An entity
    /// whose visibility is restricted to some agencies links nothing: a
    /// subject joined through it would tell every agency it exists.
    fn insert(&mut self, e: &Entity) -> bool {
        if e.sharing.visibility != Visibility::National {
            return false;
        }
        let keys = link_keys(e);
        if keys.is_empty() {
            return false;
        }
        for k in &keys {
            let h = self.holders.entry(k.clone()).or_default();
            if !h.contains(&e.id) {
                h.push(e.id.clone());
            }
        }
        self.facts.insert(
            e.id.clone(),
            Facts {
                source: e.provenance.source.clone(),
                schema: e.schema,
                keys,
            },
        );
        true
    }

    /// Whether `key` links `a` and `b` (both with facts).
    fn links(&self, a: &str, b: &str, key: &LinkKey) -> bool {
        let (fa, fb) = (&self.facts[a], &self.facts[b]);
        if fa.source == fb.source || !fa.schema.compatible(fb.schema) {
            return false;
        }
        let holders = &self.holders[key];
        let in_source = |source: &str| {
            holders
                .iter()
                .filter(|id| self.facts[id.as_str()].source == source)
                .count()
        };
        in_source(&fa.source) == 1 && in_source(&fb.source) == 1
    }

    /// Recomputes the subjects of every entity connected to `seeds`.
    fn relink(&mut self, seeds: Vec<String>) {
        let mut done: HashSet<String> = HashSet::new();
        for seed in seeds {
            if done.contains(&seed) || !self.facts.contains_key(&seed) {
                continue;
            }
            // the connected component of candidate links
            let mut component = vec![seed.clone()];
            let mut edges: Vec<Link> = Vec::new();
            let mut queue = VecDeque::from([seed.clone()]);
            done.insert(seed);
            while let Some(id) = queue.pop_front() {
                for k in &self.facts[&id].keys {
                    for other in &self.holders[k] {
                        if *other == id || !self.links(&id, other, k) {
                            continue;
                        }
                        if id < *other {
                            edges.push(Link {
                                a: id.clone(),
                                b: other.clone(),
                                key: k.clone(),
                            });
                        }
                        if done.insert(other.clone()) {
                            component.push(other.clone());
                            queue.push_back(other.clone());
                        }
                    }
                }
            }
            for id in &component {
                self.subject_of.remove(id);
            }
            for subject in self.join(component, edges) {
                let subject = Arc::new(subject);
                for id in &subject.listings {
                    self.subject_of.insert(id.clone(), subject.clone());
                }
            }
        }
    }

    /// Joins a component's listings by its links, strongest first, never
    /// two listings of one source in a subject.
    fn join(&self, component: Vec<String>, mut edges: Vec<Link>) -> Vec<Subject> {
        edges.sort_by(|x, y| (&x.key, &x.a, &x.b).cmp(&(&y.key, &y.a, &y.b)));
        let at: HashMap<&str, usize> = component
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let mut parent: Vec<usize> = (0..component.len()).collect();
        let mut sources: Vec<BTreeSet<&str>> = component
            .iter()
            .map(|id| BTreeSet::from([self.facts[id].source.as_str()]))
            .collect();
        let mut kept: Vec<Vec<Link>> = vec![Vec::new(); component.len()];
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        for edge in edges {
            let (ra, rb) = (
                root(&mut parent, at[edge.a.as_str()]),
                root(&mut parent, at[edge.b.as_str()]),
            );
            if ra == rb || !sources[ra].is_disjoint(&sources[rb]) {
                continue;
            }
            let moved = std::mem::take(&mut sources[rb]);
            sources[ra].extend(moved);
            let moved = std::mem::take(&mut kept[rb]);
            kept[ra].extend(moved);
            kept[ra].push(edge);
            parent[rb] = ra;
        }
        let mut groups: HashMap<usize, Vec<String>> = HashMap::new();
        for (i, id) in component.iter().enumerate() {
            let r = root(&mut parent, i);
            groups.entry(r).or_default().push(id.clone());
        }
        let mut out: Vec<Subject> = groups
            .into_iter()
            .filter(|(_, ids)| ids.len() > 1)
            .map(|(r, mut listings)| {
                listings.sort();
                Subject {
                    listings,
                    links: std::mem::take(&mut kept[r]),
                }
            })
            .collect();
        out.sort_by(|a, b| a.listings.cmp(&b.listings));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(id: &str, source: &str, schema: Schema, props: &[(&str, &str)]) -> Entity {
        let mut e = Entity::new(id, schema);
        e.provenance.source = source.into();
        e.add(prop::NAME, format!("Fictitious {id}"));
        for (p, v) in props {
            e.add(p, *v);
        }
        e
    }

    fn person(id: &str, source: &str, props: &[(&str, &str)]) -> Entity {
        listing(id, source, Schema::Person, props)
    }

    fn ids(index: &SubjectIndex, id: &str) -> Vec<String> {
        index
            .subject(id)
            .map(|s| s.listings.clone())
            .unwrap_or_default()
    }

    #[test]
    fn un_reference_and_document_join_three_lists() {
        let un = person("QDi.901", "un-sc", &[(UNSC_ID, "QDi.901")]);
        let uk = person(
            "uk-AQD9001",
            "uk-sanctions",
            &[
                (UNSC_ID, " QDi.901 "),
                (prop::PASSPORT_NUMBER, "A 123-4567"),
            ],
        );
        let ofac = person("ofac-1", "ofac-sdn", &[(prop::PASSPORT_NUMBER, "A1234567")]);
        let other = person("ofac-2", "ofac-sdn", &[(prop::PASSPORT_NUMBER, "B7654321")]);
        let index = SubjectIndex::build([&un, &uk, &ofac, &other]);
        assert_eq!(ids(&index, "QDi.901"), ["QDi.901", "ofac-1", "uk-AQD9001"]);
        let s = index.subject("ofac-1").unwrap();
        let reasons: Vec<String> = s.links.iter().map(|l| l.key.to_string()).collect();
        assert_eq!(
            reasons,
            [
                "same UN reference number QDi.901",
                "same identity document number A1234567"
            ]
        );
        assert_eq!(s.links_of("ofac-1").count(), 1);
        assert!(index.subject("ofac-2").is_none());
        assert_eq!(index.subjects().len(), 1);
    }

    #[test]
    fn a_restricted_entry_links_nothing() {
        let un = person("QDi.3", "un-sc", &[(prop::PASSPORT_NUMBER, "F3000003")]);
        let mut own = person("dz-1", "national", &[(prop::PASSPORT_NUMBER, "F3000003")]);
        own.sharing.visibility = Visibility::Originator;
        assert!(!SubjectIndex::default().touches("dz-1", Some(&own)));
        let index = SubjectIndex::build([&un, &own]);
        assert!(index.subject("QDi.3").is_none());
        own.sharing.visibility = Visibility::National;
        let index = SubjectIndex::build([&un, &own]);
        assert_eq!(ids(&index, "QDi.3"), ["QDi.3", "dz-1"]);
    }

    #[test]
    fn names_alone_never_link() {
        let a = person("QDi.1", "un-sc", &[]);
        let mut b = person("ofac-1", "ofac-sdn", &[]);
        b.properties
            .insert(prop::NAME.into(), vec!["Fictitious QDi.1".into()]);
        let index = SubjectIndex::build([&a, &b]);
        assert!(index.subject("QDi.1").is_none());
    }

    #[test]
    fn a_number_two_listings_of_one_list_carry_links_nothing() {
        let a = person("ofac-1", "ofac-sdn", &[(prop::PASSPORT_NUMBER, "C5550001")]);
        let b = person("ofac-2", "ofac-sdn", &[(prop::PASSPORT_NUMBER, "C5550001")]);
        let c = person(
            "uk-1",
            "uk-sanctions",
            &[(prop::PASSPORT_NUMBER, "C5550001")],
        );
        let index = SubjectIndex::build([&a, &b, &c]);
        assert!(index.subjects().is_empty());
    }

    #[test]
    fn short_numbers_and_other_schemata_do_not_link() {
        let a = person("un-1", "un-sc", &[(prop::PASSPORT_NUMBER, "12345")]);
        let b = person("uk-1", "uk-sanctions", &[(prop::PASSPORT_NUMBER, "12345")]);
        let c = person("un-2", "un-sc", &[(prop::ID_NUMBER, "ABCDEFG1")]);
        let d = person("uk-2", "uk-sanctions", &[(prop::ID_NUMBER, "ABCDEFG1")]);
        let ship = listing(
            "uk-3",
            "uk-sanctions",
            Schema::Vessel,
            &[(prop::IMO_NUMBER, "IMO 9123456")],
        );
        let person_with_imo = person("un-3", "un-sc", &[(prop::IMO_NUMBER, "9123456")]);
        let index = SubjectIndex::build([&a, &b, &c, &d, &ship, &person_with_imo]);
        assert!(index.subjects().is_empty(), "{:?}", index.subjects());
        let ofac_ship = listing(
            "ofac-9",
            "ofac-sdn",
            Schema::Vessel,
            &[(prop::IMO_NUMBER, "9123456")],
        );
        let index = SubjectIndex::build([&ship, &ofac_ship]);
        assert_eq!(ids(&index, "uk-3"), ["ofac-9", "uk-3"]);
    }

    #[test]
    fn a_chain_never_puts_two_listings_of_one_list_together() {
        // un-1 and un-2 are two UN subjects; an OFAC listing carries a
        // number of each (bad data): it joins the first by the stronger,
        // earlier link only
        let un1 = person("un-1", "un-sc", &[(prop::PASSPORT_NUMBER, "D1000001")]);
        let un2 = person("un-2", "un-sc", &[(prop::PASSPORT_NUMBER, "D2000002")]);
        let ofac = person(
            "ofac-1",
            "ofac-sdn",
            &[
                (prop::PASSPORT_NUMBER, "D1000001"),
                (prop::PASSPORT_NUMBER, "D2000002"),
            ],
        );
        let index = SubjectIndex::build([&un1, &un2, &ofac]);
        assert_eq!(ids(&index, "ofac-1"), ["ofac-1", "un-1"]);
        assert!(index.subject("un-2").is_none());
    }

    #[test]
    fn changes_relink_only_what_they_touch() {
        let un = person("QDi.7", "un-sc", &[(UNSC_ID, "QDi.7")]);
        let uk = person("uk-7", "uk-sanctions", &[(UNSC_ID, "QDi.7")]);
        let mut index = SubjectIndex::build([&un, &uk]);
        assert_eq!(ids(&index, "uk-7"), ["QDi.7", "uk-7"]);
        // a new UK version without the reference unlinks
        let uk2 = person("uk-7", "uk-sanctions", &[]);
        assert!(index.touches("uk-7", Some(&uk2)));
        index.apply([&uk2], &[]);
        assert!(index.subject("QDi.7").is_none());
        // an OFAC listing with a document the UN listing gains links again
        let un2 = person(
            "QDi.7",
            "un-sc",
            &[(UNSC_ID, "QDi.7"), (prop::ID_NUMBER, "7700770077")],
        );
        let ofac = person("ofac-7", "ofac-sdn", &[(prop::ID_NUMBER, "7700770077")]);
        index.apply([&un2, &ofac], &[]);
        assert_eq!(ids(&index, "ofac-7"), ["QDi.7", "ofac-7"]);
        // withdrawn
        index.apply([], &["QDi.7".to_string()]);
        assert!(index.subject("ofac-7").is_none());
        assert!(index.subjects().is_empty());
        // an entity without keys touches nothing
        let plain = person("x", "national", &[]);
        assert!(!index.touches("x", Some(&plain)));
    }

    #[test]
    fn incremental_equals_scratch() {
        // a few listings over three lists, changed in steps: the index kept
        // by `apply` answers as one built from scratch at every step
        let mut current: HashMap<String, Entity> = HashMap::new();
        let mut index = SubjectIndex::default();
        let steps: Vec<Vec<Entity>> = vec![
            vec![
                person(
                    "un-1",
                    "un-sc",
                    &[(UNSC_ID, "QDi.1"), (prop::PASSPORT_NUMBER, "E1111111")],
                ),
                person("uk-1", "uk-sanctions", &[(UNSC_ID, "QDi.1")]),
            ],
            vec![person(
                "ofac-1",
                "ofac-sdn",
                &[(prop::PASSPORT_NUMBER, "E1111111")],
            )],
            vec![person(
                "ofac-2",
                "ofac-sdn",
                &[(prop::PASSPORT_NUMBER, "E1111111")],
            )],
            vec![person(
                "ofac-2",
                "ofac-sdn",
                &[(prop::PASSPORT_NUMBER, "E2222222")],
            )],
            vec![person(
                "uk-1",
                "uk-sanctions",
                &[(prop::PASSPORT_NUMBER, "E2222222")],
            )],
        ];
        for step in steps {
            for e in &step {
                current.insert(e.id.clone(), e.clone());
            }
            index.apply(step.iter(), &[]);
            let scratch = SubjectIndex::build(current.values());
            let mut ids: Vec<&String> = current.keys().collect();
            ids.sort();
            for id in ids {
                assert_eq!(
                    index.subject(id).map(|s| &s.listings),
                    scratch.subject(id).map(|s| &s.listings),
                    "{id}"
                );
            }
        }
        assert_eq!(
            index.subject("ofac-2").unwrap().listings,
            ["ofac-2", "uk-1"]
        );
        assert_eq!(index.subject("un-1").unwrap().listings, ["ofac-1", "un-1"]);
    }
}
