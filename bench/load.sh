#!/usr/bin/env bash
# Load benchmark of the release binary on loopback. Builds it and the load client, measures
# startup and idle RSS, then drives each scenario for a fixed time at a fixed number of keep-alive
# connections and prints requests/s and p50/p99 latency. Stops by itself in about 2 minutes.
#
#   bench/load.sh                       # defaults: 10 s per scenario, 32 connections
#   SECONDS_PER=5 CONNECTIONS=64 bench/load.sh
#   MOCK_LOG=bench/out/mock.log bench/load.sh   # keep the mock's per-request log (default /dev/null)
#
# Signed scenarios (HMAC-SHA1, V3) use examples/loadgen, which signs every request with a fresh
# nonce; wrk (installed with apt-get if missing) gives a second opinion on the unsigned ones.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER=${SECONDS_PER:-10}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18080}
MOCK_LOG=${MOCK_LOG:-/dev/null}
OUT=bench/out
mkdir -p "$OUT"
RESULTS="$OUT/load-$(date -u +%Y%m%dT%H%M%SZ).txt"

echo "== building (cargo build --release)"
cargo build --release --quiet --bin sas-mock --example loadgen
BIN=target/release/sas-mock
LOADGEN=target/release/examples/loadgen

if ! command -v wrk >/dev/null 2>&1; then
  echo "== installing wrk"
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get install -y -qq wrk >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; } \
      || echo "   (could not install wrk; its rows are skipped)"
  else
    echo "   (no apt-get as root here; wrk rows are skipped)"
  fi
fi

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (dirty)')"
} | tee "$RESULTS"

echo "== startup: 20 starts of the embedded default, time to the first 200 on /__admin/health" | tee -a "$RESULTS"
"$LOADGEN" startup --bin "$BIN" --runs 20 --settle-ms 300 | tee -a "$RESULTS"

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "port $PORT is in use; set PORT" >&2
  exit 1
fi
"$BIN" serve --listen "127.0.0.1:$PORT" --clock manual --seed 1 2>"$MOCK_LOG" &
MOCK_PID=$!
trap 'kill "$MOCK_PID" 2>/dev/null || true; wait "$MOCK_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
  curl -fsS "http://127.0.0.1:$PORT/__admin/health" >/dev/null 2>&1 && break
  sleep 0.05
done
ADDR="127.0.0.1:$PORT"

declare -A RPS
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; } # name line
row() { # scenario client line
  printf '| %-28s | %-7s | %8s | %7s | %7s | %6s |\n' "$1" "$2" "$(field rps "$3")" \
    "$(field p50_ms "$3")" "$(field p99_ms "$3")" "$(field errors "$3")" | tee -a "$TABLE"
}

TABLE="$OUT/table.md"
: >"$TABLE"
echo "== load: $CONNECTIONS keep-alive connections, ${SECONDS_PER} s per scenario (after 1 s warm-up)" | tee -a "$RESULTS"
printf '| %-28s | %-7s | %8s | %7s | %7s | %6s |\n' scenario client "req/s" "p50 ms" "p99 ms" errors | tee -a "$TABLE"
printf '|%s|%s|%s|%s|%s|%s|\n' ------------------------------ --------- ---------- --------- --------- -------- | tee -a "$TABLE"
for scenario in health unsigned v2 v3 start; do
  line=$("$LOADGEN" run --addr "$ADDR" --scenario "$scenario" --connections "$CONNECTIONS" \
    --seconds "$SECONDS_PER" --warmup 1)
  echo "$line" >>"$RESULTS"
  RPS[$scenario]=$(sed -n 's/.*rps=\([0-9]*\).*/\1/p' <<<"$line")
  case $scenario in
    health) name="GET /__admin/health" ;;
    unsigned) name="Describe unsigned" ;;
    v2) name="Describe HMAC-SHA1" ;;
    v3) name="Describe V3 (ACS3)" ;;
    start) name="StartVirusScanTask" ;;
  esac
  row "$name" loadgen "$line"
done

if command -v wrk >/dev/null 2>&1; then
  URL="http://$ADDR"
  DESCRIBE="$URL/?Action=DescribeScanTaskProgress&Version=2018-12-03&TaskId=100002"
  START_BODY='TargetInfo=%5B%7B%22type%22%3A%22uuid%22%2C%22name%22%3A%22h1%22%2C%22target%22%3A%22abc%22%7D%5D'
  for spec in "GET /__admin/health|$URL/__admin/health|" \
              "Describe unsigned|$DESCRIBE|" \
              "StartVirusScanTask|$URL/?Action=StartVirusScanTask&Version=2018-12-03|$START_BODY"; do
    IFS='|' read -r name url body <<<"$spec"
    line=$(WRK_BODY="$body" wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER}s" -s bench/wrk.lua "$url" | tail -1)
    echo "wrk $name: $line" >>"$RESULTS"
    row "$name" "wrk -t1" "$line"
  done
fi

echo "mock RSS after the runs: $(awk '/VmRSS/ {print $2, $3}' "/proc/$MOCK_PID/status")" | tee -a "$RESULTS"
ratio=$(awk -v a="${RPS[v3]:-0}" -v b="${RPS[health]:-1}" 'BEGIN { printf "%.0f", 100 * a / b }')
echo "V3-signed / health throughput (same client, same run): ${ratio}%" | tee -a "$RESULTS"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS"
cat "$TABLE" >>"$RESULTS"
echo "results: $RESULTS"
