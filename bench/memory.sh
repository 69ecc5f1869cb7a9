#!/usr/bin/env bash
# Memory benchmark of the release binary on loopback, in three parts (about 4 minutes in all):
#   1. bytes per task with 1M tasks loaded from a generated fixture file (RSS delta / tasks);
#   2. bytes per task with 1M tasks created by StartVirusScanTask over HTTP;
#   3. RSS every 10 s across a 2-minute soak of V3-signed requests at full speed (a fresh nonce
#      each, so the nonce store fills to --nonce-capacity and then must stay bounded).
#
#   bench/memory.sh
#   TASKS=100000 SOAK_SECONDS=30 bench/memory.sh     # a quicker look
set -euo pipefail
cd "$(dirname "$0")/.."

TASKS=${TASKS:-1000000}
SOAK_SECONDS=${SOAK_SECONDS:-120}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18081}
OUT=bench/out
mkdir -p "$OUT"
RESULTS="$OUT/memory-$(date -u +%Y%m%dT%H%M%SZ).txt"

echo "== building (cargo build --release)"
cargo build --release --quiet --bin sas-mock --example loadgen
BIN=target/release/sas-mock
LOADGEN=target/release/examples/loadgen
ADDR="127.0.0.1:$PORT"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (dirty)')"
} | tee "$RESULTS"

field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; } # name line
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }  # kB
per_task() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.0f", (b - a) * 1024 / n }'; }

MOCK_PID=
stop_mock() {
  if [ -n "$MOCK_PID" ]; then
    kill "$MOCK_PID" 2>/dev/null || true
    wait "$MOCK_PID" 2>/dev/null || true
    MOCK_PID=
  fi
}
trap stop_mock EXIT
start_mock() {
  "$BIN" serve --listen "$ADDR" --clock manual --seed 1 "$@" 2>/dev/null &
  MOCK_PID=$!
  for _ in $(seq 1 400); do
    curl -fsS "http://$ADDR/__admin/health" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "the mock did not start" >&2
  exit 1
}

echo "== 1. $TASKS tasks from a fixture file" | tee -a "$RESULTS"
"$LOADGEN" fixture --tasks "$TASKS" --out "$OUT/tasks-many.json"
echo '{"tasks":[]}' >"$OUT/tasks-none.json"
none=$("$LOADGEN" startup --bin "$BIN" --runs 3 --settle-ms 1000 -- --fixtures "$OUT/tasks-none.json")
many=$("$LOADGEN" startup --bin "$BIN" --runs 3 --settle-ms 1000 --timeout-secs 300 -- --fixtures "$OUT/tasks-many.json")
echo "no tasks:  $none" | tee -a "$RESULTS"
echo "$TASKS tasks: $many" | tee -a "$RESULTS"
a=$(field idle_rss_kb_median "$none")
b=$(field idle_rss_kb_median "$many")
echo "fixture tasks: $(per_task "$a" "$b" "$TASKS") bytes per task (RSS $a kB -> $b kB; load ready in $(field ready_ms_median "$many") ms; peak RSS $(field peak_rss_kb_median "$many") kB)" | tee -a "$RESULTS"
rm -f "$OUT/tasks-many.json"

echo "== 2. $TASKS tasks created by StartVirusScanTask" | tee -a "$RESULTS"
start_mock
before=$(rss "$MOCK_PID")
line=$("$LOADGEN" run --addr "$ADDR" --scenario start --connections "$CONNECTIONS" \
  --max-requests "$TASKS" --seconds 600 --warmup 0)
sleep 1
after=$(rss "$MOCK_PID")
echo "$line" >>"$RESULTS"
echo "health: $(curl -fsS "http://$ADDR/__admin/health")" | tee -a "$RESULTS"
echo "created tasks: $(per_task "$before" "$after" "$TASKS") bytes per task (RSS $before kB -> $after kB)" | tee -a "$RESULTS"
stop_mock

echo "== 3. ${SOAK_SECONDS} s soak of V3-signed DescribeScanTaskProgress, $CONNECTIONS connections" | tee -a "$RESULTS"
start_mock
samples="0s:$(rss "$MOCK_PID")"
"$LOADGEN" run --addr "$ADDR" --scenario v3 --connections "$CONNECTIONS" \
  --seconds "$SOAK_SECONDS" --warmup 0 >"$OUT/soak.txt" &
LOAD_PID=$!
for t in $(seq 10 10 "$SOAK_SECONDS"); do
  sleep 10
  samples="$samples ${t}s:$(rss "$MOCK_PID")"
done
wait "$LOAD_PID"
cat "$OUT/soak.txt" | tee -a "$RESULTS"
echo "RSS kB: $samples" | tee -a "$RESULTS"
first=$(awk '{split($2, s, ":"); print s[2]}' <<<"$samples")
last=$(awk '{split($NF, s, ":"); print s[2]}' <<<"$samples")
echo "soak RSS: ${first} kB at 10 s -> ${last} kB at ${SOAK_SECONDS} s ($(awk -v a="$first" -v b="$last" 'BEGIN { printf "%+.1f", 100 * (b - a) / a }')%)" | tee -a "$RESULTS"
echo "results: $RESULTS"
