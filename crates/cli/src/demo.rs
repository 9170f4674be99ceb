//! `tansiq demo`: a node on the embedded store with the built-in fictitious
//! demo watchlist, screening travellers written differently from their
//! entries — and innocents who must not be stopped.

use anyhow::{Context, Result};
use tansiq_matching::{Band, Query};
use tansiq_store::{Role, Store};

use crate::{import, output, screen};

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// SQLite file of the demo node (created if absent; the demo list is
    /// imported again idempotently).
    #[arg(long, default_value = "tansiq-demo.db")]
    pub db: String,
    /// Where the demo node listens after the screenings.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Screen the demo travellers and exit, without starting the node.
    #[arg(long)]
    pub no_serve: bool,
}

/// The version label of the built-in demo list: bump it when the generator
/// changes, so the import records a new version.
const DEMO_VERSION: &str = "builtin-1";

pub async fn run(args: DemoArgs) -> Result<()> {
    println!(
        "tansiq demo: a national node on the embedded store {}",
        args.db
    );
    println!("All people and organisations below are fictitious.\n");
    let store = Store::open(&args.db)
        .await
        .with_context(|| format!("opening the store {}", args.db))?;
    let watchlist = tansiq_synth::demo_watchlist();
    let report = store
        .import_list("demo", DEMO_VERSION, watchlist)
        .await
        .context("importing the demo watchlist")?;
    import::print_report(&report);
    let (index, subjects) = screen::load_index(&store).await?;
    store.close().await;
    println!(
        "\nscreening index: {} entries, {} names\n",
        index.len(),
        index.name_count()
    );

    let travellers = tansiq_synth::demo_travellers();
    let mut as_expected = 0;
    for (i, t) in travellers.iter().enumerate() {
        let tr = &t.traveller;
        let mut query = Query::name(&tr.name);
        query.birth_dates = tr.birth_date.iter().cloned().collect();
        query.nationalities = tr.nationality.iter().cloned().collect();
        query.gender = tr.gender.clone();
        query.documents = tr.document_number.iter().cloned().collect();
        let matches = screen::one_per_subject(&subjects, index.screen(&query, 3));
        println!("── traveller {}: {}", i + 1, tr.name);
        let mut facts = Vec::new();
        if let Some(d) = &tr.birth_date {
            facts.push(format!("born {d}"));
        }
        if let Some(n) = &tr.nationality {
            facts.push(format!("nationality {n}"));
        }
        if let Some(d) = &tr.document_number {
            facts.push(format!("document {d}"));
        }
        if !facts.is_empty() {
            println!("   {}", facts.join(", "));
        }
        println!("   ({})", t.description);
        println!("   answer: {}", output::verdict(&matches));
        output::print_matches(&index, &subjects, &matches, false);
        let alerted: Vec<&str> = matches
            .iter()
            .filter(|m| m.band != Band::None)
            .map(|m| m.entity_id.as_str())
            .collect();
        let ok = match &t.expected {
            Some(id) => alerted.first() == Some(&id.as_str()),
            None => alerted.is_empty(),
        };
        if ok {
            as_expected += 1;
        }
        let expected = t.expected.as_deref().unwrap_or("no alert");
        println!(
            "   expected: {expected} — {}\n",
            if ok { "as expected" } else { "NOT as expected" }
        );
    }
    println!(
        "{as_expected} of {} travellers answered as expected.",
        travellers.len()
    );
    println!(
        "\nTry it yourself:\n  cargo run --release -q -p tansiq-cli -- screen \"<a name, in any script>\" --db {}",
        args.db
    );
    if args.no_serve {
        return Ok(());
    }
    crate::node::serve_demo(&args.db, &args.listen).await
}

/// The demo's second agency: its people must never see the first's hits
/// or entries (the browser tests check it).
const DEMO_AGENCY_B: (&str, &str) = ("demo-coast", "Demo coast guard (fictitious)");

/// The demo's console accounts, one per role (all fictitious): user id,
/// display name, agency, roles.
const DEMO_ACCOUNTS: [(&str, &str, &str, &[Role]); 7] = [
    (
        "demo-officer",
        "Demo officer",
        "demo-border",
        &[Role::Officer, Role::Analyst],
    ),
    (
        "demo-guard",
        "Samira Fictive (officer)",
        "demo-border",
        &[Role::Officer],
    ),
    (
        "demo-analyst",
        "Yacine Fictif (analyst)",
        "demo-border",
        &[Role::Analyst],
    ),
    (
        "demo-contact",
        "Nadia Fictive (contact point)",
        "demo-border",
        &[Role::ContactPoint],
    ),
    (
        "demo-auditor",
        "Karim Fictif (auditor)",
        "demo-border",
        &[Role::Auditor],
    ),
    (
        "demo-admin",
        "Leila Fictive (node administrator)",
        "demo-border",
        &[Role::NodeAdmin, Role::Admin],
    ),
    (
        "demo-b-analyst",
        "Omar Fictif (agency B)",
        "demo-coast",
        &[Role::Officer, Role::Analyst],
    ),
];

/// Creates the demo's console accounts when absent and gives each a fresh
/// random password (printed once by [`print_console`]; a restart of the
/// demo issues new ones). Returns (user, roles, password).
pub async fn console_accounts(store: &Store) -> Result<Vec<(String, String, String)>> {
    if store.agency(DEMO_AGENCY_B.0).await?.is_none() {
        store
            .create_agency(DEMO_AGENCY_B.0, DEMO_AGENCY_B.1)
            .await?;
    }
    let mut out = Vec::new();
    for (id, name, agency, roles) in DEMO_ACCOUNTS {
        if store.user(id).await?.is_none() {
            store.create_user(id, agency, name, roles).await?;
        }
        let password = tansiq_server::console::session::random_password();
        tansiq_server::console::set_password(store, id, &password)
            .await
            .with_context(|| format!("setting the demo password of {id}"))?;
        let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        out.push((
            id.to_string(),
            format!("{agency}: {}", roles.join(", ")),
            password,
        ));
    }
    Ok(out)
}

/// Prints the console's address and the demo sign-ins.
pub fn print_console(listen: &str, accounts: &[(String, String, String)]) {
    println!("Web console: http://{listen}/console/ (English, français, العربية)");
    println!("Demo sign-ins (fictitious people; new passwords at every demo start):");
    for (user, roles, password) in accounts {
        println!("  console sign-in: {user} / {password}   ({roles})");
    }
    println!();
}
