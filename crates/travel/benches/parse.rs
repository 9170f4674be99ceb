//! Parse throughput: an MRZ per document (each format), a PAXLST manifest
//! per passenger, a CSV manifest per row. Figures, not assertions:
//! `cargo bench -p tansiq-travel --bench parse`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tansiq_travel::{
    Manifest, MrzFields, MrzFormat, PartialDate, Sex, encode_mrz, parse_manifest_csv, parse_mrz,
    parse_paxlst, synthetic_interchange, write_manifest_csv, write_paxlst,
};

fn mrz(c: &mut Criterion) {
    let today = PartialDate::ymd(2026, 11, 29).expect("valid date");
    let mut group = c.benchmark_group("mrz");
    group.throughput(Throughput::Elements(1));
    for format in [
        MrzFormat::Td1,
        MrzFormat::Td2,
        MrzFormat::Td3,
        MrzFormat::MrvA,
    ] {
        let fields = MrzFields {
            format,
            document_code: if matches!(format, MrzFormat::MrvA) {
                "V"
            } else {
                "P"
            }
            .into(),
            issuing_state: "UTO".into(),
            surname: "EXAMPLE TESTER".into(),
            given_names: "PAT LEE".into(),
            document_number: "X12345678".into(),
            nationality: "UTO".into(),
            birth_date: "800228".into(),
            sex: Sex::Female,
            expiry_date: "310501".into(),
            optional_data: "ZE1842".into(),
            optional_data_2: String::new(),
        };
        let lines = encode_mrz(&fields).expect("fields fit");
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        group.bench_function(format!("parse_{}", format.as_str()), |b| {
            b.iter(|| parse_mrz(black_box(&refs), today).expect("an MRZ"))
        });
    }
    let td3 = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ];
    group.bench_function("parse_TD3_and_traveller", |b| {
        b.iter(|| {
            parse_mrz(black_box(&td3), today)
                .expect("an MRZ")
                .traveller()
        })
    });
    group.finish();
}

fn manifests(c: &mut Criterion) {
    let passengers = 400;
    let ic = synthetic_interchange(passengers, 12, 42);
    let paxlst = write_paxlst(&ic);
    let csv = write_manifest_csv(&Manifest::from(ic));
    let mut group = c.benchmark_group("manifest");
    group.throughput(Throughput::Elements((passengers + 12) as u64));
    group.bench_function("paxlst_412_travellers", |b| {
        b.iter(|| parse_paxlst(black_box(paxlst.as_bytes())).expect("PAXLST"))
    });
    group.bench_function("csv_412_travellers", |b| {
        b.iter(|| parse_manifest_csv(black_box(csv.as_bytes())).expect("CSV"))
    });
    group.finish();
}

criterion_group!(benches, mrz, manifests);
criterion_main!(benches);
