#!/usr/bin/env bash
# Load benchmark of the release binary on loopback. Builds it and the load client, measures
# startup and idle RSS, then drives each scenario for a fixed time at a fixed number of keep-alive
# connections and prints requests/s and p50/p99 latency, then measures the V3 / health ratio in
# alternating rounds. Stops by itself in about 3 minutes.
#
#   bench/load.sh                       # defaults: 10 s per scenario, 32 connections
#   SECONDS_PER=5 CONNECTIONS=64 bench/load.sh
#   ROUNDS=10 ROUND_SECONDS=3 bench/load.sh     # more alternating V3 / health rounds
#   MOCK_LOG=bench/out/mock.log bench/load.sh   # keep the mock's per-request log (default /dev/null)
#
# Signed scenarios (HMAC-SHA1, V3) use examples/loadgen, which signs every request with a fresh
# nonce; wrk (installed with apt-get if missing) gives a second opinion on the unsigned ones.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER=${SECONDS_PER:-10}
CONNECTIONS=${CONNECTIONS:-32}
ROUNDS=${ROUNDS:-6}
ROUND_SECONDS=${ROUND_SECONDS:-3}
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

# The ratio budget compares two scenarios measured at different moments, and this machine's speed
# drifts by 10-20% from one minute to the next. Alternating short rounds (swapping which goes
# first) exposes both to the same drift; the median of the per-round ratios is the figure.
# Server CPU per request comes from the mock's own utime+stime, independent of the client.
echo "== V3 / health: $ROUNDS alternating rounds of ${ROUND_SECONDS} s each" | tee -a "$RESULTS"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$MOCK_PID/stat"; }
slice() { # scenario -> "rps server_us_per_request"
  local before after line rps
  before=$(cpu_ticks)
  line=$("$LOADGEN" run --addr "$ADDR" --scenario "$1" --connections "$CONNECTIONS" \
    --seconds "$ROUND_SECONDS" --warmup 0.5)
  after=$(cpu_ticks)
  rps=$(sed -n 's/.*rps=\([0-9]*\).*/\1/p' <<<"$line")
  awk -v r="$rps" -v t=$((after - before)) -v s="$ROUND_SECONDS" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%d %.1f", r, (r > 0 ? 1e6 * t / hz / (r * (s + 0.5)) : 0) }'
}
ratios=()
for round in $(seq 1 "$ROUNDS"); do
  if ((round % 2)); then h=$(slice health); v=$(slice v3); else v=$(slice v3); h=$(slice health); fi
  ratio=$(awk -v a="${v%% *}" -v b="${h%% *}" 'BEGIN { printf "%.1f", 100 * a / b }')
  ratios+=("$ratio")
  echo "round $round: health ${h%% *} req/s (server ${h##* } us/req), V3 ${v%% *} req/s (server ${v##* } us/req): ${ratio}%" | tee -a "$RESULTS"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }')

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


echo "V3-signed / health throughput: median ${median}% of $ROUNDS alternating rounds (table above, one pass: $(awk -v a="${RPS[v3]:-0}" -v b="${RPS[health]:-1}" 'BEGIN { printf "%.0f", 100 * a / b }')%)" | tee -a "$RESULTS"
echo "mock RSS after the runs: $(awk '/VmRSS/ {print $2, $3}' "/proc/$MOCK_PID/status")" | tee -a "$RESULTS"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS"
cat "$TABLE" >>"$RESULTS"
echo "results: $RESULTS"
