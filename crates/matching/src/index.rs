//! The screening index: a vocabulary of name units with rarity weights,
//! fuzzy keys into that vocabulary, and occurrence lists from vocabulary
//! entries to listed names.

use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use tansiq_model::{Entity, NameKind, PartialDate, Schema};
use tansiq_names::{Script, Token, UnitKind, VariantKind, coarse_skeleton, tokenize};

use crate::MatcherConfig;
use crate::explain::Rule;

/// A vocabulary entry similar to some form: (entry id, similarity, rule).
pub(crate) type VocabMatch = (u32, f32, Rule);

/// One distinct name unit of the index.
#[derive(Debug, Clone)]
pub(crate) struct VTok {
    pub text: Box<str>,
    pub skeleton: Box<str>,
    pub key: Box<[u8]>,
    pub script: Script,
    pub kind: UnitKind,
    /// An adjacent-token join, not a token of its own.
    pub is_join: bool,
    /// Inverse document frequency of the skeleton over entities.
    pub idf: f32,
}

/// Where a vocabulary entry occurs: a listed name, the position of the
/// token, and how many positions it covers (2 for adjacent-token joins).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Occ {
    pub name: u32,
    pub pos: u8,
    pub len: u8,
    /// Which reading: 0 for the token itself or a join, else 1 + the
    /// variant kind ([`READINGS`]).
    pub reading: u8,
}

impl Occ {
    /// Similarity multiplier: 1 for the token itself, less for weaker
    /// alternative readings (see [`variant_factor`]).
    pub fn factor(&self) -> f32 {
        reading_factor(u32::from(self.reading))
    }
}

/// The variant kinds an [`Occ::reading`] names, from 1.
const READINGS: [VariantKind; 6] = [
    VariantKind::GluedParticle,
    VariantKind::ArticleStripped,
    VariantKind::MaghrebKunya,
    VariantKind::KunyaInner,
    VariantKind::ArabicReading,
    VariantKind::XAsKs,
];

/// The [`Occ::reading`] of a variant.
fn reading_of(kind: VariantKind) -> u8 {
    READINGS
        .iter()
        .position(|&k| k == kind)
        .map_or(0, |i| i as u8 + 1)
}

/// The similarity multiplier of an [`Occ::reading`].
pub(crate) fn reading_factor(reading: u32) -> f32 {
    match reading.checked_sub(1) {
        Some(i) => READINGS
            .get(i as usize)
            .copied()
            .map_or(1.0, variant_factor),
        None => 1.0,
    }
}

/// How much a match through an alternative reading is worth.
pub(crate) fn variant_factor(kind: VariantKind) -> f32 {
    match kind {
        VariantKind::GluedParticle => 1.0,
        VariantKind::ArticleStripped => 0.98,
        VariantKind::MaghrebKunya => 0.95,
        VariantKind::KunyaInner => 0.9,
        VariantKind::ArabicReading => 0.98,
        VariantKind::XAsKs => 0.98,
    }
}

/// Whether a vocabulary entry occurs in at least two entities.
fn in_several_entities(index: &Index, id: usize) -> bool {
    let mut first = None;
    for o in &index.occurrences[id] {
        let e = index.names.entity(o.name);
        match first {
            None => first = Some(e),
            Some(f) if f != e => return true,
            _ => {}
        }
    }
    false
}

/// Whether two adjacent tokens may be joined into one (Ben Ali = Benali):
/// both must be real name words, not generic words or vowel-only
/// fragments.
pub(crate) fn joinable(a: &Token, b: &Token) -> bool {
    !a.is_generic()
        && !b.is_generic()
        && a.text.len() >= 3
        && b.text.len() >= 3
        && !a.skeleton.is_empty()
        && !b.skeleton.is_empty()
}

/// One position (name unit) of a listed name.
#[derive(Debug, Clone)]
pub(crate) struct Pos {
    pub vocab: u32,
    /// The entry whose rarity counts: the token itself, or its reading
    /// without a glued article (el-Hassan is as common as Hassan).
    pub rarity_vocab: u32,
    /// Rarity weight used for coverage (idf, damped for generic words).
    pub weight: f32,
    /// Rarity that counts as evidence (0 for generic words and titles).
    pub evidence: f32,
}

/// A listed name while the index is built; [`Names`] packs them.
#[derive(Debug, Clone)]
pub(crate) struct NameRec {
    pub entity: u32,
    pub kind: NameKind,
    pub raw: Box<str>,
    /// An organisation's name folded by [`fold_name`] (empty for others),
    /// for the learned score's `org_name_distance`.
    pub folded: Box<str>,
    pub positions: Vec<Pos>,
    pub total_weight: f32,
    /// The family-name position: the last one that is not a title
    /// (`Delos Reyes Jr.`), at most 63.
    pub family_pos: u8,
    /// Number of positions that are not titles.
    pub parts: u8,
    /// Words of the parts that are not titles (`Abdul Wahid`, one unit,
    /// is two words), at most [`MAX_WORDS`]: the learned score's length.
    pub words: u8,
    /// A bare kunya (`Abu Zubair`, titles aside) that two or more listed
    /// entities carry as a name: it identifies none of them.
    pub shared_kunya: bool,
    /// Every part is a generic organisation word (Jemaah Islamiyah,
    /// Technology and Development Group Limited).
    pub all_generic: bool,
}

/// One position of a listed name as the index keeps it ([`Pos`] less
/// what only the build reads).
#[derive(Debug, Clone, Copy)]
pub(crate) struct NamePos {
    pub vocab: u32,
    /// [`Pos::weight`].
    pub weight: f32,
    /// [`Pos::evidence`].
    pub evidence: f32,
}

/// A listed name as scoring reads it, from [`Names`]: the fields of a
/// [`NameRec`], with its positions borrowed and its texts read when asked
/// (scoring seldom reads them).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Name<'a> {
    pub entity: u32,
    pub kind: NameKind,
    /// [`Names::texts`], and where this name's raw and folded texts
    /// start and end in it.
    texts: &'a str,
    text: [u32; 3],
    pub positions: &'a [NamePos],
    pub total_weight: f32,
    pub family_pos: u8,
    pub parts: u8,
    pub words: u8,
    pub shared_kunya: bool,
    pub all_generic: bool,
}

/// The listed names, packed once built: one 28-byte record per name, the
/// texts (raw, then folded) of all names in one string and their
/// positions in one array, each name's running to where the next one's
/// starts. A [`NameRec`] with a `Vec` and two boxed strings of its own
/// took 72 bytes and three allocations (crates/cli/BENCH.md, session 13).
#[derive(Debug, Default)]
pub(crate) struct Names {
    /// Per name, then one more that only marks where the last one ends.
    recs: Vec<PackedName>,
    texts: String,
    positions: Vec<NamePos>,
}

#[derive(Debug, Clone, Copy)]
struct PackedName {
    entity: u32,
    /// Where the name's raw text starts in [`Names::texts`]; its folded
    /// text follows it.
    text: u32,
    raw_len: u32,
    /// Where its positions start in [`Names::positions`].
    pos: u32,
    total_weight: f32,
    kind: NameKind,
    family_pos: u8,
    parts: u8,
    words: u8,
    shared_kunya: bool,
    all_generic: bool,
}

impl<'a> Name<'a> {
    /// [`NameRec::raw`].
    pub fn raw(&self) -> &'a str {
        &self.texts[self.text[0] as usize..self.text[1] as usize]
    }

    /// [`NameRec::folded`].
    pub fn folded(&self) -> &'a str {
        &self.texts[self.text[1] as usize..self.text[2] as usize]
    }
}

impl Names {
    fn pack(names: Vec<NameRec>) -> Names {
        let texts: usize = names.iter().map(|n| n.raw.len() + n.folded.len()).sum();
        let positions: usize = names.iter().map(|n| n.positions.len()).sum();
        let mut out = Names {
            recs: Vec::with_capacity(names.len() + 1),
            texts: String::with_capacity(texts),
            positions: Vec::with_capacity(positions),
        };
        let end = |out: &Names, entity: u32| PackedName {
            entity,
            text: out.texts.len() as u32,
            raw_len: 0,
            pos: out.positions.len() as u32,
            total_weight: 0.0,
            kind: NameKind::Primary,
            family_pos: 0,
            parts: 0,
            words: 0,
            shared_kunya: false,
            all_generic: false,
        };
        for n in names {
            out.recs.push(PackedName {
                raw_len: n.raw.len() as u32,
                total_weight: n.total_weight,
                kind: n.kind,
                family_pos: n.family_pos,
                parts: n.parts,
                words: n.words,
                shared_kunya: n.shared_kunya,
                all_generic: n.all_generic,
                ..end(&out, n.entity)
            });
            out.texts.push_str(&n.raw);
            out.texts.push_str(&n.folded);
            out.positions.extend(n.positions.iter().map(|p| NamePos {
                vocab: p.vocab,
                weight: p.weight,
                evidence: p.evidence,
            }));
        }
        out.recs.push(end(&out, 0));
        out
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.recs.len().saturating_sub(1)
    }

    /// The entity of name `id`.
    pub fn entity(&self, id: u32) -> u32 {
        self.recs[id as usize].entity
    }

    /// Name `id`.
    #[inline]
    pub fn get(&self, id: u32) -> Name<'_> {
        let (r, next) = (&self.recs[id as usize], &self.recs[id as usize + 1]);
        Name {
            entity: r.entity,
            kind: r.kind,
            texts: &self.texts,
            text: [r.text, r.text + r.raw_len, next.text],
            positions: &self.positions[r.pos as usize..next.pos as usize],
            total_weight: r.total_weight,
            family_pos: r.family_pos,
            parts: r.parts,
            words: r.words,
            shared_kunya: r.shared_kunya,
            all_generic: r.all_generic,
        }
    }

    /// Heap bytes of (records, texts, positions), for
    /// [`Index::memory_report`].
    pub fn heap_bytes(&self) -> (usize, usize, usize) {
        (
            self.recs.capacity() * std::mem::size_of::<PackedName>(),
            self.texts.capacity(),
            self.positions.capacity() * std::mem::size_of::<NamePos>(),
        )
    }
}

/// The listed names as the candidate stage reads them: one 64-byte slot
/// per name, aligned to a cache line, so that bounding a name, and
/// finding which of the query's common units it holds, costs one cache
/// miss (a [`NameRec`] and its positions are separate allocations).
///
/// A slot holds 16 words:
/// - `entity`, the bits of the smallest listed total (every interior
///   part left out and discounted, as [`Index::score_name`] may weigh
///   it), `n_pos | family_pos << 8 | weak << 16 | spilled << 17 |
///   words << 18` (words: [`NameRec::words`]), and the
///   number of readings (or, spilled, the offset of the name in `spill`);
/// - the entity's [`FactKey`] (4 words): each name carries it, so that
///   bounding the evidence costs no further cache miss;
/// - 8 words: per position its weight and evidence, each rounded *up* to
///   16 bits ([`round_up_16`]: the bound stays a bound), then per reading
///   `vocab | pos << 22 | (len - 1) << 28 | reading << 29`.
///
/// A name that does not fit (more than 8 positions and readings, a
/// position past 63, a vocabulary past 2^22 entries) spills: `spill`
/// holds its number of readings, per position the f32 bits of weight and
/// evidence, per reading the entry and `pos | len << 8 | reading << 16`.
///
/// The readings are the name's occurrences under *common* entries only
/// ([`Index::common_entry`]): the candidate stage looks up only those from
/// the names' side.
#[derive(Debug, Default)]
pub(crate) struct Compact {
    slots: Vec<Slot>,
    spill: Vec<u32>,
}

#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
struct Slot([u32; 16]);

const HEADER: usize = 8;
const BODY: usize = 16 - HEADER;

/// `x` (not negative) in 16 bits, rounded up: the high half of its f32
/// bits, plus one when the low half is not zero.
fn round_up_16(x: f32) -> u32 {
    let bits = x.to_bits();
    (bits >> 16) + u32::from(bits & 0xffff != 0)
}

/// What [`round_up_16`] keeps, as an f32.
fn from_16(h: u32) -> f32 {
    f32::from_bits(h << 16)
}

/// Most words of a name that [`NameRec::words`] counts (6 bits of a
/// slot's header): longer names are all long.
pub(crate) const MAX_WORDS: u8 = 63;
const MAX_WORDS_MASK: u32 = MAX_WORDS as u32;

/// Words of a tokenised name, titles aside: a unit built of several
/// words (`Abdul Wahid`, `Abu Mundhir`, `Nur al-Din`) counts each one.
/// At most [`MAX_WORDS`].
pub(crate) fn name_words(tokens: &[Token]) -> u8 {
    let words: usize = tokens
        .iter()
        .filter(|t| !is_title(&t.text))
        .map(|t| t.source.split_whitespace().count().max(1))
        .sum();
    words.min(usize::from(MAX_WORDS)) as u8
}

/// The facts of an entity that bound its evidence, packed into four
/// words: two birth dates ([`pack_date`]), two nationality codes
/// ([`Index::nationality_codes`], 16 bits each, 0 for none) and
/// `gender | n_dates << 2 | n_nationalities << 4 | schema << 8`, where
/// gender is 0 unknown, 1 male, 2 female, a count of 3 means "more than
/// fit here" (the bound then assumes they agree), and schema is an index
/// into [`SCHEMAS`].
pub(crate) type FactKey = [u32; 4];

/// Every schema, in the order of the index [`FactKey`] keeps.
pub(crate) const SCHEMAS: [Schema; 6] = [
    Schema::Person,
    Schema::Organization,
    Schema::LegalEntity,
    Schema::Company,
    Schema::Vessel,
    Schema::Airplane,
];

/// A birth date in one word: year, month << 16, day << 21 (0: not
/// known).
pub(crate) fn pack_date(d: &PartialDate) -> u32 {
    u32::from(d.get_year())
        | u32::from(d.get_month().unwrap_or(0)) << 16
        | u32::from(d.get_day().unwrap_or(0)) << 21
}

/// The date [`pack_date`] packed.
pub(crate) fn unpack_date(w: u32) -> Option<PartialDate> {
    let (y, m, d) = (
        (w & 0xffff) as u16,
        (w >> 16 & 31) as u8,
        (w >> 21 & 31) as u8,
    );
    match (m, d) {
        (0, _) => Some(PartialDate::year(y)),
        (m, 0) => PartialDate::ym(y, m),
        (m, d) => PartialDate::ymd(y, m, d),
    }
}

/// 0 unknown, 1 male, 2 female, as [`FactKey`] keeps a gender.
pub(crate) fn gender_code(g: &str) -> u32 {
    if g.eq_ignore_ascii_case("male") {
        1
    } else if g.eq_ignore_ascii_case("female") {
        2
    } else {
        0
    }
}

/// The [`FactKey`] of one entity's facts.
fn fact_key(f: &EntityFacts, schema: Schema, nat_codes: &FxHashMap<String, u16>) -> FactKey {
    let dates: Vec<u32> = f
        .birth_dates
        .iter()
        .map(pack_date)
        .filter(|&w| unpack_date(w).is_some())
        .collect();
    let n_dates = if dates.len() == f.birth_dates.len() && dates.len() <= 2 {
        dates.len() as u32
    } else {
        3
    };
    let nats: Vec<u16> = f
        .nationalities
        .iter()
        .filter_map(|n| nat_codes.get(&n.to_ascii_lowercase()).copied())
        .collect();
    let n_nats = if nats.len() == f.nationalities.len() && nats.len() <= 2 {
        nats.len() as u32
    } else {
        3
    };
    let schema = SCHEMAS.iter().position(|&s| s == schema).unwrap_or(0) as u32;
    let gender = f.gender.as_deref().map_or(0, gender_code);
    [
        dates.first().copied().unwrap_or(0),
        dates.get(1).copied().unwrap_or(0),
        u32::from(nats.first().copied().unwrap_or(0))
            | u32::from(nats.get(1).copied().unwrap_or(0)) << 16,
        gender | n_dates << 2 | n_nats << 4 | schema << 8,
    ]
}

/// One listed name in [`Compact`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct CompactName<'a> {
    w: &'a [u32; 16],
    /// The spilled part, empty when the name fits its slot.
    spill: &'a [u32],
}

impl<'a> CompactName<'a> {
    pub fn entity(self) -> u32 {
        self.w[0]
    }
    /// The smallest listed total weight the name score may divide by.
    pub fn listed_min(self) -> f32 {
        f32::from_bits(self.w[1])
    }
    pub fn n_pos(self) -> usize {
        (self.w[2] & 0xff) as usize
    }
    pub fn family_pos(self) -> u8 {
        (self.w[2] >> 8) as u8
    }
    pub fn weak(self) -> bool {
        self.w[2] >> 16 & 1 == 1
    }
    fn spilled(self) -> bool {
        self.w[2] >> 17 & 1 == 1
    }
    /// [`NameRec::words`].
    pub fn words(self) -> usize {
        (self.w[2] >> 18 & MAX_WORDS_MASK) as usize
    }
    /// A word of the record: reading it brings the record into cache.
    pub fn touch(self) -> u32 {
        self.w[0] ^ self.spill.first().copied().unwrap_or(0)
    }
    pub fn facts(self) -> FactKey {
        [self.w[4], self.w[5], self.w[6], self.w[7]]
    }
    /// Weight of a position (at least the [`Pos::weight`]).
    pub fn weight(self, pos: usize) -> f32 {
        if self.spilled() {
            f32::from_bits(self.spill[1 + 2 * pos])
        } else {
            from_16(self.w[HEADER + pos] >> 16)
        }
    }
    /// Evidence of a position (at least the [`Pos::evidence`]).
    pub fn evidence(self, pos: usize) -> f32 {
        if self.spilled() {
            f32::from_bits(self.spill[2 + 2 * pos])
        } else {
            from_16(self.w[HEADER + pos] & 0xffff)
        }
    }
    /// The name's occurrences under common entries: (vocabulary entry,
    /// position, length, [`Occ::reading`]).
    pub fn readings(self) -> impl Iterator<Item = (u32, u8, u8, u32)> + 'a {
        let n_pos = self.n_pos();
        let (inline, wide): (&[u32], &[u32]) = if self.spilled() {
            let n = self.spill[0] as usize;
            (&[], &self.spill[1 + 2 * n_pos..1 + 2 * n_pos + 2 * n])
        } else {
            let n = self.w[3] as usize;
            (&self.w[HEADER + n_pos..HEADER + n_pos + n], &[])
        };
        inline
            .iter()
            .map(|&r| {
                (
                    r & 0x3f_ffff,
                    (r >> 22 & 63) as u8,
                    (r >> 28 & 1) as u8 + 1,
                    r >> 29,
                )
            })
            .chain(
                wide.chunks_exact(2)
                    .map(|r| (r[0], r[1] as u8, (r[1] >> 8) as u8, r[1] >> 16)),
            )
    }
}

impl Compact {
    /// Bytes of the slots and the spill array.
    pub fn heap_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>()
            + self.spill.capacity() * std::mem::size_of::<u32>()
    }

    pub fn name(&self, id: u32) -> CompactName<'_> {
        let w = &self.slots[id as usize].0;
        let spill = if w[2] >> 17 & 1 == 1 {
            &self.spill[w[3] as usize..]
        } else {
            &[]
        };
        CompactName { w, spill }
    }

    /// Packs the names once their weights are known; `readings` are the
    /// occurrences (entry, occurrence) sorted by name, `common_entry`
    /// says which entries are common ([`Index::common_entry`]).
    fn build(
        names: &[NameRec],
        readings: &[(u32, Occ)],
        common_entry: &[bool],
        fact_keys: &[FactKey],
        config: &MatcherConfig,
    ) -> Compact {
        let common = |v: u32| common_entry[v as usize];
        let mut c = Compact {
            slots: Vec::with_capacity(names.len()),
            spill: Vec::new(),
        };
        let mut r = 0;
        let mut mine: Vec<(u32, Occ)> = Vec::new();
        for (id, name) in names.iter().enumerate() {
            let from = r;
            while r < readings.len() && readings[r].1.name as usize == id {
                r += 1;
            }
            mine.clear();
            mine.extend(readings[from..r].iter().filter(|(v, _)| common(*v)));
            let n_pos = name.positions.len().min(255);
            let mut listed_min = name.total_weight;
            if (3..=64).contains(&n_pos) && config.middle_miss_weight < 1.0 {
                let middle: f32 = name.positions[1..n_pos - 1].iter().map(|p| p.weight).sum();
                listed_min -= (1.0 - config.middle_miss_weight as f32) * middle;
            }
            let positions = &name.positions[..n_pos];
            let fits = n_pos + mine.len() <= BODY
                && positions
                    .iter()
                    .all(|p| p.weight >= 0.0 && p.evidence >= 0.0)
                && mine.iter().all(|(v, o)| {
                    *v < 1 << 22 && o.pos < 64 && (1..=2).contains(&o.len) && o.reading < 8
                });
            let mut w = [0u32; 16];
            w[0] = name.entity;
            w[1] = listed_min.to_bits();
            w[2] = n_pos as u32
                | u32::from(name.family_pos) << 8
                | u32::from(name.kind == NameKind::Weak) << 16
                | u32::from(!fits) << 17
                | u32::from(name.words) << 18;
            w[4..8].copy_from_slice(&fact_keys[name.entity as usize]);
            if fits {
                w[3] = mine.len() as u32;
                for (i, p) in positions.iter().enumerate() {
                    w[HEADER + i] = round_up_16(p.weight) << 16 | round_up_16(p.evidence);
                }
                for (i, (v, o)) in mine.iter().enumerate() {
                    w[HEADER + n_pos + i] = v
                        | u32::from(o.pos) << 22
                        | u32::from(o.len - 1) << 28
                        | u32::from(o.reading) << 29;
                }
            } else {
                w[3] = c.spill.len() as u32;
                c.spill.push(mine.len() as u32);
                for p in positions {
                    c.spill.extend([p.weight.to_bits(), p.evidence.to_bits()]);
                }
                for (v, o) in &mine {
                    c.spill.extend([
                        *v,
                        u32::from(o.pos) | u32::from(o.len) << 8 | u32::from(o.reading) << 16,
                    ]);
                }
            }
            c.slots.push(Slot(w));
        }
        c.spill.shrink_to_fit();
        c
    }
}

/// The facts of an entity that evidence reads (its documents are read
/// from [`Index::documents`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct EntityFacts {
    pub birth_dates: Vec<PartialDate>,
    /// ASCII lower case.
    pub nationalities: Vec<String>,
    /// ASCII lower case.
    pub gender: Option<String>,
}

/// The facts of every entity ([`EntityFacts`]), as their [`FactKey`]s:
/// a key holds up to two birth dates, two nationalities and the gender
/// as evidence compares them, so only an entity the key does not hold
/// exactly (more dates or nationalities, a date the packing would
/// change) keeps its facts in full. At a million entities the facts in
/// full took 220 MiB, the keys take 16 (crates/cli/BENCH.md, session 13).
#[derive(Debug, Default)]
pub(crate) struct Facts {
    /// Per entity.
    pub keys: Vec<FactKey>,
    /// The nationality of each code, from 1 ([`Index::nationality_codes`]).
    nationalities: Vec<Box<str>>,
    /// Nationality (ASCII lower case) -> code, while building.
    codes: FxHashMap<String, u16>,
    /// The entities whose key does not hold their facts exactly.
    full: FxHashMap<u32, EntityFacts>,
}

/// The count of a [`FactKey`] that says "more than fit here".
const FACTS_MORE: u32 = 3;

/// The birth dates a [`FactKey`] holds (none when it holds more than
/// fit).
fn packed_dates(key: &FactKey) -> impl Iterator<Item = PartialDate> + '_ {
    let n = match key[3] >> 2 & 3 {
        FACTS_MORE => 0,
        n => n as usize,
    };
    key[..n].iter().filter_map(|&w| unpack_date(w))
}

/// The nationalities a [`FactKey`] holds (none when it holds more than
/// fit), `names` being each code's, from 1.
fn packed_nationalities<'a>(
    key: &FactKey,
    names: &'a [Box<str>],
) -> impl Iterator<Item = &'a str> + Clone + use<'a> {
    let n = match key[3] >> 4 & 3 {
        FACTS_MORE => 0,
        n => n as usize,
    };
    [key[2] & 0xffff, key[2] >> 16]
        .into_iter()
        .take(n)
        .filter_map(|code| names.get((code as usize).checked_sub(1)?))
        .map(|n| &**n)
}

/// An entity's birth dates, as [`Facts::birth_dates`] reads them.
#[derive(Debug, Clone, Copy)]
pub(crate) enum BirthDates<'a> {
    Packed([PartialDate; 2], usize),
    Full(&'a [PartialDate]),
}

impl std::ops::Deref for BirthDates<'_> {
    type Target = [PartialDate];
    fn deref(&self) -> &[PartialDate] {
        match self {
            BirthDates::Packed(d, n) => &d[..*n],
            BirthDates::Full(d) => d,
        }
    }
}

impl Facts {
    fn with_capacity(n: usize) -> Facts {
        Facts {
            keys: Vec::with_capacity(n),
            ..Facts::default()
        }
    }

    /// Adds the next entity's facts.
    fn push(&mut self, f: EntityFacts, schema: Schema) {
        for n in &f.nationalities {
            let next = self.codes.len() + 1;
            if next <= usize::from(u16::MAX) && !self.codes.contains_key(n.as_str()) {
                self.codes.insert(n.clone(), next as u16);
                self.nationalities.push(n.as_str().into());
            }
        }
        let mut key = fact_key(&f, schema, &self.codes);
        // What the key holds, read back as evidence reads it; a kind it
        // does not hold exactly is marked "more than fit" (the count 3,
        // which bounds already read as "assume they agree") and read in
        // full. (The key's gender code says all that evidence reads of
        // the gender.)
        let dates: Vec<PartialDate> = packed_dates(&key).collect();
        if dates != f.birth_dates {
            key[3] |= FACTS_MORE << 2;
        }
        if !packed_nationalities(&key, &self.nationalities)
            .eq(f.nationalities.iter().map(String::as_str))
        {
            key[3] |= FACTS_MORE << 4;
        }
        let id = self.keys.len() as u32;
        if key[3] >> 2 & 3 == FACTS_MORE || key[3] >> 4 & 3 == FACTS_MORE {
            self.full.insert(id, f);
        }
        self.keys.push(key);
    }

    fn shrink_to_fit(&mut self) {
        self.keys.shrink_to_fit();
        self.nationalities.shrink_to_fit();
        self.full.shrink_to_fit();
    }

    /// Heap bytes, for [`Index::memory_report`].
    pub fn heap_bytes(&self) -> usize {
        let full: usize = (self.full.values())
            .map(|f| {
                f.birth_dates.capacity() * std::mem::size_of::<PartialDate>()
                    + f.nationalities.capacity() * std::mem::size_of::<String>()
                    + f.nationalities.iter().map(String::capacity).sum::<usize>()
                    + f.gender.as_ref().map_or(0, String::capacity)
            })
            .sum();
        self.keys.capacity() * std::mem::size_of::<FactKey>()
            + self.nationalities.capacity() * std::mem::size_of::<Box<str>>()
            + self.nationalities.iter().map(|n| n.len()).sum::<usize>()
            + self.full.capacity() * (std::mem::size_of::<(u32, EntityFacts)>() + 1)
            + full
    }

    /// Entity `e`'s birth dates.
    pub fn birth_dates(&self, e: u32) -> BirthDates<'_> {
        let key = &self.keys[e as usize];
        if key[3] >> 2 & 3 == FACTS_MORE {
            return BirthDates::Full(self.full.get(&e).map_or(&[], |f| &f.birth_dates));
        }
        let mut dates = [PartialDate::year(0); 2];
        let mut n = 0;
        for d in packed_dates(key) {
            dates[n] = d;
            n += 1;
        }
        BirthDates::Packed(dates, n)
    }

    /// Entity `e`'s nationalities (ASCII lower case).
    pub fn nationalities(&self, e: u32) -> impl Iterator<Item = &str> + Clone {
        let key = &self.keys[e as usize];
        let full = (key[3] >> 4 & 3 == FACTS_MORE)
            .then(|| self.full.get(&e))
            .flatten();
        packed_nationalities(key, &self.nationalities).chain(
            full.into_iter()
                .flat_map(|f| f.nationalities.iter().map(String::as_str)),
        )
    }

    /// Entity `e`'s gender, when known: `male` or `female` (evidence
    /// reads no other, [`gender_code`]).
    pub fn gender(&self, e: u32) -> Option<&'static str> {
        match self.keys[e as usize][3] & 3 {
            1 => Some("male"),
            2 => Some("female"),
            _ => None,
        }
    }
}

/// The occurrences of every vocabulary entry, one list after another in
/// one array (`occurrences[entry]` is the entry's list): a list of its
/// own per entry cost 24 bytes and the spare room of its growth.
#[derive(Debug, Default)]
pub(crate) struct Occurrences {
    /// Where each entry's list starts in `all`, and a last end.
    starts: Vec<u32>,
    all: Vec<Occ>,
}

impl Occurrences {
    /// From the occurrences (entry, occurrence) in the order each entry's
    /// list keeps them, and the number of each entry's.
    fn build(counts: &[u32], occ: Vec<(u32, Occ)>) -> Occurrences {
        let mut starts = Vec::with_capacity(counts.len() + 1);
        let mut at = 0u32;
        starts.push(0);
        for &c in counts {
            at += c;
            starts.push(at);
        }
        let mut next: Vec<u32> = starts[..counts.len()].to_vec();
        let empty = Occ {
            name: 0,
            pos: 0,
            len: 0,
            reading: 0,
        };
        let mut all = vec![empty; occ.len()];
        for (v, o) in occ {
            let slot = &mut next[v as usize];
            all[*slot as usize] = o;
            *slot += 1;
        }
        Occurrences { starts, all }
    }

    /// Every entry's list, in entry order.
    #[cfg(test)]
    pub fn lists(&self) -> impl Iterator<Item = &[Occ]> {
        self.starts
            .windows(2)
            .map(|w| &self.all[w[0] as usize..w[1] as usize])
    }

    /// Heap bytes, for [`Index::memory_report`].
    pub fn heap_bytes(&self) -> usize {
        self.starts.capacity() * std::mem::size_of::<u32>()
            + self.all.capacity() * std::mem::size_of::<Occ>()
    }
}

impl std::ops::Index<usize> for Occurrences {
    type Output = [Occ];
    fn index(&self, entry: usize) -> &[Occ] {
        &self.all[self.starts[entry] as usize..self.starts[entry + 1] as usize]
    }
}

/// Honorifics and titles: they say nothing about identity.
pub(crate) fn is_title(text: &str) -> bool {
    matches!(
        text,
        "haji"
            | "hajji"
            | "hadji"
            | "alhaj"
            | "alhajj"
            | "hajj"
            | "mullah"
            | "mulla"
            | "mollah"
            | "maulavi"
            | "mawlawi"
            | "maulvi"
            | "molavi"
            | "mawlavi"
            | "maulana"
            | "qari"
            | "sheikh"
            | "shaikh"
            | "shaykh"
            | "cheikh"
            | "sheik"
            | "dr"
            | "doctor"
            | "general"
            | "gen"
            | "colonel"
            | "col"
            | "commander"
            | "commandant"
            | "major"
            | "captain"
            | "capt"
            | "lieutenant"
            | "mr"
            | "mrs"
            | "ms"
            | "imam"
            | "ustad"
            | "ustadh"
            | "ustaz"
            | "ustadz"
            | "engineer"
            | "eng"
            | "prof"
            | "professor"
            | "brigadier"
            | "sergeant"
            | "mufti"
            | "sardar"
            // generational suffixes
            | "jr"
            | "junior"
            | "sr"
            | "senior"
            | "ii"
            | "iii"
    )
}

/// Splits a name string that packs several names into its parts:
/// `A; B; C`, `a) X b) Y`, and parenthesised segments, which lists use
/// for acronyms and alternative names (`AL-QAIDA IN THE ARABIAN PENINSULA
/// (AQAP)` is two names). The text outside parentheses comes first.
pub(crate) fn split_listed_name(raw: &str) -> Vec<String> {
    let mut s = format!(" {raw}");
    for marker in [" a) ", " b) ", " c) ", " d) ", " e) "] {
        s = s.replace(marker, ";");
    }
    let mut out: Vec<String> = Vec::new();
    let mut push = |p: &str| {
        let p = p
            .trim()
            .trim_matches(|c: char| c == ',' || c == ';' || c.is_whitespace());
        if p.chars().any(char::is_alphanumeric) && !out.iter().any(|o| o == p) {
            out.push(p.to_string());
        }
    };
    for part in s.split(';') {
        let mut outside = String::new();
        let mut inside = String::new();
        let mut insides = Vec::new();
        let mut depth = 0usize;
        for c in part.chars() {
            match c {
                '(' | '[' => {
                    if depth > 0 {
                        inside.push(' ');
                    }
                    depth += 1;
                }
                ')' | ']' => {
                    if depth == 1 {
                        insides.push(std::mem::take(&mut inside));
                    }
                    depth = depth.saturating_sub(1);
                    outside.push(' ');
                }
                _ if depth > 0 => inside.push(c),
                _ => outside.push(c),
            }
        }
        insides.push(inside);
        push(&outside);
        for i in &insides {
            push(i);
        }
    }
    if out.is_empty() {
        out.push(raw.to_string());
    }
    out
}

/// Phrases that introduce another name inside a listed name string
/// (`X formerly known as Y`, `(previously listed as)`): the string is
/// split there and the phrase dropped.
const ANNOTATION_SEPARATORS: &[&str] = &[
    "previously listed as",
    "formerly listed as",
    "formerly known as",
    "also known as",
    "previously known as",
    "f.k.a.",
    "a.k.a.",
];

/// Words that start a list annotation about identity documents or the
/// record itself, not a name: everything from them on is cut.
const ANNOTATION_STARTS: &[&str] = &[
    "passport",
    "false identity",
    "identification number",
    "identity card",
    "national identification",
    "date of issue",
    "date of birth",
    "sub-unit name",
    "sub unit name",
];

/// The document notes among [`ANNOTATION_STARTS`]: one word before them
/// is the issuing country (`Utopia passport no. …`), not a name.
const DOCUMENT_NOTES: &[&str] = &[
    "passport",
    "identification number",
    "identity card",
    "national identification",
    "date of issue",
];

/// Ordinal words lists write after a generational suffix (`III (third)`):
/// alone they are not a name.
const ORDINALS: &[&str] = &["first", "second", "third", "fourth", "fifth"];

/// Removes list annotations that UN-style lists keep inside name strings
/// (`… born in 1963`, `…, born 1 Jan. 1953`, `… - sub-unit name`,
/// `(previously listed as)`, `(false identity related to … passport
/// number …)`, `X formerly known as Y`): what is left are the names, each
/// with at least one letter. Applied to each part of
/// [`split_listed_name`] at index build, before `Family, Given` swapping.
pub(crate) fn strip_annotations(part: &str) -> Vec<String> {
    let lower = part.to_lowercase();
    // byte offsets are shared: to_lowercase keeps the length of ASCII
    // and of the scripts lists use, but check rather than assume
    if lower.len() != part.len() {
        return vec![part.to_string()];
    }
    let at_word = |i: usize| {
        i == 0
            || !lower[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
    };
    let ends_word = |j: usize| !lower[j..].chars().next().is_some_and(char::is_alphanumeric);
    let find_word = |phrase: &str| {
        lower
            .match_indices(phrase)
            .map(|(i, _)| i)
            .find(|&i| at_word(i) && ends_word(i + phrase.len()))
    };
    // split at separator phrases
    for sep in ANNOTATION_SEPARATORS {
        if let Some(i) = find_word(sep) {
            let (a, b) = (&part[..i], &part[i + sep.len()..]);
            let mut out = strip_annotations(a);
            for n in strip_annotations(b) {
                if !out.contains(&n) {
                    out.push(n);
                }
            }
            return out;
        }
    }
    let mut cut = part.len();
    for start in ANNOTATION_STARTS {
        if let Some(i) = find_word(start) {
            cut = cut.min(i);
        }
    }
    let document_note = DOCUMENT_NOTES
        .iter()
        .filter_map(|d| find_word(d))
        .min()
        .is_some_and(|i| i == cut);
    // `born` followed by a place or a date (`born in`, `born on`, `born 1
    // Jan. 1953`): a birth annotation, not a family name Born
    for (i, _) in lower.match_indices("born") {
        let rest = lower[i + 4..].trim_start();
        if at_word(i)
            && ends_word(i + 4)
            && (rest.starts_with("in ")
                || rest.starts_with("on ")
                || rest.starts_with(|c: char| c.is_ascii_digit()))
        {
            cut = cut.min(i);
            break;
        }
    }
    let kept = part[..cut].trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | ';' | '-' | '–' | '—' | ':' | '(')
    });
    let kept = kept.trim();
    let words: Vec<&str> = kept.split_whitespace().collect();
    let is_ordinal = words.len() == 1 && ORDINALS.contains(&words[0].to_lowercase().as_str());
    let issuer_only = document_note && words.len() <= 1;
    if kept.chars().any(char::is_alphabetic) && !is_ordinal && !issuer_only {
        vec![kept.to_string()]
    } else {
        Vec::new()
    }
}

/// `Given Family` for a person's name written `Family, Given` (one comma,
/// one to four words on each side, no digits); `None` otherwise.
pub(crate) fn comma_swapped(name: &str) -> Option<String> {
    let (family, given) = name.split_once(',')?;
    let words = |s: &str| s.split_whitespace().count();
    let ok = |s: &str| (1..=4).contains(&words(s));
    if given.contains(',') || name.chars().any(|c| c.is_ascii_digit()) || !ok(family) || !ok(given)
    {
        return None;
    }
    Some(format!("{} {}", given.trim(), family.trim()))
}

/// The key under which a unit's document frequency is counted: its
/// consonant skeleton, so that spellings of one name share it (Mohamed,
/// Muhammad); for a skeleton of one class, which merges distinct names
/// (Babaie, Ayub and Abba are all `B`), its consonant-vowel shape from the
/// phonetic key; acronyms (no skeleton) by their text.
pub(crate) fn df_key(text: &str, skeleton: &str, key: &[u8]) -> String {
    if skeleton.is_empty() {
        format!("t{text}")
    } else if skeleton.len() <= SHORT_SKELETON {
        // consonant classes with a mark where a vowel run stands: Babaie
        // BVBV, Ayub VB, Abba VBV; Ali = Aly = Alee VLV, Said = Saeed SVD
        let mut shape = String::from("k");
        for &c in key {
            let c = match c {
                b'0'..=b'9' => 'V',
                b'Q' => 'K',
                other => other as char,
            };
            if !shape.ends_with(c) {
                shape.push(c);
            }
        }
        shape
    } else {
        skeleton.to_string()
    }
}

/// Skeletons this short get their document frequency by shape (measured
/// on the dev half: up to one class +5 true alerts, 1 false; up to two
/// classes +7 and 3).
const SHORT_SKELETON: usize = 1;

/// Two skeletons written as one word, every run of one letter written
/// once, as glued names are often spelled (Ben + Nasser = Benasser).
pub(crate) fn join_collapse(a: &str, b: &str) -> String {
    let mut out = String::with_capacity(a.len() + b.len());
    for c in a.chars().chain(b.chars()) {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// Candidate keys of a skeleton: its coarse form (classes that spellings
/// confuse merged), and the one-deletion neighbourhood of the exact
/// skeleton, which the whole skeleton also joins (two skeletons within
/// one edit share a key: a substitution is a deletion on both sides, an
/// insertion the other's whole skeleton). Ambiguous Arabic classes expand to each
/// reading (ق gives both K and G keys), at most 8 expansions.
pub(crate) fn skeleton_keys(skeleton: &str, out: &mut Vec<String>) {
    let coarse = coarse_skeleton(skeleton);
    if coarse.is_empty() {
        return;
    }
    // Short coarse skeletons are shared by thousands of names on a large
    // list: they are reached by their exact forms only.
    if coarse.len() >= 4 || skeleton.len() <= 2 {
        out.push(format!("s{coarse}"));
    }
    let mut expansions: Vec<Vec<u8>> = vec![Vec::with_capacity(skeleton.len())];
    for &c in skeleton.as_bytes() {
        let readings: &[u8] = match c {
            b't' => b"TS",
            b'z' => b"DZ",
            b'q' => b"KG",
            b'j' => b"JG",
            _ => std::slice::from_ref(&c),
        };
        if expansions.len() * readings.len() > 8 {
            for e in &mut expansions {
                e.push(readings[0]);
            }
            continue;
        }
        let mut next = Vec::with_capacity(expansions.len() * readings.len());
        for e in &expansions {
            for &r in readings {
                let mut x = e.clone();
                x.push(r);
                next.push(x);
            }
        }
        expansions = next;
    }
    for e in &expansions {
        if e.len() < 3 {
            continue;
        }
        out.push(format!("x{}", String::from_utf8_lossy(e)));
        if e.len() <= 4 {
            // a short skeleton with one class changed, in place (Qasem KSM
            // / Gasem GSM): more selective than deletions on large lists
            for i in 0..e.len() {
                let mut k = String::from("w");
                for (j, &c) in e.iter().enumerate() {
                    k.push(if j == i { '_' } else { c as char });
                }
                out.push(k);
            }
        }
        if e.len() >= 4 {
            // the whole skeleton meets the deletions of a skeleton one
            // class longer (a class inserted or dropped: Electronic /
            // Electronics, Shiraz / Shirazi)
            out.push(format!("d{}", String::from_utf8_lossy(e)));
        }
        if e.len() >= 5 {
            push_deletions('d', e, out);
        }
    }
    // Last, so that the comparison budget stops these broad keys first.
    for e in &expansions {
        if SHORT_INSERTION_CLASSES.contains(&e.len()) {
            out.push(format!("i{}", String::from_utf8_lossy(e)));
        }
        if SHORT_INSERTION_CLASSES.contains(&e.len().saturating_sub(1)) {
            push_deletions('i', e, out);
        }
    }
}

/// Skeletons of this many classes meet those one class longer (key
/// prefix `i`: the shorter skeleton whole, the longer one less each of
/// its classes). Longer skeletons have the `d` keys; these short ones had
/// none, so that a class added or dropped in a short name was never
/// compared: Kadyrov / Kadyrow (KTRF / KTR, the final w is silent),
/// Calleja / Callejas, Kazemi / Kazemian, Nafchi / Naftchi, Savo / Savko,
/// Dikiy / Dikij. On the training set, 46 aliases that the exhaustive
/// comparison scores in the alert band were not reached (MATCHING.md).
/// Not shorter: a one-class skeleton plus any class is most of a list.
pub(crate) const SHORT_INSERTION_CLASSES: std::ops::RangeInclusive<usize> = 2..=3;

/// Pushes `prefix` + the skeleton `e` less each one of its classes.
fn push_deletions(prefix: char, e: &[u8], out: &mut Vec<String>) {
    for i in 0..e.len() {
        let mut k = String::with_capacity(e.len());
        k.push(prefix);
        for (j, &c) in e.iter().enumerate() {
            if j != i {
                k.push(c as char);
            }
        }
        out.push(k);
    }
}

/// The names of one entity as the index holds them: listed names split,
/// cleaned of list annotations, `Family, Given` also swapped, then the
/// derived acronyms of organisations; each with its tokens.
fn prepare_names(e: &Entity) -> Vec<(String, NameKind, Vec<Token>)> {
    let mut all_names: Vec<(String, NameKind)> = Vec::new();
    for n in e.names() {
        // list annotations (`born in 1963`, `- sub-unit name`)
        // are not names
        let parts = split_listed_name(n.value)
            .into_iter()
            .flat_map(|p| strip_annotations(&p));
        for part in parts {
            // "Family, Given" is also read "Given Family", so that
            // a unit split by the comma is whole again (Majeed,
            // Abdul = Abdul Majeed, one Abd unit)
            let swapped = (e.schema == Schema::Person)
                .then(|| comma_swapped(&part))
                .flatten();
            for v in std::iter::once(part).chain(swapped) {
                if !all_names.iter().any(|(x, _)| *x == v) {
                    all_names.push((v, n.kind));
                }
            }
        }
    }
    if all_names.is_empty()
        && let Some(c) = e.composed_name()
    {
        all_names.push((c, NameKind::Primary));
    }
    // Organisations are also known by their initials (CMIG for
    // Cruise Missile Industry Group): one weak name per acronym,
    // matched by spelling only.
    let mut derived: Vec<(String, Vec<Token>)> = Vec::new();
    if e.schema != Schema::Person {
        for (raw, _) in &all_names {
            for t in tansiq_names::acronyms(raw) {
                let taken = all_names
                    .iter()
                    .any(|(v, _)| v.eq_ignore_ascii_case(&t.text))
                    || derived.iter().any(|(_, d)| d[0].text == t.text);
                if !taken {
                    let display = format!("{} (initials of {raw})", t.text.to_ascii_uppercase());
                    derived.push((display, vec![t]));
                }
            }
        }
    }
    let named = all_names.into_iter().map(|(raw, kind)| {
        let tokens = tokenize(&raw);
        (raw, kind, tokens)
    });
    let derived = derived
        .into_iter()
        .map(|(raw, tokens)| (raw, NameKind::Weak, tokens));
    named.chain(derived).collect()
}

/// Vocabulary key of an acronym entry.
pub(crate) fn acronym_key(text: &str) -> String {
    format!("i:{text}")
}

/// Document frequencies of the rarity keys of `entities` (each entity
/// counted once per key), as [`Index::build`] counts them.
fn document_frequencies(entities: &[Entity]) -> FxHashMap<String, u32> {
    let mut df: FxHashMap<String, u32> = FxHashMap::default();
    for e in entities {
        let mut keys: Vec<String> = Vec::new();
        for (_, _, tokens) in prepare_names(e) {
            for t in &tokens {
                let skeleton = if t.kind == UnitKind::Acronym {
                    ""
                } else {
                    t.skeleton.as_str()
                };
                keys.push(df_key(&t.text, skeleton, &t.key));
                for v in &t.variants {
                    if v.kind == VariantKind::ArticleStripped {
                        keys.push(df_key(&v.text, &v.skeleton, &v.key));
                    }
                }
            }
        }
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            *df.entry(k).or_default() += 1;
        }
    }
    df
}

fn vocab_key(script: Script, text: &str) -> String {
    match script {
        Script::Arabic => format!("a:{text}"),
        _ => format!("l:{text}"),
    }
}

/// The screening index. Built once from a watchlist; screening is
/// read-only, so one index serves any number of threads.
#[derive(Debug)]
pub struct Index {
    pub(crate) config: MatcherConfig,
    /// Sorted by id ([`Index::build`]), which is how [`Index::entity`]
    /// finds one.
    pub(crate) entities: Vec<Entity>,
    pub(crate) facts: Facts,
    pub(crate) names: Names,
    /// The names packed for the candidate stage.
    pub(crate) compact: Compact,
    /// Nationalities (ASCII lower case) -> codes of [`FactKey`].
    pub(crate) nationality_codes: FxHashMap<String, u16>,
    pub(crate) vocab: Vec<VTok>,
    pub(crate) vocab_by_key: FxHashMap<String, u32>,
    pub(crate) fuzzy_keys: FxHashMap<String, Vec<u32>>,
    pub(crate) occurrences: Occurrences,
    /// idf of a token seen in no entity (an unknown token is rare).
    pub(crate) idf_unknown: f32,
    /// The rarity weight of a part seen once in the list
    /// (`idf_unknown` to the `idf_power`): the unit of the learned
    /// score's weights and of the rare-part rules.
    pub(crate) unit: f32,
    /// Rarity weight at or below which a unit is very common
    /// (`MatcherConfig::common_share`).
    pub(crate) common_idf: f32,
    /// Document numbers -> entities.
    pub(crate) documents: FxHashMap<String, Vec<u32>>,
    /// Vocabulary entries of each concept (generic words and translated
    /// content words), which match across languages without sharing keys.
    pub(crate) concept_ids: FxHashMap<UnitKind, Vec<u32>>,
    /// Per vocabulary entry: too common to open candidates by itself (it
    /// only adds to names that rarer units reached). An entry is common
    /// when it occurs more than [`Index::common_cap`] times, or when the
    /// generic concept it stands for does (all of its translations and
    /// forms together: a query `Ltd` matches every `Limited`, `LLC`,
    /// `Co.` in full).
    pub(crate) common_entry: Vec<bool>,
    /// The occurrence count above which an entry is common:
    /// [`MatcherConfig::common_occurrence_cap`], or fewer on a list where
    /// that is more than [`MatcherConfig::common_occurrence_share`] of the
    /// names ([`common_cap`]).
    pub(crate) common_cap: usize,
    /// For each vocabulary entry, the entries similar to it (as
    /// [`Index::lookup`] finds them), sorted by id.
    pub(crate) neighbours: Vec<Option<Box<[VocabMatch]>>>,
    /// [`crate::screen::calibrate`] at `k / CALIBRATION_STEPS`, for
    /// bounds: the calibration of any raw score up to that point is at
    /// most this (calibration is monotone).
    pub(crate) calibration_table: Box<[f32]>,
    /// For a delta segment ([`Index::build_delta`]): the base index whose
    /// statistics it borrows. A query token that meets nothing in the
    /// segment takes its rarity from the base, as it would in an index
    /// built from everything.
    pub(crate) rarity_base: Option<Arc<Index>>,
    /// Document frequency of each rarity key ([`df_key`]) over the
    /// entities, for the delta segments built on this index (empty in a
    /// segment).
    pub(crate) df: FxHashMap<Box<str>, u32>,
}

/// Steps of [`Index::calibration_table`].
pub(crate) const CALIBRATION_STEPS: usize = 1024;

pub(crate) struct Builder {
    vocab: Vec<VTok>,
    vocab_by_key: FxHashMap<String, u32>,
}

impl Builder {
    fn intern(
        &mut self,
        script: Script,
        text: &str,
        skeleton: &str,
        key: &[u8],
        kind: UnitKind,
        is_join: bool,
    ) -> u32 {
        // acronyms are their own entries: a plain word spelled alike
        // (Aas) keeps its sound-based matching
        let vkey = if kind == UnitKind::Acronym {
            acronym_key(text)
        } else {
            vocab_key(script, text)
        };
        if let Some(&id) = self.vocab_by_key.get(&vkey) {
            return id;
        }
        let id = self.vocab.len() as u32;
        self.vocab.push(VTok {
            text: text.into(),
            skeleton: skeleton.into(),
            key: key.into(),
            script,
            kind,
            is_join,
            idf: 0.0,
        });
        self.vocab_by_key.insert(vkey, id);
        id
    }
}

impl Index {
    /// Builds the index. Entities are indexed in the order of their ids,
    /// whatever order they come in: how a unit is read (its kind, its
    /// skeleton) is that of its first occurrence, so an order of the
    /// caller's would make a score depend on how the list was loaded (a
    /// file's order for `tansiq eval`, the store's for `tansiq screen`).
    /// Ids should be unique (a later duplicate id shadows the earlier one
    /// in [`Index::entity`]).
    pub fn build(mut entities: Vec<Entity>, config: MatcherConfig) -> Index {
        entities.sort_by(|a, b| a.id.cmp(&b.id));
        Index::build_with(entities, config, None)
    }

    /// Builds a delta segment: an index of a few changed entities that
    /// borrows its statistics from `base` (the index of everything else),
    /// so that its scores are those the entities would get in one index
    /// built from both, up to the drift of those statistics. `gone` are
    /// the base's entities the segment hides (changed or withdrawn).
    ///
    /// - a unit's document frequency is the base's (recovered from its
    ///   rarity weight), less the hidden entities', plus the segment's;
    ///   the entity count is the base's less the hidden plus the segment's;
    /// - a unit is common ([`Index::common_entry`]) when it is common in
    ///   the base or occurs more than the base's cap in the segment;
    /// - a query token that meets no unit of the segment takes its rarity
    ///   from the base.
    ///
    /// What drifts: the base's own entities keep the rarity of the moment
    /// it was built, and a bare kunya is "shared" only among the segment's
    /// entities. Both are small while the segment is small, which is why
    /// [`crate::LiveIndex`] folds it into a full build past a size.
    pub fn build_delta(mut entities: Vec<Entity>, base: Arc<Index>, gone: &[Entity]) -> Index {
        entities.sort_by(|a, b| a.id.cmp(&b.id));
        let config = base.config.clone();
        Index::build_with(entities, config, Some((base, gone)))
    }

    fn build_with(
        mut entities: Vec<Entity>,
        config: MatcherConfig,
        delta_of: Option<(Arc<Index>, &[Entity])>,
    ) -> Index {
        let (base, gone) = match delta_of {
            Some((b, g)) => (Some(b), g),
            None => (None, &[][..]),
        };
        let mut b = Builder {
            vocab: Vec::new(),
            vocab_by_key: FxHashMap::default(),
        };
        let mut names: Vec<NameRec> = Vec::new();
        // per name: (position token ids incl. variants, join ids)
        let mut occ_raw: Vec<(u32, Occ)> = Vec::new();
        let mut facts = Facts::with_capacity(entities.len());
        let mut documents: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        // skeleton -> entities (for document frequency)
        let mut df: FxHashMap<String, (u32, u32)> = FxHashMap::default();

        // Names are prepared (split, cleaned, tokenised) in parallel, a
        // chunk at a time so that the tokens of a million entities are
        // never all held at once; interning stays in entity order.
        const CHUNK: usize = 8192;
        // The index keeps the entities for as long as it lives: their
        // spare capacity goes first.
        for (ci, chunk) in entities.chunks_mut(CHUNK).enumerate() {
            let prepared: Vec<Vec<(String, NameKind, Vec<Token>)>> = chunk
                .par_iter_mut()
                .map(|e| {
                    e.shrink_to_fit();
                    prepare_names(e)
                })
                .collect();
            for (k, (e, named)) in chunk.iter().zip(prepared).enumerate() {
                let ei = (ci * CHUNK + k) as u32;
                for d in e.documents() {
                    let list = documents.entry(d.number.clone()).or_default();
                    if list.last() != Some(&ei) {
                        list.push(ei);
                    }
                }
                facts.push(
                    EntityFacts {
                        birth_dates: e.birth_dates(),
                        nationalities: e.nationalities(),
                        gender: e.gender().map(|g| g.to_ascii_lowercase()),
                    },
                    e.schema,
                );
                for (raw, kind, tokens) in named {
                    if tokens.is_empty() {
                        continue;
                    }
                    let name_id = names.len() as u32;
                    let mut positions = Vec::with_capacity(tokens.len());
                    for (p, t) in tokens.iter().enumerate() {
                        // acronyms get no skeleton: no candidate keys, and their
                        // own document frequency
                        let skeleton = if t.kind == UnitKind::Acronym {
                            ""
                        } else {
                            t.skeleton.as_str()
                        };
                        let id = b.intern(t.script, &t.text, skeleton, &t.key, t.kind, false);
                        occ_raw.push((
                            id,
                            Occ {
                                name: name_id,
                                pos: p as u8,
                                len: 1,
                                reading: 0,
                            },
                        ));
                        let mut rarity_vocab = id;
                        for v in &t.variants {
                            let vid = b.intern(
                                t.script,
                                &v.text,
                                &v.skeleton,
                                &v.key,
                                UnitKind::Plain,
                                false,
                            );
                            if v.kind == VariantKind::ArticleStripped {
                                rarity_vocab = vid;
                                let entry = df
                                    .entry(df_key(&v.text, &v.skeleton, &v.key))
                                    .or_insert((0, u32::MAX));
                                if entry.1 != ei {
                                    entry.0 += 1;
                                    entry.1 = ei;
                                }
                            }
                            occ_raw.push((
                                vid,
                                Occ {
                                    name: name_id,
                                    pos: p as u8,
                                    len: 1,
                                    reading: reading_of(v.kind),
                                },
                            ));
                        }
                        let entry = df
                            .entry(df_key(&t.text, skeleton, &t.key))
                            .or_insert((0, u32::MAX));
                        if entry.1 != ei {
                            entry.0 += 1;
                            entry.1 = ei;
                        }
                        positions.push(Pos {
                            vocab: id,
                            rarity_vocab,
                            weight: 0.0,
                            evidence: 0.0,
                        });
                    }
                    for p in 0..tokens.len().saturating_sub(1) {
                        let (a, c) = (&tokens[p], &tokens[p + 1]);
                        if !joinable(a, c) {
                            continue;
                        }
                        let text = format!("{}{}", a.text, c.text);
                        let sk = join_collapse(&a.skeleton, &c.skeleton);
                        let key = tansiq_names::join_keys(&[&a.key, &c.key]);
                        let id = b.intern(a.script, &text, &sk, &key, UnitKind::Plain, true);
                        occ_raw.push((
                            id,
                            Occ {
                                name: name_id,
                                pos: p as u8,
                                len: 2,
                                reading: 0,
                            },
                        ));
                    }
                    let family_pos = tokens
                        .iter()
                        .rposition(|t| !is_title(&t.text))
                        .unwrap_or(tokens.len() - 1)
                        .min(63) as u8;
                    let parts = tokens
                        .iter()
                        .filter(|t| !is_title(&t.text))
                        .count()
                        .min(255) as u8;
                    let words = name_words(&tokens);
                    names.push(NameRec {
                        entity: ei,
                        kind,
                        folded: if e.schema.is_organisation() {
                            fold_name(&raw).into()
                        } else {
                            Box::default()
                        },
                        raw: raw.as_str().into(),
                        positions,
                        total_weight: 0.0,
                        family_pos,
                        parts,
                        words,
                        shared_kunya: false,
                        all_generic: false,
                    });
                }
            }
        }
        let df_counts: FxHashMap<Box<str>, u32> = if base.is_none() {
            df.iter()
                .map(|(k, (d, _))| (k.as_str().into(), *d))
                .collect()
        } else {
            FxHashMap::default()
        };
        let n = match &base {
            Some(b) => (b.len() + entities.len()).saturating_sub(gone.len()),
            None => entities.len(),
        }
        .max(1) as f32;
        let idf_of = |d: u32| -> f32 { (1.0 + n / d.max(1) as f32).ln() };
        let idf_unknown = idf_of(1);
        for v in &mut b.vocab {
            let dk = df_key(&v.text, &v.skeleton, &v.key);
            v.idf = df.get(&dk).map_or(idf_unknown, |(d, _)| idf_of(*d));
        }
        if let Some(base) = &base {
            let gone_df = document_frequencies(gone);
            for (vkey, &id) in &b.vocab_by_key {
                let v = &b.vocab[id as usize];
                let dk = df_key(&v.text, &v.skeleton, &v.key);
                let idf = match df.get(&dk) {
                    // a counted unit: the base's count less the hidden
                    // entities', plus the segment's
                    Some(&(d, _)) => {
                        let d_base = base.df.get(dk.as_str()).copied().unwrap_or(0);
                        let d_gone = gone_df.get(&dk).copied().unwrap_or(0);
                        idf_of((d_base + d).saturating_sub(d_gone))
                    }
                    None => base
                        .vocab_by_key
                        .get(vkey)
                        .map_or(idf_unknown, |&bid| base.vocab[bid as usize].idf),
                };
                b.vocab[id as usize].idf = idf;
            }
        }
        for name in &mut names {
            let mut total = 0.0;
            // A name made only of generic words (Jemaah Islamiyah, Ansar
            // al-Islam) is identified by exactly those words.
            let all_generic = name
                .positions
                .iter()
                .all(|p| is_generic_kind(b.vocab[p.vocab as usize].kind));
            name.all_generic = all_generic;
            let last = name.positions.len().saturating_sub(1);
            for (i, p) in name.positions.iter_mut().enumerate() {
                let v = &b.vocab[p.vocab as usize];
                let r = &b.vocab[p.rarity_vocab as usize];
                let (w, ev) = if all_generic {
                    let w = v.idf.powf(config.idf_power as f32);
                    (w, w)
                } else {
                    let (w1, e1) = token_weight(v, &config);
                    let (w2, e2) = token_weight(r, &config);
                    (w1.min(w2), e1.min(e2))
                };
                // The first (given name) and last (family name, nisba)
                // parts of a listed name of three or more parts identify
                // it most; leaving them unmatched costs more coverage.
                let w = if last >= 2 && (i == 0 || i == last) {
                    w * config.edge_weight as f32
                } else {
                    w
                };
                p.weight = w;
                p.evidence = ev;
                total += w;
            }
            name.total_weight = total;
        }

        // Bare kunyas carried by two or more entities (by skeleton, as
        // rarity is counted): Abu Zubair for one listed person and Abou
        // Zoubair for another.
        let bare_kunya = |name: &NameRec| -> Option<&str> {
            let mut it = name
                .positions
                .iter()
                .map(|p| &b.vocab[p.vocab as usize])
                .filter(|v| !is_title(&v.text));
            match (it.next(), it.next()) {
                (Some(v), None) if v.kind == UnitKind::Kunya => Some(&v.skeleton),
                _ => None,
            }
        };
        let mut kunya_holders: FxHashMap<&str, (u32, u32)> = FxHashMap::default();
        for name in &names {
            if let Some(k) = bare_kunya(name) {
                let entry = kunya_holders.entry(k).or_insert((0, u32::MAX));
                if entry.1 != name.entity {
                    entry.0 += 1;
                    entry.1 = name.entity;
                }
            }
        }
        let shared: Vec<bool> = names
            .iter()
            .map(|name| {
                bare_kunya(name).is_some_and(|k| kunya_holders.get(k).is_some_and(|h| h.0 >= 2))
            })
            .collect();
        drop(kunya_holders);
        for (name, shared) in names.iter_mut().zip(shared) {
            name.shared_kunya = shared;
        }

        let mut occ_count = vec![0u32; b.vocab.len()];
        for (v, _) in &occ_raw {
            occ_count[*v as usize] += 1;
        }
        for list in documents.values_mut() {
            list.shrink_to_fit();
        }
        facts.shrink_to_fit();
        // An entry is common when it, or the generic concept it stands for
        // (its translations and other legal forms match it in full: Ltd =
        // Limited = LLC), occurs more often than the cap.
        let common_cap = base
            .as_ref()
            .map_or_else(|| common_cap(&config, names.len()), |b| b.common_cap);
        let mut concept_occ: FxHashMap<UnitKind, usize> = FxHashMap::default();
        for (id, v) in b.vocab.iter().enumerate() {
            if let UnitKind::Generic(_) = v.kind {
                *concept_occ.entry(v.kind).or_default() += occ_count[id] as usize;
            }
        }
        let mut common_entry: Vec<bool> = (b.vocab.iter().enumerate())
            .map(|(id, v)| {
                occ_count[id] as usize > common_cap
                    || concept_occ.get(&v.kind).is_some_and(|&n| n > common_cap)
                    || base.as_ref().is_some_and(|b| b.concept_is_common(v.kind))
            })
            .collect();
        if let Some(base) = &base {
            for (vkey, &id) in &b.vocab_by_key {
                if let Some(&bid) = base.vocab_by_key.get(vkey)
                    && base.common_entry[bid as usize]
                {
                    common_entry[id as usize] = true;
                }
            }
        }
        drop(concept_occ);
        // occurrences were recorded name by name
        let compact = Compact::build(&names, &occ_raw, &common_entry, &facts.keys, &config);
        let occurrences = Occurrences::build(&occ_count, occ_raw);
        drop(occ_count);
        let names = Names::pack(names);
        let mut fuzzy_keys: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        let mut keys = Vec::new();
        for (id, v) in b.vocab.iter().enumerate() {
            keys.clear();
            skeleton_keys(&v.skeleton, &mut keys);
            if v.is_join {
                // joins are reached by their exact coarse skeleton only
                keys.truncate(1);
            }
            for k in keys.drain(..) {
                let list = fuzzy_keys.entry(k).or_default();
                if list.last() != Some(&(id as u32)) {
                    list.push(id as u32);
                }
            }
        }
        let mut concept_ids: FxHashMap<UnitKind, Vec<u32>> = FxHashMap::default();
        for (id, v) in b.vocab.iter().enumerate() {
            if let UnitKind::Generic(_) = v.kind {
                concept_ids.entry(v.kind).or_default().push(id as u32);
            }
        }
        let common_idf =
            ((1.0 + 1.0 / config.common_share).ln() as f32).powf(config.idf_power as f32);
        let unit = idf_unknown.powf(config.idf_power as f32);
        let mut index = Index {
            config,
            entities,
            nationality_codes: std::mem::take(&mut facts.codes),
            facts,
            names,
            compact,
            vocab: b.vocab,
            vocab_by_key: b.vocab_by_key,
            fuzzy_keys,
            occurrences,
            idf_unknown,
            unit,
            common_idf,
            documents,
            concept_ids,
            common_entry,
            common_cap,
            neighbours: Vec::new(),
            calibration_table: Box::default(),
            df: df_counts,
            rarity_base: base,
        };
        index.calibration_table = (0..=CALIBRATION_STEPS)
            .map(|k| crate::screen::calibrate(k as f32 / CALIBRATION_STEPS as f32, &index.config))
            .collect();
        // Similar vocabulary entries of every entry, so that a query token
        // spelled like a listed one costs no string comparison at all.
        // Joins get none: a query token rarely equals a join, and joins
        // are the bulk of the vocabulary on large lists.
        let large = index.vocab.len() > 50_000;
        let neighbours: Vec<Option<Box<[VocabMatch]>>> = (0..index.vocab.len())
            .into_par_iter()
            .map(|id| {
                let v = &index.vocab[id];
                // On large lists, units seen once are left to the query-time
                // lookup: precomputing them all costs more than it saves.
                if v.is_join || (large && !in_several_entities(&index, id)) {
                    return None;
                }
                let form = QForm {
                    text: &v.text,
                    skeleton: &v.skeleton,
                    key: &v.key,
                    script: v.script,
                    kind: v.kind,
                };
                let mut out = Vec::new();
                index.lookup(&form, false, &mut out);
                Some(out.into_boxed_slice())
            })
            .collect();
        index.neighbours = neighbours;
        index
    }

    /// Whether a generic concept (a legal form, a word such as
    /// "company" in any language) is common on this list: some entry of
    /// it is.
    fn concept_is_common(&self, kind: UnitKind) -> bool {
        matches!(kind, UnitKind::Generic(_))
            && self
                .concept_ids
                .get(&kind)
                .is_some_and(|ids| ids.iter().any(|&id| self.common_entry[id as usize]))
    }

    /// Number of entities.
    pub fn len(&self) -> usize {
        self.entities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// The entity with this id (of several with one id, the last).
    pub fn entity(&self, id: &str) -> Option<&Entity> {
        // the entities are sorted by id: a binary search costs no map
        // of a million ids
        let after = self.entities.partition_point(|e| e.id.as_str() <= id);
        let e = &self.entities[after.checked_sub(1)?];
        (e.id == id).then_some(e)
    }

    /// The configuration the index was built with.
    pub fn config(&self) -> &MatcherConfig {
        &self.config
    }

    /// Number of listed names (after splitting packed alias strings).
    pub fn name_count(&self) -> usize {
        self.names.len()
    }

    pub(crate) fn schema_of(&self, e: u32) -> Schema {
        self.entities[e as usize].schema
    }
}

/// Whether a unit kind is generic organisation vocabulary.
pub(crate) fn is_generic_kind(k: UnitKind) -> bool {
    matches!(k, UnitKind::Generic(c) if c.is_generic())
}

/// Coverage weight of an initial, as a share of its rarity: an initial
/// covers its place in a name but proves nothing (no evidence weight).
pub(crate) const INITIAL_WEIGHT_SHARE: f32 = 0.3;

/// Coverage weight and evidence weight of a vocabulary token.
pub(crate) fn token_weight(v: &VTok, config: &MatcherConfig) -> (f32, f32) {
    let idf = v.idf.powf(config.idf_power as f32);
    if is_generic_kind(v.kind) || is_title(&v.text) {
        (idf * config.generic_weight as f32, 0.0)
    } else if v.kind == UnitKind::Initial {
        (idf * INITIAL_WEIGHT_SHARE, 0.0)
    } else {
        (idf, idf)
    }
}

/// Query-side form of a token or adjacent-token join.
#[derive(Debug, Clone)]
pub(crate) struct QForm<'a> {
    pub text: &'a str,
    pub skeleton: &'a str,
    pub key: &'a [u8],
    pub script: Script,
    pub kind: UnitKind,
}

impl<'a> QForm<'a> {
    pub fn of(t: &'a Token) -> QForm<'a> {
        QForm {
            text: &t.text,
            skeleton: &t.skeleton,
            key: &t.key,
            script: t.script,
            kind: t.kind,
        }
    }
}

fn is_compound(k: UnitKind) -> bool {
    matches!(
        k,
        UnitKind::Abd | UnitKind::Din | UnitKind::Allah | UnitKind::Kunya
    )
}

/// Similarity of a query form and a vocabulary token, with the rule that
/// produced it. 0 means "no match".
pub(crate) fn token_similarity(q: &QForm<'_>, v: &VTok) -> (f32, Rule) {
    if q.kind == UnitKind::Acronym || v.kind == UnitKind::Acronym {
        // initials carry no sound: equal spelling or nothing
        return if q.text == &*v.text {
            (1.0, Rule::Exact)
        } else {
            (0.0, Rule::Exact)
        };
    }
    if let (UnitKind::Generic(a), UnitKind::Generic(b)) = (q.kind, v.kind)
        && a == b
    {
        let rule = if q.text == &*v.text {
            Rule::Exact
        } else {
            Rule::Translation
        };
        return (1.0, rule);
    }
    let q_generic = is_generic_kind(q.kind);
    let v_generic = is_generic_kind(v.kind);
    if q_generic || v_generic {
        if q.kind == v.kind {
            let rule = if q.text == &*v.text {
                Rule::Exact
            } else {
                Rule::Translation
            };
            return (1.0, rule);
        }
        return (0.0, Rule::Exact);
    }
    let q_ar = q.script == Script::Arabic;
    let v_ar = v.script == Script::Arabic;
    if q_ar == v_ar && q.text == &*v.text {
        return (1.0, Rule::Exact);
    }
    // Short Latin tokens (acronyms, initials, Ali/Aly) carry too few
    // letters for class-level similarity: PKK is not BK.
    let short_penalty = if !q_ar && !v_ar && q.text.len().min(v.text.len()) <= 3 {
        match letter_distance(q.text.as_bytes(), v.text.as_bytes()) {
            0 | 1 => SHORT_TOKEN_FACTOR,
            _ => return (0.0, Rule::EditDistance),
        }
    } else {
        1.0
    };
    // Units of one kind share their fixed part; only the rest decides.
    let shared = match (q.kind, v.kind) {
        (UnitKind::Abd, UnitKind::Abd) => 2.0,
        (UnitKind::Kunya, UnitKind::Kunya) => 1.0,
        (UnitKind::Din, UnitKind::Din) => 2.0,
        (UnitKind::Allah, UnitKind::Allah) => 1.0,
        _ => 0.0,
    };
    // Below MIN_SIM / PHONETIC_MAX_SIM no factor here can lift a pair to
    // MIN_SIM: the bounded comparison stops early on the many hopeless
    // candidates.
    let mut s = tansiq_names::key_similarity_at_least(
        q.key,
        q_ar,
        &v.key,
        v_ar,
        shared,
        crate::screen::MIN_SIM / PHONETIC_MAX_SIM,
    ) * PHONETIC_MAX_SIM
        * short_penalty;
    let compound = is_compound(q.kind) || is_compound(v.kind);
    if is_compound(q.kind) != is_compound(v.kind) || (compound && q.kind != v.kind) {
        // a name unit against a plain word (Abu Asim / Bassam)
        s *= UNIT_AGAINST_WORD_FACTOR;
    }
    // Character-level plausibility: a typo across sound classes (Putin /
    // Pulin) keeps its letters though not its phonetic key.
    if !q_ar && !v_ar && !compound && s < SPELLING_MAX_SIM {
        let sp = spelling_similarity(q.text, &v.text);
        if sp > s {
            return (sp, Rule::Spelling);
        }
    }
    // (a pair under MIN_SIM is not kept: its rule is only a label)
    if s < crate::screen::MIN_SIM {
        return (s, Rule::EditDistance);
    }
    let same_skeleton = tansiq_names::same_skeleton(q.skeleton, &v.skeleton);
    let rule = if compound {
        Rule::Compound
    } else if q_ar != v_ar && same_skeleton {
        Rule::Transliteration
    } else if same_skeleton {
        Rule::Skeleton
    } else {
        Rule::EditDistance
    };
    (s, rule)
}

/// Factor of a Latin token pair of at most 3 letters one letter apart
/// (Ali / Aly); further apart they do not match at all (PKK is not BK).
pub(crate) const SHORT_TOKEN_FACTOR: f32 = 0.95;
/// Scale of the phonetic-key similarity: two different spellings of one
/// key score at most this, under an exact spelling's 1.
pub(crate) const PHONETIC_MAX_SIM: f32 = 0.97;
/// Factor of a compound name unit (Abu Asim, Abdul Wahid) against a plain
/// word, or against a unit of another kind.
pub(crate) const UNIT_AGAINST_WORD_FACTOR: f32 = 0.92;

/// Fewest letters of both Latin spellings for [`spelling_similarity`]
/// (shorter ones have their own rule: `short_penalty`).
pub(crate) const SPELLING_MIN_LETTERS: usize = 4;
/// Letters per allowed edit in [`spelling_similarity`]: one edit up to 7
/// letters, two from 8 (the bound keeps Khaddour away from Khair).
pub(crate) const SPELLING_LETTERS_PER_EDIT: usize = 4;
/// Share of Jaro-Winkler in [`spelling_similarity`], the rest being the
/// edit-distance similarity (Jaro-Winkler alone is lenient on shared
/// prefixes, edit distance alone on long words).
pub(crate) const SPELLING_JARO_SHARE: f32 = 0.5;
/// Scale of [`spelling_similarity`], as for phonetic similarity
/// ([`PHONETIC_MAX_SIM`]), which equal spellings exceed.
pub(crate) const SPELLING_MAX_SIM: f32 = PHONETIC_MAX_SIM;

/// Character-level similarity of two folded Latin spellings within a
/// bounded number of edits (optimal string alignment: one substitution,
/// insertion, deletion or swap of adjacent letters each), 0 beyond it:
/// `SPELLING_MAX_SIM · (j · JaroWinkler + (1 − j) · (1 − edits / length))`.
/// Putin / Pulin (one letter of another sound class) gets 0.82, which the
/// phonetic key alone scores 0.69.
pub(crate) fn spelling_similarity(a: &str, b: &str) -> f32 {
    let (la, lb) = (a.chars().count(), b.chars().count());
    let long = la.max(lb);
    if la.min(lb) < SPELLING_MIN_LETTERS {
        return 0.0;
    }
    let max_edits = (long / SPELLING_LETTERS_PER_EDIT).clamp(1, 2);
    if la.abs_diff(lb) > max_edits {
        return 0.0;
    }
    // An edit changes the letter counts by at most two: a cheap filter
    // before the edit distance (most compared entries are far apart).
    let mut counts = [0i16; 27];
    for (bytes, sign) in [(a.as_bytes(), 1i16), (b.as_bytes(), -1i16)] {
        for &c in bytes {
            let slot = if c.is_ascii_lowercase() {
                usize::from(c - b'a')
            } else {
                26
            };
            counts[slot] += sign;
        }
    }
    let moved: usize = counts.iter().map(|c| c.unsigned_abs() as usize).sum();
    if moved > 2 * max_edits {
        return 0.0;
    }
    let edits = strsim::osa_distance(a, b);
    if edits > max_edits {
        return 0.0;
    }
    let jw = strsim::jaro_winkler(a, b) as f32;
    let ed = 1.0 - edits as f32 / long as f32;
    SPELLING_MAX_SIM * (SPELLING_JARO_SHARE * jw + (1.0 - SPELLING_JARO_SHARE) * ed)
}

/// A whole name with letters and digits folded to lower case and every
/// other character a word break (`S.A. Tanmiya-Trading` = `s a tanmiya
/// trading`).
pub(crate) fn fold_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(w.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Fewest occurrences [`common_cap`] sets the cap to on a small list.
pub(crate) const COMMON_CAP_FLOOR: usize = 64;

/// The occurrence cap of common entries on a list of `names` names:
/// `common_occurrence_cap`, at most `common_occurrence_share` of the
/// names (but not under [`COMMON_CAP_FLOOR`], nor above the configured
/// cap). On an organisation-heavy list of a few thousand names, business
/// words held by a few hundred names would otherwise each open hundreds
/// of candidates.
pub(crate) fn common_cap(config: &MatcherConfig, names: usize) -> usize {
    let share = (config.common_occurrence_share * names as f64).ceil() as usize;
    config
        .common_occurrence_cap
        .min(share.max(COMMON_CAP_FLOOR))
}

/// Plain Levenshtein distance between two short byte strings (used only
/// for tokens of at most a few letters).
fn letter_distance(a: &[u8], b: &[u8]) -> usize {
    let a = &a[..a.len().min(31)];
    let b = &b[..b.len().min(31)];
    let mut row = [0usize; 32];
    for (j, r) in row.iter_mut().enumerate().take(b.len() + 1) {
        *r = j;
    }
    for (i, &ca) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = (diag + usize::from(ca != cb)).min(up + 1).min(row[j] + 1);
            diag = up;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_split(raw: &str, expect: &[&str]) {
        assert_eq!(split_listed_name(raw), expect, "splitting {raw:?}");
    }

    #[test]
    fn packed_names_split() {
        check_split("Karim Haddad", &["Karim Haddad"]);
        check_split(
            "Azim Adhajani; Azim Agha-Jani",
            &["Azim Adhajani", "Azim Agha-Jani"],
        );
        check_split(
            "AL-FAJR FRONT IN THE NORTH (AFFN)",
            &["AL-FAJR FRONT IN THE NORTH", "AFFN"],
        );
        check_split("(Hajji Karim; Haji Karim)", &["Hajji Karim", "Haji Karim"]);
        check_split(
            "Salem Bakri a) Salem Bakry b) S. Bakri",
            &["Salem Bakri", "Salem Bakry", "S. Bakri"],
        );
    }

    #[track_caller]
    fn check_clean(raw: &str, expect: &[&str]) {
        let got: Vec<String> = split_listed_name(raw)
            .iter()
            .flat_map(|p| strip_annotations(p))
            .collect();
        assert_eq!(got, expect, "cleaning {raw:?}");
    }

    #[test]
    fn list_annotations_are_not_names() {
        check_clean("Karim Haddad", &["Karim Haddad"]);
        check_clean("Karim Saleh Haddad born in 1971", &["Karim Saleh Haddad"]);
        check_clean(
            "Nadia Karim Haddad, born 2 Feb. 1960 (Utopia passport no. 1234567, date of issue 1 May 2010)",
            &["Nadia Karim Haddad"],
        );
        check_clean(
            "Karim Haddad, born in Springfield on 03 Mar.1966",
            &["Karim Haddad"],
        );
        check_clean(
            "(Northern Lions Network - sub-unit name)",
            &["Northern Lions Network"],
        );
        check_clean("Karim Haddadi (previously listed as)", &["Karim Haddadi"]);
        check_clean(
            "Salem Bakri (false identity related to passport number 123456789)",
            &["Salem Bakri"],
        );
        check_clean(
            "Northern Lions Front formerly known as Northern Lions Brigade",
            &["Northern Lions Front", "Northern Lions Brigade"],
        );
        check_clean("Felipe Santos, III (third)", &["Felipe Santos, III"]);
        // a name part that only looks like an annotation word stays
        check_clean("Max Born", &["Max Born"]);
        check_clean("Bornstein, Karl", &["Bornstein, Karl"]);
    }

    #[test]
    fn indonesian_ustadz_is_a_title() {
        assert!(is_title("ustadz"));
        assert!(is_title("ustadh"));
    }

    #[test]
    fn one_class_skeletons_count_rarity_by_shape() {
        let key = |w: &str| {
            let t = &tansiq_names::tokenize(w)[0];
            df_key(&t.text, &t.skeleton, &t.key)
        };
        assert_ne!(key("babaie"), key("ayub"));
        assert_ne!(key("babaie"), key("abba"));
        assert_eq!(key("ali"), key("aly"));
        assert_eq!(key("issa"), key("isa"));
        // longer skeletons keep spellings together by skeleton
        assert_eq!(key("mohamed"), key("muhammad"));
        assert_eq!(key("mohamed"), "MHMD");
    }

    #[test]
    fn facts_read_back_as_the_entities_hold_them() {
        use tansiq_model::prop;
        // (dates, nationalities, gender): within a key, and beyond it
        let cases: [(&[&str], &[&str], &str); 5] = [
            (&[], &[], ""),
            (&["1970-04-20"], &["DZ"], "male"),
            (&["1970", "1971-02"], &["dz", "fr"], "Female"),
            (&["1970", "1971", "1972"], &["dz", "fr", "ly"], "unknown"),
            (&["1970-04-20", "1969"], &["tn", "ma", "dz"], "male"),
        ];
        let mut entities = Vec::new();
        for (i, (dates, nats, gender)) in cases.iter().enumerate() {
            let mut e = Entity::new(format!("e{i}"), Schema::Person);
            e.add(prop::NAME, format!("Karim{i} Haddad"));
            for d in *dates {
                e.add(prop::BIRTH_DATE, d);
            }
            for n in *nats {
                e.add(prop::NATIONALITY, n);
            }
            e.add(prop::GENDER, gender);
            entities.push(e);
        }
        let index = Index::build(entities, MatcherConfig::default());
        for (i, e) in index.entities.iter().enumerate() {
            let i = i as u32;
            assert_eq!(*index.facts.birth_dates(i), *e.birth_dates(), "{}", e.id);
            let nats: Vec<&str> = index.facts.nationalities(i).collect();
            assert_eq!(nats, e.nationalities(), "{}", e.id);
            let gender = e.gender().map(str::to_ascii_lowercase);
            let known = gender.as_deref().filter(|g| *g == "male" || *g == "female");
            assert_eq!(index.facts.gender(i), known, "{}", e.id);
        }
        // only the entities with more than two dates or nationalities
        // keep their facts in full
        assert_eq!(index.facts.full.len(), 2);
    }

    #[test]
    fn packed_names_hold_what_the_names_hold() {
        use tansiq_model::prop;
        let mut entities = Vec::new();
        for (i, (name, dob, nat)) in [
            ("Karim Haddad", "1971-02-03", "ly"),
            ("Abd al-Rahman Yusuf el-Haddad", "1980", "tn"),
            // more positions and readings than a slot holds: spills
            (
                "Karim Bin Yusuf Bin Salih Bin Umar Bin Ali Al Haddad Al Tarabulsi",
                "1969-07",
                "ly",
            ),
            ("كريم حداد", "", ""),
        ]
        .into_iter()
        .enumerate()
        {
            let mut e = Entity::new(format!("p{i}"), Schema::Person);
            e.add(prop::NAME, name);
            if !dob.is_empty() {
                e.add(prop::BIRTH_DATE, dob);
            }
            if !nat.is_empty() {
                e.add(prop::NATIONALITY, nat);
            }
            entities.push(e);
        }
        // cap 0: every entry counts as common, so every reading is packed
        let config = MatcherConfig {
            common_occurrence_cap: 0,
            ..MatcherConfig::default()
        };
        let index = Index::build(entities, config);
        assert!(!index.compact.spill.is_empty(), "the long name spills");
        for id in 0..index.names.len() {
            let name = index.names.get(id as u32);
            let cn = index.compact.name(id as u32);
            assert_eq!(cn.entity(), name.entity);
            assert_eq!(cn.n_pos(), name.positions.len());
            assert_eq!(cn.family_pos(), name.family_pos);
            assert!(cn.listed_min() <= name.total_weight);
            for (i, p) in name.positions.iter().enumerate() {
                // rounded up, by less than 1%
                for (got, want) in [(cn.weight(i), p.weight), (cn.evidence(i), p.evidence)] {
                    assert!(got >= want && got <= want * 1.01, "{got} for {want}");
                }
            }
            let mut got: Vec<(u32, u8, u8, u32)> = cn.readings().collect();
            let mut want: Vec<(u32, u8, u8, u32)> = index
                .occurrences
                .lists()
                .enumerate()
                .flat_map(|(v, occ)| {
                    occ.iter()
                        .filter(|o| o.name == id as u32)
                        .map(move |o| (v as u32, o.pos, o.len, u32::from(o.reading)))
                })
                .collect();
            got.sort_unstable();
            want.sort_unstable();
            assert_eq!(got, want, "readings of {}", name.raw());
            let e = &index.entities[name.entity as usize];
            let key = cn.facts();
            let dates: Vec<PartialDate> = [key[0], key[1]]
                .into_iter()
                .take((key[3] >> 2 & 3) as usize)
                .filter_map(unpack_date)
                .collect();
            assert_eq!(dates, e.birth_dates());
            assert_eq!((key[3] >> 4 & 3) as usize, e.nationalities().len());
            assert_eq!(key, index.facts.keys[name.entity as usize]);
        }
    }

    #[test]
    fn family_given_names_are_swapped() {
        assert_eq!(
            comma_swapped("Majeed, Abdul").as_deref(),
            Some("Abdul Majeed")
        );
        assert_eq!(
            comma_swapped("ABU ZUBEYR, Muktar Abdirahman").as_deref(),
            Some("Muktar Abdirahman ABU ZUBEYR")
        );
        assert_eq!(comma_swapped("Karim Haddad"), None);
        assert_eq!(comma_swapped("Haddad, Karim, Jr"), None);
        assert_eq!(comma_swapped("Haddad, born 1 Jan. 1953"), None);
    }

    #[test]
    fn skeleton_keys_expand_ambiguous_arabic_classes() {
        let mut keys = Vec::new();
        skeleton_keys("qSM", &mut keys);
        assert!(keys.contains(&"xKSM".to_string()), "{keys:?}");
        assert!(keys.contains(&"xGSM".to_string()), "{keys:?}");
        let mut latin = Vec::new();
        skeleton_keys("GSM", &mut latin);
        assert!(keys.iter().any(|k| latin.contains(k)));
    }

    #[test]
    fn a_class_added_to_a_short_skeleton_shares_a_key() {
        let keys = |text: &str| {
            let mut k = Vec::new();
            skeleton_keys(&tansiq_names::skeleton::latin_skeleton(text), &mut k);
            k
        };
        for (a, b) in [
            ("calleja", "callejas"),
            ("kadyrov", "kadyrow"),
            ("kazemi", "kazemian"),
            ("nafchi", "naftchi"),
            ("savo", "savko"),
            ("dikiy", "dikij"),
        ] {
            let (ka, kb) = (keys(a), keys(b));
            assert!(ka.iter().any(|k| kb.contains(k)), "{a} {ka:?} / {b} {kb:?}");
        }
        // a one-class skeleton gets no insertion keys: plus any class it
        // would be most of a list
        assert!(!keys("ali").iter().any(|k| k.starts_with('i')));
    }

    #[test]
    fn short_tokens_need_letter_level_closeness() {
        let v = |text: &str| VTok {
            text: text.into(),
            skeleton: tansiq_names::skeleton::latin_skeleton(text).into(),
            key: tansiq_names::phonetic::latin_key(text).into(),
            script: Script::Latin,
            kind: UnitKind::Plain,
            is_join: false,
            idf: 1.0,
        };
        let q = |t: &'static VTok| QForm {
            text: &t.text,
            skeleton: &t.skeleton,
            key: &t.key,
            script: t.script,
            kind: t.kind,
        };
        let pkk: &'static VTok = Box::leak(Box::new(v("pkk")));
        let ali: &'static VTok = Box::leak(Box::new(v("ali")));
        assert_eq!(token_similarity(&q(pkk), &v("bk")).0, 0.0);
        assert!(token_similarity(&q(ali), &v("aly")).0 > 0.85);
        // a letter of another sound class: the phonetic key alone gives
        // no credit, the spelling does (bounded: one edit up to 7 letters)
        let putin: &'static VTok = Box::leak(Box::new(v("putin")));
        let (s, rule) = token_similarity(&q(putin), &v("pulin"));
        assert!(s > 0.8 && rule == Rule::Spelling, "{s} {rule:?}");
        assert_eq!(spelling_similarity("khaddour", "khair"), 0.0);
        assert_eq!(spelling_similarity("karim", "kasem"), 0.0);
        assert_eq!(letter_distance(b"kitten", b"sitting"), 3);
    }
}
