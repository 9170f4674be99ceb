//! `tansiq import`: a list file into the store, all-or-nothing.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use tansiq_lists::{Format, ParsedList};
use tansiq_store::{Change, ImportReport};

use crate::StoreArgs;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The list file. For `ofac-csv` give `sdn.csv`: the `alt.csv` and
    /// `add.csv` beside it are read too. For `uk-csv` give `subjects.csv`:
    /// `subject_names.csv` (required), `subject_dobs.csv`,
    /// `subject_countries.csv` and `subject_identifiers.csv` beside it are
    /// read too.
    pub file: PathBuf,
    /// un-xml, ofac-csv, dfat-xlsx, ftm, national-csv or uk-csv; detected
    /// from the content when absent.
    #[arg(long, value_parser = parse_format)]
    pub format: Option<Format>,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Who loads national entries (recorded in each entry's history).
    #[arg(long, env = "USER", default_value = "cli")]
    pub actor: String,
    /// Diagnostics printed at most (all are counted).
    #[arg(long, default_value_t = 20)]
    pub max_diagnostics: usize,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

/// Detects the format of a file from its first bytes and name.
pub fn detect(path: &Path) -> Result<Format> {
    let mut head = vec![0u8; 8192];
    let mut f = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let n = f.read(&mut head)?;
    head.truncate(n);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    match Format::detect(&head, name) {
        Some(format) => Ok(format),
        None => bail!(
            "{}: cannot tell the list format from its content; give --format (un-xml, ofac-csv, dfat-xlsx, ftm, national-csv, uk-csv)",
            path.display()
        ),
    }
}

/// Parses a list file with the given format. `Err` means the file is not
/// that format or is truncated: nothing may be imported from it. For OFAC,
/// `alt.csv` and `add.csv` beside `sdn.csv` are read when present.
pub fn parse_file(path: &Path, format: Format) -> Result<ParsedList> {
    let read = |p: &Path| std::fs::read(p).with_context(|| format!("cannot read {}", p.display()));
    let parsed = match format {
        Format::OfacCsv => {
            let dir = path.parent().unwrap_or(Path::new("."));
            let beside = |name: &str| -> Result<Option<Vec<u8>>> {
                let p = dir.join(name);
                if p.is_file() {
                    Ok(Some(read(&p)?))
                } else {
                    Ok(None)
                }
            };
            let (alt, add) = (beside("alt.csv")?, beside("add.csv")?);
            for (name, found) in [("alt.csv", alt.is_some()), ("add.csv", add.is_some())] {
                if found {
                    println!("reading {} beside it", dir.join(name).display());
                }
            }
            tansiq_lists::parse_ofac(&read(path)?[..], alt.as_deref(), add.as_deref())
        }
        Format::UnXml | Format::Ftm | Format::NationalCsv => {
            let file =
                File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
            let reader = BufReader::new(file);
            match format {
                Format::UnXml => tansiq_lists::parse_un_xml(reader),
                Format::Ftm => tansiq_lists::parse_ftm(reader),
                _ => tansiq_lists::parse_national_csv(reader),
            }
        }
        Format::DfatXlsx => tansiq_lists::parse(format, &read(path)?),
        Format::UkCsv => {
            let dir = path.parent().unwrap_or(Path::new("."));
            let mut tables: Vec<Option<Vec<u8>>> = Vec::new();
            for name in tansiq_lists::UkTables::FILES {
                let p = dir.join(name);
                if p.is_file() {
                    println!("reading {} beside it", p.display());
                    tables.push(Some(read(&p)?));
                } else {
                    println!("no {} beside it", p.display());
                    tables.push(None);
                }
            }
            let tables = tansiq_lists::UkTables {
                names: tables[0].as_deref(),
                dobs: tables[1].as_deref(),
                countries: tables[2].as_deref(),
                identifiers: tables[3].as_deref(),
            };
            tansiq_lists::parse_uk(&read(path)?, tables)
        }
    };
    parsed.with_context(|| format!("{}: rejected, nothing imported", path.display()))
}

pub async fn run(args: ImportArgs) -> Result<()> {
    let path = &args.file;
    let format = match args.format {
        Some(f) => f,
        None => {
            let f = detect(path)?;
            println!("format: {f} (detected)");
            f
        }
    };
    let bar = crate::output::spinner(&format!("reading {}", path.display()));
    let parsed = parse_file(path, format);
    bar.finish_and_clear();
    let mut parsed = parsed?;
    print_diagnostics(path, &parsed, args.max_diagnostics);
    let overrides = crate::home::measure_overrides(args.store.config.as_deref())?;
    let overridden = tansiq_lists::apply_overrides(&mut parsed.entities, &overrides);
    if overridden > 0 {
        println!("{overridden} listings take the agency's [[measures]] of their regime");
    }
    let (store, _) = args.store.open().await?;
    if format == Format::NationalCsv {
        // The agency's own entries: editable national entries with history,
        // written in one transaction (all or none).
        let n = parsed.entities.len();
        let bar = crate::output::spinner(&format!("writing {n} entries to the store"));
        let written = store.put_entries(parsed.entities, &args.actor).await;
        bar.finish_and_clear();
        let written = written.with_context(|| {
            format!(
                "{}: import rejected, the store is unchanged",
                path.display()
            )
        })?;
        store.close().await;
        let created = written
            .iter()
            .filter(|v| v.change == Change::Created)
            .count();
        let updated = written
            .iter()
            .filter(|v| v.change == Change::Updated)
            .count();
        println!("national entries: {n} in the file");
        println!(
            "  {created} created, {updated} updated, {} unchanged (by {})",
            n - created - updated,
            args.actor
        );
        return Ok(());
    }
    let bar = crate::output::spinner(&format!(
        "importing {} entities of {} version {}",
        parsed.entities.len(),
        parsed.source,
        parsed.version
    ));
    let report = store
        .import_list(&parsed.source, &parsed.version, parsed.entities)
        .await;
    bar.finish_and_clear();
    let report = report.with_context(|| {
        format!(
            "{}: import rejected, the store is unchanged",
            path.display()
        )
    })?;
    store.close().await;
    print_report(&report);
    Ok(())
}

fn print_diagnostics(path: &Path, parsed: &ParsedList, max: usize) {
    let errors = parsed.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = parsed.diagnostics.len() - errors;
    for d in parsed.diagnostics.iter().take(max) {
        eprintln!("{}: {d}", path.display());
    }
    if parsed.diagnostics.len() > max {
        eprintln!("… {} more diagnostics", parsed.diagnostics.len() - max);
    }
    if !parsed.diagnostics.is_empty() {
        eprintln!(
            "{}: {errors} record errors (those values or records were skipped), {warnings} warnings",
            path.display()
        );
    }
}

/// Prints the counts and the diff against the previous version.
pub fn print_report(r: &ImportReport) {
    println!("list {} version {}", r.source, r.version);
    println!(
        "  {} persons, {} organisations, {} other, {} names",
        r.persons, r.organisations, r.other, r.names
    );
    match &r.previous_version {
        None => println!(
            "  first version of this list: {} entities added",
            r.added.len()
        ),
        Some(_) if r.unchanged => {
            println!("  unchanged: same content as the current version, nothing written")
        }
        Some(prev) => {
            println!(
                "  against version {prev}: {} added, {} changed, {} removed",
                r.added.len(),
                r.changed.len(),
                r.removed.len()
            );
            for id in r.added.iter().take(50) {
                println!("    + {id}");
            }
            for (id, fields) in r.changed.iter().take(50) {
                println!("    ~ {id} ({})", fields.join(", "));
            }
            for id in r.removed.iter().take(50) {
                println!("    - {id}");
            }
        }
    }
}
