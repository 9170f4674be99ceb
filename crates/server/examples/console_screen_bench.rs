//! The officer's screening page, timed as the officer meets it: a signed-in
//! console session posts the screening form (CSRF token, session cookie,
//! form encoding) and the time runs until the whole rendered answer page
//! has arrived. One request at a time (a desk waits for its answer), over
//! loopback, against a node holding the real UN SC consolidated list.
//!
//! The node is the real one (`serve_on`, audit log in the store, the
//! journal writing hits and screening records), on SQLite in a temp
//! folder. The travellers are `tansiq_synth::travellers` of the list:
//! about half are listed persons written differently (so many answers
//! carry matches, hits and the analyst detail), half innocents. A warm-up
//! of 50 screenings is not counted. Prints p50, p95, p99 and the largest
//! answer page; nothing is asserted (figures, not a test).
//!
//! ```sh
//! cargo run --release -p tansiq-server --example console_screen_bench -- \
//!     $TANSIQ_SHARED/data/lists/un/un_consolidated_2026-02-27.xml [requests]
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use tansiq_server::{AppState, Config, Pepper, StoreAudit, serve_on};
use tansiq_store::{Role, Store};

/// The same allocator as the `tansiq` binary, so the figures are the node's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Screenings before the measured ones (caches, connection, allocator).
const WARM_UP: usize = 50;
/// Measured screenings when not given.
const DEFAULT_REQUESTS: usize = 1_000;
/// The issue's targets, printed beside the figures.
const TARGET_P95: Duration = Duration::from_millis(50);
const MAX_PAGE_BYTES: usize = 300 * 1024;

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn cookie(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .to_string()
}

fn csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    html[at..].split('"').next().unwrap_or_default().to_string()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let list = args
        .next()
        .expect("usage: console_screen_bench <un.xml> [requests]");
    let requests: usize = args
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_REQUESTS);

    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.server.listen = "127.0.0.1:0".into();
    config.store.location = dir.path().join("bench.db").display().to_string();
    config.security.pepper_file = dir.path().join("pepper");
    config.node.identity_file = dir.path().join("identity");
    config.audit.checkpoint_file = dir.path().join("checkpoint");
    config.rate_limit.per_key_per_second = 0;
    let store = Store::open(&config.store.location).await.unwrap();
    let bytes = std::fs::read(&list).unwrap();
    let parsed = tansiq_lists::parse(tansiq_lists::Format::UnXml, &bytes).unwrap();
    let entities = parsed.entities.clone();
    store
        .import_list(&parsed.source, &parsed.version, parsed.entities)
        .await
        .unwrap();
    store.create_agency("bench", "Bench agency").await.unwrap();
    store
        .create_user("bench-officer", "bench", "Bench officer", &[Role::Officer])
        .await
        .unwrap();
    let password = "bench password, not a real one";
    tansiq_server::console::set_password(&store, "bench-officer", password)
        .await
        .unwrap();
    let pepper = Pepper::load_or_create(&config.security.pepper_file).unwrap();
    let audit: Arc<dyn tansiq_server::AuditSink> = Arc::new(StoreAudit::start(store.clone()));
    let state = AppState::new(store, config, pepper, audit).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_on(state, listener, None, async move {
        let _ = stopped.await;
    }));

    // Sign in as a browser does.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = client
        .get(format!("{base}/console/sign-in"))
        .send()
        .await
        .unwrap();
    let pre = cookie(&form, "tansiq_signin");
    let token = csrf(&form.text().await.unwrap());
    let signed = client
        .post(format!("{base}/console/sign-in"))
        .header(reqwest::header::COOKIE, pre)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(format!(
            "csrf={token}&user=bench-officer&password={}",
            enc(password)
        ))
        .send()
        .await
        .unwrap();
    let session = format!("{}; tansiq_lang=en", cookie(&signed, "tansiq_session"));
    let page = client
        .get(format!("{base}/console/screen"))
        .header(reqwest::header::COOKIE, &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf(&page);

    let travellers = tansiq_synth::travellers(7, WARM_UP + requests, &entities).unwrap();
    let mut times = Vec::with_capacity(requests);
    let (mut largest, mut with_match, mut bytes_total) = (0usize, 0usize, 0usize);
    for (i, t) in travellers.iter().enumerate() {
        let tr = &t.traveller;
        let body = format!(
            "csrf={token}&mrz=&name={}&birth_date={}&nationality={}&document={}&document_country=&border_post=bench",
            enc(&tr.name),
            enc(tr.birth_date.as_deref().unwrap_or("")),
            enc(tr.nationality.as_deref().unwrap_or("")),
            enc(tr.document_number.as_deref().unwrap_or("")),
        );
        let started = Instant::now();
        let r = client
            .post(format!("{base}/console/screen"))
            .header(reqwest::header::COOKIE, &session)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "HTTP {}", r.status());
        let html = r.text().await.unwrap();
        let took = started.elapsed();
        assert!(html.contains("class=\"answer\""), "no answer rendered");
        if i >= WARM_UP {
            times.push(took);
            largest = largest.max(html.len());
            bytes_total += html.len();
            if html.contains("<article class=\"match\"") {
                with_match += 1;
            }
        }
    }
    let _ = stop.send(());
    let _ = server.await;

    times.sort();
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "console screening page, POST /console/screen to the whole rendered answer, one at a time over loopback"
    );
    println!(
        "list: {} ({} entities); {} screenings measured after {} warm-up; {} answers showed at least one match",
        parsed.version,
        entities.len(),
        times.len(),
        WARM_UP,
        with_match
    );
    println!(
        "p50 {}  p95 {}  p99 {}  max {}  mean {}   (target p95 <= {})",
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.95)),
        ms(percentile(&times, 0.99)),
        ms(*times.last().unwrap()),
        ms(mean),
        ms(TARGET_P95)
    );
    println!(
        "answer page: largest {:.1} KB, mean {:.1} KB   (limit {} KB)",
        largest as f64 / 1024.0,
        bytes_total as f64 / times.len() as f64 / 1024.0,
        MAX_PAGE_BYTES / 1024
    );
}
