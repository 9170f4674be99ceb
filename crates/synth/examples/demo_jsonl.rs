//! Prints the demo watchlist as FollowTheMoney JSON lines on stdout:
//! `cargo run -p tansiq-synth --example demo_jsonl > demo.jsonl`.

fn main() {
    for e in tansiq_synth::demo_watchlist() {
        println!(
            "{}",
            serde_json::to_string(&e).expect("an entity serialises")
        );
    }
}
