#!/usr/bin/env bash
# Efficiency of sas-mock against a bare axum server (examples/bare_axum) answering the very same
# request bytes with the same answer bytes: bare axum's server CPU per request divided by
# sas-mock's, both servers loaded at the same time and pinned to the same core, so that the
# machine's drift (20-50% between runs seconds apart) hits both alike. Median of ROUNDS rounds per
# scenario (DescribeScanTaskProgress V3-signed, HMAC-SHA1-signed, unsigned). Then p99 latency of
# each scenario with the mock alone on its core, and time to ready and idle RSS (loadgen startup).
# Loopback only; stops by itself in about 2.5 minutes (build not counted); kills its servers on exit.
#
#   bench/efficiency.sh
#   ROUNDS=5 SECONDS_PER=5 bench/efficiency.sh
#   SAS_MOCK_BIN=/path/to/older/sas-mock bench/efficiency.sh   # measure another build of the mock
#   BASELINE_MOCK=/path/to/sas-mock BASELINE_RUST_LOG=warn bench/efficiency.sh
#       # A/B: a sas-mock (here without its request log) in the baseline's place; a ratio above 1
#       # means this tree's mock costs less per request than that one (the floors do not apply)
#
# Settings (environment): ROUNDS (3), SECONDS_PER (5, measured seconds of each paired run),
# WARMUP (1, seconds of the paired warm-up run before each measured one), CONNECTIONS (32, per
# server), SCENARIOS ("v3 v2 unsigned"), P99_SECONDS (5), STARTUP_RUNS (20), PORT (18180; the
# mock uses PORT, bare axum PORT+1), SERVER_CORE (0), CLIENT_CORE (1), MOCK_LOG (/dev/null: the
# mock's per-request log, at its default INFO level, is part of what is measured),
# SAS_MOCK_BIN (default: the release build of this tree, built first), NICE (0: the niceness of the
# servers and load clients; NICE=-10, as root, makes other work on a busy shared machine take less
# of their cores, and slows that work down). ROUNDS=0, P99_SECONDS=0 or STARTUP_RUNS=0 skips that
# part.
#
# How a round is measured: both servers are started afresh on SERVER_CORE; a paired warm-up run
# of WARMUP seconds (both load clients at once, not counted) fills connection buffers, caches and
# the nonce store; then each server's utime+stime (/proc/PID/stat) is read, two loadgen instances
# are started at once on CLIENT_CORE (one per server, same scenario, same connections, --warmup 0,
# --seconds SECONDS_PER), both are waited for, and the CPU times are read again. loadgen counts
# every request it started before its deadline and waits for each answer, so every counted
# request's server work lies between the two readings, and the only uncounted work inside them is
# 33 connection set-ups and tear-downs and one clock request per server. CPU µs per request =
# (utime+stime difference) / requests; ratio = bare's µs per request / the mock's. The same ratio
# from the threads' nanosecond run times (/proc/PID/task/*/schedstat) is printed alongside as a
# check on the 10 ms resolution of utime+stime.
#
# Also printed for each round, to judge it by: the share of each core that other processes took
# (busy time in /proc/stat minus what the servers or the load clients used; a shared machine makes
# the figures noisier, though both servers see the same), each load client's own CPU per request
# (from `times`), and how much of the window each server's busiest thread (its tokio worker) slept
# for want of requests: near 0% means the server, not its load client, set the pace. (On the
# 2-core machine this was written on: under 10% when nothing else ran; 20-45% when other work
# delayed the load clients, and the ratios then read a few hundredths lower. More connections do
# not help: at 128 the bare server's client falls behind more than the mock's, and the ratios
# read 0.05-0.1 higher.)
set -euo pipefail
if [ -n "${SAS_MOCK_BIN:-}" ]; then
  SAS_MOCK_BIN=$(realpath "$SAS_MOCK_BIN") # before the cd below
fi
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
SECONDS_PER=${SECONDS_PER:-5}
WARMUP=${WARMUP:-1}
CONNECTIONS=${CONNECTIONS:-32}
SCENARIOS=${SCENARIOS:-v3 v2 unsigned}
P99_SECONDS=${P99_SECONDS:-5}
STARTUP_RUNS=${STARTUP_RUNS:-20}
PORT=${PORT:-18180}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
MOCK_LOG=${MOCK_LOG:-/dev/null}
NICE=${NICE:-0}
PRIO=(nice -n "$NICE")
OUT=bench/out
mkdir -p "$OUT"
RESULTS="$OUT/efficiency-$(date -u +%Y%m%dT%H%M%SZ).txt"
TARGET_DIR=${CARGO_TARGET_DIR:-target}

echo "== building (cargo build --release)"
if [ -n "${SAS_MOCK_BIN:-}" ]; then
  cargo build --release --quiet --example bare_axum --example loadgen
  BIN=$SAS_MOCK_BIN
else
  cargo build --release --quiet --bin sas-mock --example bare_axum --example loadgen
  BIN=$TARGET_DIR/release/sas-mock
fi
BARE=$TARGET_DIR/release/examples/bare_axum
if [ -n "${BASELINE_MOCK:-}" ]; then
  BARE=$(realpath "$BASELINE_MOCK")
fi
LOADGEN=$TARGET_DIR/release/examples/loadgen
for exe in "$BIN" "$BARE" "$LOADGEN"; do
  [ -x "$exe" ] || { echo "not an executable: $exe" >&2; exit 1; }
done
HZ=$(getconf CLK_TCK)
MOCK_ADDR="127.0.0.1:$PORT"
BARE_ADDR="127.0.0.1:$((PORT + 1))"
for addr in "$MOCK_ADDR" "$BARE_ADDR"; do
  if (exec 3<>"/dev/tcp/${addr%:*}/${addr#*:}") 2>/dev/null; then
    echo "$addr is in use; set PORT" >&2
    exit 1
  fi
done
# The mock runs with its defaults: no RUST_LOG (INFO) and no SAS_MOCK_* settings from outside.
MOCK_ENV=(env -u RUST_LOG)
while IFS='=' read -r name _; do
  case $name in SAS_MOCK_BIN) ;; SAS_MOCK_*) MOCK_ENV+=(-u "$name") ;; esac
done < <(env)

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (dirty)')"
  echo "sas-mock: $BIN ($(stat -c '%y' "$BIN" | cut -d. -f1), sha256 $(sha256sum "$BIN" | cut -c1-12))"
  if [ -n "${BASELINE_MOCK:-}" ]; then echo "baseline (in bare axum's place): $BARE with RUST_LOG=${BASELINE_RUST_LOG:-(unset)}"; fi
  echo "settings: rounds=$ROUNDS seconds=$SECONDS_PER warmup=$WARMUP connections=$CONNECTIONS servers on core $SERVER_CORE, load clients on core $CLIENT_CORE, niceness $NICE"
} | tee "$RESULTS"

PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_ready() { # addr pid
  for _ in $(seq 1 200); do
    curl -fsS -o /dev/null "http://$1/__admin/health" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "the server for $1 exited" >&2; exit 1; }
    sleep 0.025
  done
  echo "the server for $1 is not ready after 5 s" >&2
  exit 1
}
start_mock() {
  "${PRIO[@]}" taskset -c "$SERVER_CORE" "${MOCK_ENV[@]}" "$BIN" serve --listen "$MOCK_ADDR" --clock manual --seed 1 \
    2>"$MOCK_LOG" >/dev/null &
  MOCK_PID=$!
  PIDS+=("$MOCK_PID")
  wait_ready "$MOCK_ADDR" "$MOCK_PID"
}
start_bare() {
  if [ -n "${BASELINE_MOCK:-}" ]; then
    "${PRIO[@]}" taskset -c "$SERVER_CORE" "${MOCK_ENV[@]}" ${BASELINE_RUST_LOG:+RUST_LOG="$BASELINE_RUST_LOG"} \
      "$BARE" serve --listen "$BARE_ADDR" --clock manual --seed 1 2>/dev/null >/dev/null &
  else
    "${PRIO[@]}" taskset -c "$SERVER_CORE" "$BARE" "$BARE_ADDR" 2>/dev/null >/dev/null &
  fi
  BARE_PID=$!
  PIDS+=("$BARE_PID")
  wait_ready "$BARE_ADDR" "$BARE_PID"
}

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime+stime of all threads, dead ones too
threads() { # pid out-file: "tid run_ns runqueue_ns" of each thread (/proc/PID/task/*/schedstat)
  local t run wait _
  for t in /proc/"$1"/task/*; do
    read -r run wait _ <"$t/schedstat" 2>/dev/null && echo "${t##*/} $run $wait"
  done >"$2"
}
run_ns() { # before after: run time of the threads alive at both readings, ns
  awk 'NR == FNR { r[$1] = $2; next } ($1 in r) { s += $2 - r[$1] } END { printf "%.0f", s }' "$1" "$2"
}
idle_pct() { # before after window-ns: % of the window the busiest thread (the tokio worker) slept,
  # i.e. was neither running nor waiting for the core: time it had no request to work on
  awk -v w="$3" 'NR == FNR { r[$1] = $2; q[$1] = $3; next }
    ($1 in r) && $2 - r[$1] > best { best = $2 - r[$1]; busy = best + $3 - q[$1] }
    END { v = 100 - 100 * busy / w; printf "%.0f", (v > 0 ? v : 0) }' "$1" "$2"
}
core_times() { # "busy total" jiffies of one core (steal counts in the total, not as busy)
  awk -v c="cpu$1" '$1 == c { b = $2 + $3 + $4 + $7 + $8; print b, b + $5 + $6 + $9 }' /proc/stat
}
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; } # name line
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR) print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
loadgen() { # addr scenario seconds out-file [warm-up]: one load client on the client core, in the
  # background (in a subshell whose `times` gives the client's own CPU time, written to out-file.cpu)
  (
    rc=0
    "${PRIO[@]}" taskset -c "$CLIENT_CORE" "$LOADGEN" run --addr "$1" --scenario "$2" --connections "$CONNECTIONS" \
      --seconds "$3" --warmup "${5:-0}" --threads 1 >"$4" 2>"$4.err" || rc=$?
    times >"$4.cpu" # (not in a pipe: a pipe's subshell has no children)
    exit "$rc"
  ) &
}
client_seconds() { # the children's line of `times` (e.g. "0m1.234s 0m0.567s") -> seconds
  tail -1 "$1" | tr 'ms' '  ' | awk '{ printf "%.3f", 60 * ($1 + $3) + $2 + $4 }'
}
pair() { # scenario seconds: both load clients at once; fills MOCK_LINE and BARE_LINE
  local m b
  loadgen "$MOCK_ADDR" "$1" "$2" "$OUT/.eff-mock.txt"
  m=$!
  loadgen "$BARE_ADDR" "$1" "$2" "$OUT/.eff-bare.txt"
  b=$!
  PIDS+=("$m" "$b")
  wait "$m" || { echo "loadgen against the mock failed: $(cat "$OUT/.eff-mock.txt.err")" >&2; exit 1; }
  wait "$b" || { echo "loadgen against bare axum failed: $(cat "$OUT/.eff-bare.txt.err")" >&2; exit 1; }
  PIDS=("${PIDS[@]:0:${#PIDS[@]}-2}")
  MOCK_LINE=$(cat "$OUT/.eff-mock.txt")
  BARE_LINE=$(cat "$OUT/.eff-bare.txt")
  MOCK_CLIENT_S=$(client_seconds "$OUT/.eff-mock.txt.cpu")
  BARE_CLIENT_S=$(client_seconds "$OUT/.eff-bare.txt.cpu")
}
name_of() {
  case $1 in
    v3) echo "V3 (ACS3-HMAC-SHA256)" ;;
    v2) echo "HMAC-SHA1" ;;
    unsigned) echo "unsigned" ;;
    *) echo "$1" ;;
  esac
}

if [ "$ROUNDS" -gt 0 ]; then
  echo "== efficiency: bare axum CPU/request over sas-mock CPU/request, both on core $SERVER_CORE at once, $CONNECTIONS connections each, ${SECONDS_PER} s after a ${WARMUP} s paired warm-up" | tee -a "$RESULTS"
  declare -A RATIOS NS_RATIOS MOCK_US BARE_US
  # The baseline must answer what the mock answers: compare the whole answers (head and body; the
  # date and the request id differ in value only) to one unsigned DescribeScanTaskProgress.
  start_mock
  start_bare
  DESCRIBE="/?Action=DescribeScanTaskProgress&Version=2018-12-03&TaskId=100002"
  mock_bytes=$(curl -fsSi "http://$MOCK_ADDR$DESCRIBE" | wc -c)
  bare_bytes=$(curl -fsSi "http://$BARE_ADDR$DESCRIBE" | wc -c)
  cleanup
  echo "answer bytes (head and body): sas-mock $mock_bytes, bare axum $bare_bytes" | tee -a "$RESULTS"
  if [ "$mock_bytes" != "$bare_bytes" ]; then
    echo "WARNING: the answers differ in size; update examples/bare_axum.rs to the mock's answer" | tee -a "$RESULTS"
  fi
  for round in $(seq 1 "$ROUNDS"); do
    for scenario in $SCENARIOS; do
      start_mock
      start_bare
      pair "$scenario" "$WARMUP"
      m0=$(ticks "$MOCK_PID") b0=$(ticks "$BARE_PID")
      threads "$MOCK_PID" "$OUT/.eff-mock-0.txt"
      threads "$BARE_PID" "$OUT/.eff-bare-0.txt"
      read -r s0 st0 < <(core_times "$SERVER_CORE")
      read -r c0 ct0 < <(core_times "$CLIENT_CORE")
      t0=$(date +%s.%N)
      pair "$scenario" "$SECONDS_PER"
      t1=$(date +%s.%N)
      m1=$(ticks "$MOCK_PID") b1=$(ticks "$BARE_PID")
      threads "$MOCK_PID" "$OUT/.eff-mock-1.txt"
      threads "$BARE_PID" "$OUT/.eff-bare-1.txt"
      read -r s1 st1 < <(core_times "$SERVER_CORE")
      read -r c1 ct1 < <(core_times "$CLIENT_CORE")
      cleanup
      mreq=$(field requests "$MOCK_LINE") breq=$(field requests "$BARE_LINE")
      merr=$(field errors "$MOCK_LINE") berr=$(field errors "$BARE_LINE")
      window_ns=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", 1e9 * (b - a) }')
      midle=$(idle_pct "$OUT/.eff-mock-0.txt" "$OUT/.eff-mock-1.txt" "$window_ns")
      bidle=$(idle_pct "$OUT/.eff-bare-0.txt" "$OUT/.eff-bare-1.txt" "$window_ns")
      line=$(awk -v hz="$HZ" -v mt=$((m1 - m0)) -v bt=$((b1 - b0)) \
        -v mn="$(run_ns "$OUT/.eff-mock-0.txt" "$OUT/.eff-mock-1.txt")" \
        -v bn="$(run_ns "$OUT/.eff-bare-0.txt" "$OUT/.eff-bare-1.txt")" \
        -v mr="$mreq" -v br="$breq" -v w="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
        -v sb=$((s1 - s0)) -v st=$((st1 - st0)) -v cb=$((c1 - c0)) -v ct=$((ct1 - ct0)) \
        -v mi="$midle" -v bi="$bidle" -v mc="$MOCK_CLIENT_S" -v bc="$BARE_CLIENT_S" '
        # The busy share (%) of a core that was not the processes measured here (0 at least).
        function other(busy, total, ours,   share) { share = busy / (total ? total : 1) - ours; return (share > 0 ? 100 * share : 0) }
        BEGIN {
          mus = 1e6 * mt / hz / mr; bus = 1e6 * bt / hz / br
          mns = mn / 1e3 / mr; bns = bn / 1e3 / br
          printf "%.4f %.4f %.2f %.2f | ratio %.3f (schedstat %.3f) | sas-mock %d req %.0f req/s %.2f us/req (%.0f%% of a core) | bare %d req %.0f req/s %.2f us/req (%.0f%% of a core) | other processes: %.0f%% of the server core, %.0f%% of the client core | client us/req: mock'"'"'s %.2f, bare'"'"'s %.2f | worker idle: mock %d%%, bare %d%%",
            bus / mus, bns / mns, mus, bus, bus / mus, bns / mns,
            mr, mr / w, mus, 100 * mt / hz / w, br, br / w, bus, 100 * bt / hz / w,
            other(sb, st, (mt + bt) / hz / w), other(cb, ct, (mc + bc) / w),
            1e6 * mc / mr, 1e6 * bc / br, mi, bi
        }')
      read -r ratio ns_ratio mus bus _ <<<"$line"
      RATIOS[$scenario]+="$ratio "
      NS_RATIOS[$scenario]+="$ns_ratio "
      MOCK_US[$scenario]+="$mus "
      BARE_US[$scenario]+="$bus "
      warn=""
      [ "$merr" = 0 ] && [ "$berr" = 0 ] || warn=" | ERRORS: mock $merr, bare $berr"
      printf 'round %d %-22s %s%s\n' "$round" "$(name_of "$scenario"):" "${line#*| }" "$warn" | tee -a "$RESULTS"
    done
  done

  floor_of() { case $1 in unsigned) echo 0.60 ;; *) echo 0.45 ;; esac; }
  echo "== medians of $ROUNDS rounds (ratio = bare axum us/req / sas-mock us/req; floor V3 and HMAC-SHA1 0.45, unsigned 0.60)" | tee -a "$RESULTS"
  for scenario in $SCENARIOS; do
    r=$(tr ' ' '\n' <<<"${RATIOS[$scenario]}" | grep . | median)
    n=$(tr ' ' '\n' <<<"${NS_RATIOS[$scenario]}" | grep . | median)
    mu=$(tr ' ' '\n' <<<"${MOCK_US[$scenario]}" | grep . | median)
    bu=$(tr ' ' '\n' <<<"${BARE_US[$scenario]}" | grep . | median)
    floor=$(floor_of "$scenario")
    verdict=$(awk -v r="$r" -v f="$floor" 'BEGIN { print (r >= f ? "meets the floor " f : "BELOW the floor " f) }')
    if [ -n "${BASELINE_MOCK:-}" ]; then verdict="A/B against $BASELINE_MOCK: no floor"; fi
    printf 'median %-22s ratio %.3f (rounds: %s; schedstat %.3f) | sas-mock %.2f us/req, bare %.2f us/req | %s\n' \
      "$(name_of "$scenario"):" "$r" "$(xargs printf '%.3f ' <<<"${RATIOS[$scenario]}" | sed 's/ $//')" "$n" "$mu" "$bu" "$verdict" | tee -a "$RESULTS"
  done
fi

if [ "$P99_SECONDS" != 0 ]; then
  echo "== p99: sas-mock alone on core $SERVER_CORE, loadgen on core $CLIENT_CORE, $CONNECTIONS connections, ${P99_SECONDS} s after 1 s warm-up (budget 2 ms with the core to itself)" | tee -a "$RESULTS"
  start_mock
  for scenario in $SCENARIOS; do
    m0=$(ticks "$MOCK_PID")
    read -r s0 st0 < <(core_times "$SERVER_CORE")
    read -r c0 ct0 < <(core_times "$CLIENT_CORE")
    loadgen "$MOCK_ADDR" "$scenario" "$P99_SECONDS" "$OUT/.eff-p99.txt" 1
    l=$!
    PIDS+=("$l")
    wait "$l" || { echo "loadgen failed: $(cat "$OUT/.eff-p99.txt.err")" >&2; exit 1; }
    PIDS=("${PIDS[@]:0:${#PIDS[@]}-1}")
    m1=$(ticks "$MOCK_PID")
    read -r s1 st1 < <(core_times "$SERVER_CORE")
    read -r c1 ct1 < <(core_times "$CLIENT_CORE")
    line=$(cat "$OUT/.eff-p99.txt")
    others=$(awk -v hz="$HZ" -v sb=$((s1 - s0)) -v st=$((st1 - st0)) -v m=$((m1 - m0)) \
      -v cb=$((c1 - c0)) -v ct=$((ct1 - ct0)) -v c="$(client_seconds "$OUT/.eff-p99.txt.cpu")" '
      function other(busy, total, ours,   share) { share = busy / (total ? total : 1) - ours; return (share > 0 ? 100 * share : 0) }
      BEGIN { printf "%.0f%% of the server core, %.0f%% of the client core", other(sb, st, m / (st ? st : 1)), other(cb, ct, c * hz / (ct ? ct : 1)) }')
    printf 'p99 %-22s %s ms (p50 %s ms, %s req/s, errors %s; other processes: %s) | %s\n' \
      "$(name_of "$scenario"):" "$(field p99_ms "$line")" "$(field p50_ms "$line")" "$(field rps "$line")" \
      "$(field errors "$line")" "$others" "$line" | tee -a "$RESULTS"
  done
  echo "mock RSS after the p99 runs: $(awk '/VmRSS/ { print $2, $3 }' "/proc/$MOCK_PID/status")" | tee -a "$RESULTS"
  cleanup
fi

if [ "$STARTUP_RUNS" -gt 0 ]; then
  echo "== startup: $STARTUP_RUNS starts, time to the first 200 on /__admin/health, RSS 300 ms later" | tee -a "$RESULTS"
  line=$("${PRIO[@]}" "$LOADGEN" startup --bin "$BIN" --runs "$STARTUP_RUNS" --settle-ms 300)
  echo "$line" | tee -a "$RESULTS"
  echo "ready: median $(field ready_ms_median "$line") ms, worst $(field ready_ms_max "$line") ms (budget 50 ms); idle RSS: median $(field idle_rss_kb_median "$line") kB, max $(field idle_rss_kb_max "$line") kB (budget 15 MB)" | tee -a "$RESULTS"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS"
rm -f "$OUT"/.eff-*
echo "results: $RESULTS"
