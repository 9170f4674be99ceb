//! `tansiq federation`: register partners and watch replication, through a
//! running node's API (an admin's key).
//!
//! `invite` prints this node's invitation (id, URL, public keys); the
//! partner's admin runs `accept` with it and the agreements of both
//! directions; `status` shows partners, last contact, outbox depth, oldest
//! message and replication lag.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

#[derive(Debug, clap::Subcommand)]
pub enum FederationCommand {
    /// Print this node's invitation (node id, public URL, public keys) as
    /// JSON, for a partner's `accept`.
    Invite(NodeArgs),
    /// Register (or update) the partner of an invitation with the
    /// agreements of both directions (JSON files; none: nothing shared).
    Accept(AcceptArgs),
    /// Partners, last contact, outbox depth, oldest message, lag.
    Status(StatusArgs),
    /// Two nodes in this process on loopback (temporary SQLite stores):
    /// prints replication throughput (entries/s) and hit-notification
    /// latency (p50, p99).
    Bench(BenchArgs),
}

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Entries replicated from the first node to the second.
    #[arg(long, default_value_t = 2000)]
    pub entries: usize,
    /// Hit notices timed one at a time.
    #[arg(long, default_value_t = 200)]
    pub hits: usize,
    /// The worker's polling period (ms).
    #[arg(long, default_value_t = 10)]
    pub poll_ms: u64,
}

#[derive(Debug, clap::Args)]
pub struct NodeArgs {
    /// The node's base URL.
    #[arg(long, env = "TANSIQ_URL", default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// An administrator's API key.
    #[arg(long, env = "TANSIQ_API_KEY", hide_env_values = true)]
    pub key: String,
}

#[derive(Debug, clap::Args)]
pub struct AcceptArgs {
    #[command(flatten)]
    pub node: NodeArgs,
    /// The partner's invitation (JSON from its `tansiq federation invite`).
    #[arg(long)]
    pub invite: PathBuf,
    /// What this node shares with the partner (an agreement JSON file).
    #[arg(long)]
    pub outgoing: Option<PathBuf>,
    /// What this node accepts from the partner.
    #[arg(long)]
    pub incoming: Option<PathBuf>,
    /// The partner's outgoing agreement (what it shares with this node):
    /// checked against `--incoming` before anything is registered.
    #[arg(long)]
    pub partner_outgoing: Option<PathBuf>,
    /// The partner's incoming agreement (what it accepts from this node):
    /// checked against `--outgoing`.
    #[arg(long)]
    pub partner_incoming: Option<PathBuf>,
    /// Only check the agreements against each other (and the partner's,
    /// when given); register nothing. Exits non-zero on a mismatch that
    /// would leave entries unscreenable.
    #[arg(long)]
    pub dry_run: bool,
}

/// Checks both directions of a partnership whose other side is known;
/// prints every mismatch and returns how many would leave entries
/// unscreenable (refused copies, checks never asked).
fn check_agreements(
    outgoing: &Value,
    incoming: &Value,
    partner_outgoing: Option<&Value>,
    partner_incoming: Option<&Value>,
) -> Result<usize> {
    use tansiq_federation::{Agreement, check_pair};
    let parse = |what: &str, v: &Value| -> Result<Agreement> {
        serde_json::from_value(v.clone()).with_context(|| format!("{what} is not an agreement"))
    };
    let outgoing = parse("--outgoing", outgoing)?;
    let incoming = parse("--incoming", incoming)?;
    let mut fatal = 0;
    let pairs = [
        (
            "this node -> partner",
            Some(&outgoing),
            partner_incoming,
            "--partner-incoming",
        ),
        (
            "partner -> this node",
            None,
            partner_outgoing,
            "--partner-outgoing",
        ),
    ];
    for (direction, ours, theirs, flag) in pairs {
        let Some(theirs) = theirs else { continue };
        let theirs = parse(flag, theirs)?;
        let mismatches = match ours {
            Some(sender) => check_pair(sender, &theirs),
            None => check_pair(&theirs, &incoming),
        };
        if mismatches.is_empty() {
            println!("{direction}: the agreements match");
        }
        for m in &mismatches {
            let level = if m.is_fatal() { "MISMATCH" } else { "note" };
            println!("{direction}: {level}: {m}");
            fatal += usize::from(m.is_fatal());
        }
    }
    Ok(fatal)
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub node: NodeArgs,
    /// Print the raw JSON.
    #[arg(long)]
    pub json: bool,
}

fn read_json(path: &PathBuf) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

async fn call(
    node: &NodeArgs,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Result<Value> {
    let url = format!("{}{path}", node.url.trim_end_matches('/'));
    let mut req = reqwest::Client::new()
        .request(method, &url)
        .bearer_auth(&node.key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.with_context(|| format!("calling {url}"))?;
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    if !status.is_success() {
        bail!("{url} answered {status}: {text}");
    }
    serde_json::from_str(&text).with_context(|| format!("{url} answered no JSON"))
}

pub async fn run(cmd: FederationCommand) -> Result<()> {
    match cmd {
        FederationCommand::Invite(node) => {
            let out = call(&node, reqwest::Method::GET, "/v1/federation/invite", None).await?;
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        FederationCommand::Accept(a) => {
            let invite = read_json(&a.invite)?;
            let Some(id) = invite.get("node").and_then(Value::as_str) else {
                bail!("{}: no `node` in the invitation", a.invite.display());
            };
            let agreement = |p: &Option<PathBuf>| -> Result<Value> {
                Ok(match p {
                    Some(p) => read_json(p)?,
                    None => json!({ "rules": [] }),
                })
            };
            let (outgoing, incoming) = (agreement(&a.outgoing)?, agreement(&a.incoming)?);
            let partner_outgoing = a.partner_outgoing.as_ref().map(read_json).transpose()?;
            let partner_incoming = a.partner_incoming.as_ref().map(read_json).transpose()?;
            let fatal = check_agreements(
                &outgoing,
                &incoming,
                partner_outgoing.as_ref(),
                partner_incoming.as_ref(),
            )?;
            if fatal > 0 {
                bail!(
                    "{fatal} mismatch(es) between the agreements: entries would be refused or \
                     never checked; nothing registered"
                );
            }
            if a.dry_run {
                println!("dry run: nothing registered");
                return Ok(());
            }
            let body = json!({
                "base_url": invite.get("base_url").cloned().unwrap_or(Value::Null),
                "keys": invite.get("keys").cloned().unwrap_or(Value::Null),
                "outgoing": outgoing,
                "incoming": incoming,
            });
            let out = call(
                &a.node,
                reqwest::Method::PUT,
                &format!("/v1/federation/partners/{id}"),
                Some(body),
            )
            .await?;
            println!(
                "partner {id} registered at {}",
                out.get("base_url").and_then(Value::as_str).unwrap_or("?")
            );
        }
        FederationCommand::Bench(b) => bench(b).await?,
        FederationCommand::Status(s) => {
            let out = call(&s.node, reqwest::Method::GET, "/v1/federation/status", None).await?;
            if s.json {
                println!("{}", serde_json::to_string_pretty(&out)?);
                return Ok(());
            }
            println!("node {}", out["node"].as_str().unwrap_or("?"));
            println!(
                "{:<10} {:<8} {:>8} {:>10} {:>10} {:>8} {:>8}  {:<25} last error",
                "partner",
                "sent",
                "acked",
                "pending",
                "lag (s)",
                "inbox",
                "refused",
                "last contact"
            );
            for p in out["partners"].as_array().into_iter().flatten() {
                println!(
                    "{:<10} {:<8} {:>8} {:>10} {:>10.1} {:>8} {:>8}  {:<25} {}",
                    p["id"].as_str().unwrap_or("?"),
                    p["last_seq_sent"],
                    p["last_seq_acknowledged"],
                    p["outbox_pending"],
                    p["replication_lag_seconds"].as_f64().unwrap_or(0.0),
                    p["inbox_last_seq"],
                    p["refused"],
                    p["last_contact_at"].as_str().unwrap_or("never"),
                    p["last_error"].as_str().unwrap_or("-"),
                );
            }
            for p in out["partners"].as_array().into_iter().flatten() {
                if let Some(why) = p["last_refusal"].as_str() {
                    println!(
                        "WARNING: {} refused {} message(s) under its incoming agreement \
                         (the agreements do not match); latest {why}",
                        p["id"].as_str().unwrap_or("?"),
                        p["refused"]
                    );
                }
            }
        }
    }
    Ok(())
}

struct BenchNode {
    state: tansiq_server::AppState,
    url: String,
}

async fn bench_node(dir: &std::path::Path, name: &str, poll_ms: u64) -> Result<BenchNode> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let toml = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\n[store]\nlocation = {:?}\n[node]\nid = {name:?}\nidentity_file = {:?}\n[federation]\npublic_url = {url:?}\npoll_ms = {poll_ms}\n",
        dir.join(format!("{name}.db")).display().to_string(),
        dir.join(format!("{name}.identity")).display().to_string(),
    );
    let config = tansiq_server::Config::from_toml_str(&toml, std::iter::empty())?;
    let store = tansiq_store::Store::open(&config.store.location).await?;
    let state = tansiq_server::AppState::new(
        store,
        config,
        tansiq_server::Pepper::random(),
        std::sync::Arc::new(tansiq_server::MemoryAudit::default()),
    )
    .await?;
    tokio::spawn(tansiq_server::serve_on(
        state.clone(),
        listener,
        None,
        std::future::pending(),
    ));
    tokio::spawn(tansiq_server::run_worker(state.clone()));
    Ok(BenchNode { state, url })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn bench(b: BenchArgs) -> Result<()> {
    use std::time::{Duration, Instant};
    use tansiq_federation::{Agreement, HitNotice, HitVia, Level, Rule, Traveller};
    use tansiq_model::{ActionOnHit, Entity, FederationShare, Schema, prop};

    let dir = tempfile_dir()?;
    let a = bench_node(&dir, "aa", b.poll_ms).await?;
    let z = bench_node(&dir, "zz", b.poll_ms).await?;
    let full = Agreement {
        rules: vec![Rule {
            level: Level::Full,
            ..Rule::default()
        }],
        ..Agreement::default()
    };
    let none = Agreement::default();
    a.state
        .store
        .put_partner("zz", &z.url, &z.state.identity.public_keys(), &full, &none)
        .await?;
    z.state
        .store
        .put_partner("aa", &a.url, &a.state.identity.public_keys(), &none, &full)
        .await?;

    let entries: Vec<Entity> = (0..b.entries)
        .map(|i| {
            let mut e = Entity::new(format!("bench-{i}"), Schema::Person);
            e.add(prop::NAME, format!("Fictive Person Number{i}"));
            e.origin_agency = Some("aa-police".into());
            e.action_on_hit = Some(ActionOnHit::Inform);
            e.sharing.federation = FederationShare::ByAgreement;
            e
        })
        .collect();
    let started = Instant::now();
    a.state.store.put_entries(entries, "bench").await?;
    loop {
        let head = z
            .state
            .store
            .inbox_heads()
            .await?
            .first()
            .map_or(0, |h| h.last_seq);
        if head as usize >= b.entries {
            break;
        }
        if started.elapsed() > Duration::from_secs(600) {
            bail!("replication did not finish in 10 minutes (at {head})");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let took = started.elapsed().as_secs_f64();
    println!(
        "replication: {} entries aa -> zz in {took:.2} s = {:.0} entries/s (store, sign, send, verify, apply; index rebuilds included)",
        b.entries,
        b.entries as f64 / took
    );

    let mut latencies = Vec::with_capacity(b.hits);
    for i in 0..b.hits {
        let hit_id = format!("zz:bench:{i}");
        let t0 = Instant::now();
        z.state
            .store
            .record_hit(
                &z.state.identity,
                "aa",
                HitNotice {
                    hit_id: hit_id.clone(),
                    reference: format!("bench-{}", i % b.entries.max(1)),
                    action: Some(ActionOnHit::Inform),
                    via: HitVia::LocalCopy,
                    traveller: Traveller {
                        name: Some("Fictive Person".into()),
                        ..Traveller::default()
                    },
                    score: 0.95,
                    screened_at: time::OffsetDateTime::now_utc(),
                },
            )
            .await?;
        while a.state.store.fed_hit(&hit_id).await?.is_none() {
            if t0.elapsed() > Duration::from_secs(60) {
                bail!("hit {hit_id} not delivered in 60 s");
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        latencies.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    latencies.sort_by(f64::total_cmp);
    println!(
        "hit notification latency over {} hits: p50 {:.1} ms, p99 {:.1} ms (worker polls every {} ms)",
        b.hits,
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        b.poll_ms
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("tansiq-fed-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
