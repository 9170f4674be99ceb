//! Times each importer on the real files and prints entities per second.
//!
//! `cargo run --release -p tansiq-lists --example import_speed -- /work/shared`
//! (the argument is the shared data folder; default `$TANSIQ_SHARED`).
//! Benchmarks print figures; they never assert on time. Each importer is
//! compared, in the same run, with a baseline that only tokenises the same
//! bytes (quick-xml events, csv records, calamine cells): the difference is
//! the cost of mapping into entities.

use std::path::PathBuf;
use std::time::Instant;

use tansiq_lists::{ParsedList, parse_dfat_xlsx, parse_ofac, parse_un_xml};
use tansiq_model::Schema;

fn main() {
    let shared = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("TANSIQ_SHARED").ok())
        .map(PathBuf::from)
        .expect("give the shared data folder as argument or TANSIQ_SHARED");
    let lists = shared.join("data/lists");
    let read = |p: &str| std::fs::read(lists.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));

    let un = read("un/un_consolidated_2026-02-27.xml");
    time("un-xml", un.len(), || parse_un_xml(&un[..]).unwrap());
    baseline("  quick-xml events only", || {
        let mut reader = quick_xml::Reader::from_reader(&un[..]);
        let mut buf = Vec::new();
        let mut n = 0usize;
        while !matches!(
            reader.read_event_into(&mut buf).unwrap(),
            quick_xml::events::Event::Eof
        ) {
            n += 1;
            buf.clear();
        }
        n
    });
    let (sdn, alt) = (read("ofac/sdn.csv"), read("ofac/alt.csv"));
    time("ofac-csv", sdn.len() + alt.len(), || {
        parse_ofac(&sdn[..], Some(&alt[..]), None::<&[u8]>).unwrap()
    });
    baseline("  csv records only", || {
        [&sdn, &alt]
            .iter()
            .map(|f| {
                csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(&f[..])
                    .byte_records()
                    .count()
            })
            .sum()
    });
    let dfat = read("dfat/regulation8_consolidated.xlsx");
    time("dfat-xlsx", dfat.len(), || {
        parse_dfat_xlsx(&dfat[..]).unwrap()
    });
    baseline("  calamine cells only", || {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> =
            calamine::Xlsx::new(std::io::Cursor::new(&dfat[..])).unwrap();
        wb.worksheet_range_at(0).unwrap().unwrap().rows().count()
    });
}

fn baseline(what: &str, run: impl Fn() -> usize) {
    let items = run();
    let best = (0..5)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(run());
            start.elapsed()
        })
        .min()
        .unwrap();
    println!(
        "{what}: {items} items in {:.1} ms",
        best.as_secs_f64() * 1e3
    );
}

fn time(format: &str, bytes: usize, parse: impl Fn() -> ParsedList) {
    // One warm-up run, then the best of five.
    let list = parse();
    let best = (0..5)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(parse());
            start.elapsed()
        })
        .min()
        .unwrap();
    let n = list.entities.len();
    let names: usize = list.entities.iter().map(|e| e.names().len()).sum();
    println!(
        "{format:10} {n:6} entities ({} Person, {} Organization, {} Vessel, {} Airplane), {names} names, {} diagnostics, {:.1} MB in {:.1} ms: {:.0} entities/s",
        list.count(Schema::Person),
        list.count(Schema::Organization),
        list.count(Schema::Vessel),
        list.count(Schema::Airplane),
        list.diagnostics.len(),
        bytes as f64 / 1e6,
        best.as_secs_f64() * 1e3,
        n as f64 / best.as_secs_f64()
    );
}
