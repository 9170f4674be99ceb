//! Hand-made DFAT workbooks (fictitious people): grouping, name kinds and
//! the diagnostics for what does not parse. The XLSX files are built here
//! with a minimal stored-ZIP writer, so no fixture file and no extra
//! dependency is needed.

use tansiq_lists::{ListError, parse_dfat_xlsx};
use tansiq_model::Schema;

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for b in data {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A ZIP archive of stored (uncompressed) files.
fn zip(files: &[(&str, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let (crc, size, offset) = (crc32(data.as_bytes()), data.len() as u32, out.len() as u32);
        let fixed = |sig: u32, buf: &mut Vec<u8>| {
            buf.extend(sig.to_le_bytes());
        };
        fixed(0x0403_4b50, &mut out);
        for v in [20u16, 0, 0, 0, 0] {
            out.extend(v.to_le_bytes());
        }
        out.extend(crc.to_le_bytes());
        out.extend(size.to_le_bytes());
        out.extend(size.to_le_bytes());
        out.extend((name.len() as u16).to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(name.as_bytes());
        out.extend(data.as_bytes());

        fixed(0x0201_4b50, &mut central);
        for v in [20u16, 20, 0, 0, 0, 0] {
            central.extend(v.to_le_bytes());
        }
        central.extend(crc.to_le_bytes());
        central.extend(size.to_le_bytes());
        central.extend(size.to_le_bytes());
        central.extend((name.len() as u16).to_le_bytes());
        for v in [0u16, 0, 0, 0] {
            central.extend(v.to_le_bytes());
        }
        central.extend(0u32.to_le_bytes());
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let (cd_offset, cd_size, n) = (out.len() as u32, central.len() as u32, files.len() as u16);
    out.extend(central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, n, n] {
        out.extend(v.to_le_bytes());
    }
    out.extend(cd_size.to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An XLSX workbook whose first sheet holds `rows` as inline strings.
fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    const DOC: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut sheet = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{MAIN}\"><sheetData>"
    );
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, value) in row.iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            let col = (b'A' + c as u8) as char;
            sheet.push_str(&format!(
                "<c r=\"{col}{}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                r + 1,
                escape(value)
            ));
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    zip(&[
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>".to_string(),
        ),
        (
            "_rels/.rels",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{RELS}\"><Relationship Id=\"rId1\" Type=\"{DOC}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"),
        ),
        (
            "xl/workbook.xml",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"{MAIN}\" xmlns:r=\"{DOC}\"><sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{RELS}\"><Relationship Id=\"rId1\" Type=\"{DOC}/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ])
}

const HEADER: &[&str] = &[
    "Reference",
    "Name of Individual or Entity",
    "Type",
    "Name Type",
    "Date of Birth",
    "Place of Birth",
    "Citizenship",
    "Address",
    "Additional Information",
    "Listing Information",
    "Committees",
    "Control Date",
];

#[test]
fn rows_group_into_entities() {
    let book = xlsx(&[
        HEADER,
        &[
            "901",
            "Karim HADDAD",
            "Individual",
            "Primary Name",
            "a) 14/03/1971; b) Approximately 1970",
            "a) Oran, Algeria b) Algiers",
            "Algerian and Tunisian",
            "NA",
            "Fictitious.",
            "Listed on 12 Apr. 2020 (amended on 3 Sep. 2021)",
            "Autonomous (Freedonia)",
            "2021-09-03",
        ],
        &[
            "901a",
            "كريم حداد",
            "Individual",
            "Original Script",
            "a) 14/03/1971; b) Approximately 1970",
            "a) Oran, Algeria b) Algiers",
            "Algerian and Tunisian",
            "NA",
            "Fictitious.",
            "",
            "Autonomous (Freedonia)",
            "2022-01-10",
        ],
        &[
            "901b",
            "Kareem Hadad",
            "Individual",
            "aka",
            "a) 14/03/1971; b) Approximately 1970",
            "",
            "",
            "",
            "",
            "",
            "Autonomous (Freedonia)",
            "2021-09-03",
        ],
        &[
            "901c",
            "Karim the Baker",
            "Individual",
            "Formerly known as",
            "",
            "",
            "",
            "",
            "",
            "",
            "Autonomous (Freedonia)",
            "",
        ],
        &[
            "902",
            "Northern River Front",
            "Entity",
            "Primary Name",
            "",
            "",
            "",
            "1 Harbour Road, Oran",
            "",
            "",
            "1373 (2001)",
            "2020-05-05",
        ],
    ]);
    let list = parse_dfat_xlsx(&book).unwrap();
    assert!(list.diagnostics.is_empty(), "{:?}", list.diagnostics);
    assert_eq!(list.version.split('+').next(), Some("2022-01-10"));
    let [karim, front] = &list.entities[..] else {
        panic!("{:?}", list.entities)
    };
    assert_eq!(karim.id, "au-dfat-901");
    assert_eq!(karim.schema, Schema::Person);
    assert_eq!(karim.get("name"), ["Karim HADDAD"]);
    assert_eq!(karim.get("alias"), ["كريم حداد", "Kareem Hadad"]);
    assert_eq!(karim.get("previousName"), ["Karim the Baker"]);
    assert_eq!(karim.get("birthDate"), ["1971-03-14", "1970"]);
    assert_eq!(karim.get("birthPlace"), ["Oran, Algeria", "Algiers"]);
    assert_eq!(karim.get("nationality"), ["dz", "tn"]);
    assert_eq!(karim.provenance.listed_on.as_deref(), Some("2020-04-12"));
    assert_eq!(karim.provenance.amended_on.as_deref(), Some("2022-01-10"));
    assert_eq!(
        karim.legal_basis.as_ref().unwrap().basis.as_deref(),
        Some("Australia DFAT consolidated list: Autonomous (Freedonia)")
    );
    assert_eq!(front.schema, Schema::Organization);
    assert_eq!(front.get("address"), ["1 Harbour Road, Oran"]);
}

#[test]
fn bad_cells_are_positioned_diagnostics() {
    let book = xlsx(&[
        HEADER,
        &[
            "903a",
            "Sami Rahal",
            "Individual",
            "aka",
            "sometime in spring",
            "",
            "Freedonian",
            "",
            "",
            "",
            "1267",
            "not a date",
        ],
        &[
            "903b",
            "Samy Rahhal",
            "Individual",
            "nickname",
            "sometime in spring",
            "",
            "Freedonian",
            "",
            "",
            "",
            "1267",
            "",
        ],
        &[
            "x1",
            "No Number",
            "Individual",
            "Primary Name",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        &[
            "904",
            "",
            "Ship",
            "Primary Name",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    ]);
    let list = parse_dfat_xlsx(&book).unwrap();
    let got: Vec<String> = list.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        got,
        [
            "line 4, column 1, field Reference: reference \"x1\" does not start with a number: row skipped",
            "line 2, column 4, record 903, field Name Type: no Primary Name row: the first row's name is used",
            "line 2, column 5, record 903, field Date of Birth: date of birth \"sometime in spring\" does not parse: ignored",
            "line 2, column 7, record 903, field Citizenship: citizenship \"Freedonian\" has no ISO code: ignored",
            "line 2, column 12, record 903, field Control Date: Control Date \"not a date\" is not a date: ignored",
            "line 3, column 4, record 903, field Name Type: unknown Name Type \"nickname\": kept as an alias",
            "line 5, column 3, record 904, field Type: unknown Type \"Ship\": read as an entity",
            "line 5, column 2, record 904, field Name of Individual or Entity: row 904 has no name: ignored",
            "line 5, column 2, record 904, field Name of Individual or Entity: no row of this reference has a name: skipped",
        ]
    );
    assert_eq!(list.entities.len(), 1);
    assert_eq!(list.entities[0].get("name"), ["Sami Rahal"]);
    assert_eq!(list.entities[0].get("alias"), ["Samy Rahhal"]);
}

#[test]
fn a_workbook_without_the_columns_is_not_dfat() {
    let book = xlsx(&[&["id", "name"], &["1", "Karim Haddad"]]);
    let err = parse_dfat_xlsx(&book).unwrap_err();
    assert!(matches!(err, ListError::NotThisFormat { .. }), "{err}");
    assert!(err.to_string().contains("no \"Reference\" column"), "{err}");
}
