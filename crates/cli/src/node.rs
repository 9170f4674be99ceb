//! `tansiq serve` and `tansiq admin`: the national node's HTTP service and
//! the commands that create its first accounts.

use std::path::PathBuf;

use anyhow::{Context, Result};
use tansiq_server::{Config, Pepper, create_admin, create_key};
use tansiq_store::{Role, Store};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// tansiq.toml (see crates/server/tansiq.example.toml; default:
    /// ./tansiq.toml when it exists); every key can also be set by
    /// TANSIQ_<SECTION>_<KEY>.
    #[arg(long, env = "TANSIQ_CONFIG")]
    pub config: Option<PathBuf>,
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

pub async fn serve(args: ServeArgs) -> Result<()> {
    let config = crate::home::load(args.config.as_deref())?;
    eprintln!(
        "tansiq node: listening on {} (store {})",
        config.server.listen, config.store.location
    );
    tansiq_server::serve(config, shutdown_signal())
        .await
        .context("serving")?;
    Ok(())
}

#[derive(Debug, clap::Subcommand)]
pub enum AdminCommand {
    /// Create a node administrator: the agency (if absent), a user with
    /// the roles `node-admin` (agencies, partners, sources, other
    /// agencies' administrators) and `admin` (its own agency's users), and
    /// an API key; the key is printed once and never again. Agency
    /// administrators are then created through `POST /v1/users`.
    CreateAdmin(CreateAdminArgs),
    /// Create a user of an agency (the agency too, if absent) with one or
    /// more roles, and an API key for it; the key is printed once, alone
    /// on standard output (`KEY=$(tansiq admin create-user …)`).
    CreateUser(CreateUserArgs),
    /// Issue a new API key for an existing user (printed once).
    CreateKey(CreateKeyArgs),
    /// Revoke an API key by its id.
    RevokeKey(RevokeKeyArgs),
    /// Set a user's web-console password (argon2id). The password is read
    /// from the environment variable TANSIQ_PASSWORD when set, else from
    /// the first line of standard input; never from the command line,
    /// where other users of the machine could see it. Ends the user's open
    /// console sessions and lifts a lock-out.
    SetPassword(SetPasswordArgs),
    /// Remove a user's console second factor (TOTP), e.g. after a lost
    /// phone, and end their console sessions: they sign in with their
    /// password alone and may enrol again from their account page.
    /// Audited as `console.totp.reset` by `cli`.
    ResetTotp(ResetTotpArgs),
}

#[derive(Debug, clap::Args)]
pub struct ResetTotpArgs {
    #[arg(long)]
    pub user: String,
    #[arg(long, env = "TANSIQ_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct SetPasswordArgs {
    #[arg(long)]
    pub user: String,
    #[arg(long, env = "TANSIQ_CONFIG")]
    pub config: Option<PathBuf>,
}

/// The environment variable `tansiq admin set-password` reads first.
const PASSWORD_ENV: &str = "TANSIQ_PASSWORD";

/// The new password: from `TANSIQ_PASSWORD`, else the first line of stdin.
fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var(PASSWORD_ENV) {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

#[derive(Debug, clap::Args)]
pub struct CreateAdminArgs {
    #[arg(long)]
    pub agency: String,
    #[arg(long)]
    pub agency_name: String,
    #[arg(long)]
    pub user: String,
    #[arg(long)]
    pub name: String,
    /// Days until the key expires.
    #[arg(long, default_value_t = 90)]
    pub days: u32,
    #[arg(long, env = "TANSIQ_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CreateUserArgs {
    /// The agency's id (a-z, 0-9, -).
    #[arg(long)]
    pub agency: String,
    /// The agency's name, used when the agency is created (default: its id).
    #[arg(long)]
    pub agency_name: Option<String>,
    #[arg(long = "role", required = true, value_parser = parse_role, help = role_help())]
    pub roles: Vec<Role>,
    /// The user's id (a-z, 0-9, -).
    #[arg(long)]
    pub user: String,
    /// The user's display name.
    #[arg(long)]
    pub name: String,
    /// Days until the key expires.
    #[arg(long, default_value_t = 90)]
    pub days: u32,
    #[arg(long, env = "TANSIQ_CONFIG")]
    pub config: Option<PathBuf>,
}

/// A role by its name; the names are those of [`Role::ALL`].
fn parse_role(s: &str) -> Result<Role, String> {
    s.parse::<Role>().map_err(|_| {
        format!(
            "unknown role {s:?}; expected one of: {}",
            Role::ALL.map(Role::as_str).join(", ")
        )
    })
}

fn role_help() -> String {
    format!(
        "A role of the user ({}); repeat for several",
        Role::ALL.map(Role::as_str).join(", ")
    )
}

#[derive(Debug, clap::Args)]
pub struct CreateKeyArgs {
    #[arg(long)]
    pub user: String,
    #[arg(long, default_value = "created by tansiq admin")]
    pub label: String,
    #[arg(long, default_value_t = 90)]
    pub days: u32,
    #[arg(long, env = "TANSIQ_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct RevokeKeyArgs {
    pub id: String,
    #[arg(long, env = "TANSIQ_CONFIG")]
    pub config: Option<PathBuf>,
}

async fn open(config: &Option<PathBuf>) -> Result<(Config, Store, Pepper)> {
    let config = crate::home::load(config.as_deref())?;
    let store = Store::open(&config.store.location)
        .await
        .with_context(|| format!("opening the store {}", config.store.location))?;
    let pepper = Pepper::load_or_create(&config.security.pepper_file)
        .context("loading the API-key pepper")?;
    Ok((config, store, pepper))
}

/// `--days` within the node's key lifetime limit, as the API checks it.
fn key_days(config: &Config, days: u32) -> Result<()> {
    tansiq_server::check_key_days(days, config.security.key_max_days)
        .map_err(|m| anyhow::anyhow!("--days {days}: {m}"))
}

pub async fn admin(cmd: AdminCommand) -> Result<()> {
    match cmd {
        AdminCommand::CreateAdmin(a) => {
            let (config, store, pepper) = open(&a.config).await?;
            key_days(&config, a.days)?;
            let key = create_admin(
                &store,
                &pepper,
                &a.agency,
                &a.agency_name,
                &a.user,
                &a.name,
                a.days,
            )
            .await
            .context("creating the admin")?;
            store.close().await;
            println!(
                "node administrator {} (agency {}) created; API key (shown once):",
                a.user, a.agency
            );
            println!("{}", key.token);
        }
        AdminCommand::CreateUser(a) => {
            let (config, store, pepper) = open(&a.config).await?;
            key_days(&config, a.days)?;
            let key = create_user(&store, &pepper, &a).await;
            store.close().await;
            let key = key?;
            let roles: Vec<_> = a.roles.iter().map(|r| r.as_str()).collect();
            eprintln!(
                "user {} ({}) of agency {} created; API key (shown once) on standard output:",
                a.user,
                roles.join(", "),
                a.agency
            );
            println!("{}", key.token);
        }
        AdminCommand::CreateKey(a) => {
            let (config, store, pepper) = open(&a.config).await?;
            key_days(&config, a.days)?;
            let key = create_key(&store, &pepper, &a.user, &a.label, a.days)
                .await
                .context("creating the key")?;
            store.close().await;
            println!("API key for {} (shown once):", a.user);
            println!("{}", key.token);
        }
        AdminCommand::SetPassword(a) => {
            let password = read_password()?;
            let (_, store, _) = open(&a.config).await?;
            let result = tansiq_server::console::set_password(&store, &a.user, &password).await;
            store.close().await;
            result.with_context(|| format!("setting the password of {}", a.user))?;
            println!(
                "password of {} set; they can sign in to the console",
                a.user
            );
        }
        AdminCommand::ResetTotp(a) => {
            let (_, store, _) = open(&a.config).await?;
            let result = reset_totp(&store, &a.user).await;
            store.close().await;
            let (had, ended) =
                result.with_context(|| format!("resetting the second factor of {}", a.user))?;
            if had {
                println!(
                    "second factor of {} removed ({ended} console sessions ended); they sign in with their password and may enrol again",
                    a.user
                );
            } else {
                println!("{} had no second factor; nothing changed", a.user);
            }
        }
        AdminCommand::RevokeKey(a) => {
            let (_, store, _) = open(&a.config).await?;
            let rec = store
                .revoke_api_key(&a.id)
                .await
                .context("revoking the key")?;
            store.close().await;
            println!("key {} revoked", rec.id);
        }
    }
    Ok(())
}

/// Resets the second factor and appends the audit event.
async fn reset_totp(store: &Store, user: &str) -> Result<(bool, u64)> {
    let (had, ended) = tansiq_server::second_factor_reset(store, user).await?;
    let agency = store
        .user(user)
        .await?
        .map(|u| u.agency_id)
        .unwrap_or_default();
    store
        .append_audit(tansiq_store::AuditEvent {
            at: time::OffsetDateTime::now_utc(),
            actor: "cli".into(),
            action: "console.totp.reset".into(),
            subject: Some(user.to_string()),
            facts: serde_json::json!({"agency": agency, "key_id": "-", "outcome": "ok"}),
            payload: serde_json::json!({"had_second_factor": had, "sessions_ended": ended}),
        })
        .await?;
    Ok((had, ended))
}

async fn create_user(
    store: &Store,
    pepper: &Pepper,
    a: &CreateUserArgs,
) -> Result<tansiq_server::IssuedKey> {
    if store.agency(&a.agency).await?.is_none() {
        let name = a.agency_name.as_deref().unwrap_or(&a.agency);
        store
            .create_agency(&a.agency, name)
            .await
            .context("creating the agency")?;
    }
    store
        .create_user(&a.user, &a.agency, &a.name, &a.roles)
        .await
        .context("creating the user")?;
    create_key(store, pepper, &a.user, "created by tansiq admin", a.days)
        .await
        .context("creating the key")
}

/// Sets up the demo node's officer account and starts serving the demo
/// store; prints a ready `curl` line with a fresh demo key.
pub async fn serve_demo(db: &str, listen: &str) -> Result<()> {
    let toml = format!(
        "[server]\nlisten = {listen:?}\n[store]\nlocation = {db:?}\n[security]\npepper_file = {:?}\n[node]\nid = \"demo\"\nidentity_file = {:?}\n[audit]\ncheckpoint_file = {:?}\n",
        format!("{db}.pepper"),
        format!("{db}.identity"),
        format!("{db}.checkpoint"),
    );
    let config = Config::from_toml_str(&toml, std::env::vars()).context("demo configuration")?;
    let store = Store::open(db)
        .await
        .with_context(|| format!("opening {db}"))?;
    let pepper = Pepper::load_or_create(&config.security.pepper_file)?;
    if store.agency("demo-border").await?.is_none() {
        store
            .create_agency("demo-border", "Demo border police (fictitious)")
            .await?;
    }
    if store.user("demo-officer").await?.is_none() {
        store
            .create_user(
                "demo-officer",
                "demo-border",
                "Demo officer",
                &[Role::Officer, Role::Analyst],
            )
            .await?;
    }
    let key = create_key(&store, &pepper, "demo-officer", "tansiq demo", 1).await?;
    let accounts = crate::demo::console_accounts(&store).await?;
    store.close().await;
    println!(
        "\nThe demo node now serves the same store over HTTP on http://{listen} (Ctrl-C stops it)."
    );
    println!("Screen a traveller as the demo officer (the key is valid for one day):\n");
    println!(
        "  curl -s http://{listen}/v1/screen -H 'Authorization: Bearer {}' \\\n       -H 'Content-Type: application/json' \\\n       -d '{{\"names\": [\"عبد القادر بن يوسف\"], \"birth_date\": \"1979\"}}'\n",
        key.token
    );
    println!("  OpenAPI description: http://{listen}/openapi.json\n");
    crate::demo::print_console(listen, &accounts);
    tansiq_server::serve(config, shutdown_signal())
        .await
        .context("serving the demo node")?;
    Ok(())
}
