#!/bin/sh
# Loopback load figures for single screenings: builds and starts a bench
# node with the UN SC list, then runs wrk against POST /v1/screen.
# Usage: crates/server/bench/screen.sh <un_consolidated.xml> [threads] [connections] [seconds]
# Needs wrk (Debian: apt-get install wrk). Prints wrk's summary with latency percentiles.
# BIN=<path to a bench_node> skips the build (A/B runs of two builds, back to back).
set -eu
LIST=${1:?usage: screen.sh <un.xml> [threads] [connections] [seconds]}
THREADS=${2:-2}
CONNS=${3:-32}
SECS=${4:-20}
PORT=${PORT:-18088}
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p tansiq-server --example bench_node
  BIN=${CARGO_TARGET_DIR:-target}/release/examples/bench_node
fi
OUT=$(mktemp)
"$BIN" "$LIST" "$PORT" >"$OUT" &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -f "$OUT"' EXIT
for _ in $(seq 1 300); do
  grep -q '^TOKEN=' "$OUT" && curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.2
done
TANSIQ_TOKEN=$(sed -n 's/^TOKEN=//p' "$OUT")
export TANSIQ_TOKEN
# Warm-up, then the measured run. The node's CPU time per request (user +
# system, from /proc) is printed too: it stays meaningful when the machine
# is shared, where requests/s and latencies do not.
wrk -t"$THREADS" -c"$CONNS" -d3s -s "$HERE/screen.lua" "http://127.0.0.1:$PORT" >/dev/null
ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
BEFORE=$(ticks)
wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency -s "$HERE/screen.lua" "http://127.0.0.1:$PORT" | tee "$OUT.wrk"
AFTER=$(ticks)
N=$(awk '/requests in/ {print $1}' "$OUT.wrk")
HZ=$(getconf CLK_TCK)
echo "node CPU per request: $(( (AFTER - BEFORE) * 1000000 / HZ / N )) us"
rm -f "$OUT.wrk"
