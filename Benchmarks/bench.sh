#!/usr/bin/env bash
# usagemock's benchmark: usagemock against a bare C libmicrohttpd server that answers the
# same bytes from memory (limit-server.c), against itself at a million rows, and against
# mockintosh; start time and memory; the limit server with a fixed amount of added work
# per request, to read the ratios by; and usagemock's own work per request without
# sockets (Benchmarks/InProcess). Prints a table and writes Benchmarks/RESULTS.md.
#
#   Benchmarks/bench.sh    (about 9 minutes once built; 16 from a fresh clone, builds and venv included)
#
# Settings (environment):
#   BENCH_DURATION   seconds per wrk run (default 2)
#   BENCH_REPS       measured runs per server and endpoint, alternating (default 5)
#   BENCH_STARTS     starts for the exec-to-first-answer times (default 10)
#   BENCH_KEEP=1     keep the work directory (captures, wrk outputs) and print its path
#   BENCH_SERVER_LOG=1  keep the servers' stderr (access logs) in the work directory
#                    instead of /dev/null (large: every request is a line)
#   BENCH_THREADS    worker threads of both usagemock and the limit server (default: one
#                    per core, usagemock's default)
#   BENCH_QUICK=1    only the throughput table against the limit server, printed and not
#                    written to RESULTS.md (about a minute and a half): for trying a change
#
# Needs: Swift, libmicrohttpd-dev, cc, curl, python3 (with venv), wrk; the missing
# Debian packages are installed with apt-get. usagemock is built as
# Benchmarks/server-build.sh says: a release build linked as the container image links
# it, in .build-bench. Mockintosh goes into Benchmarks/.venv (pip).
# Every server it starts listens on 127.0.0.1 only and is stopped on exit.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BENCH=$ROOT/Benchmarks
DURATION=${BENCH_DURATION:-2}
REPS=${BENCH_REPS:-5}
STARTS=${BENCH_STARTS:-10}
WRK_ARGS=(-t2 -c50 --latency --timeout 5s)
SECONDS=0

WORK=$(mktemp -d "${TMPDIR:-/tmp}/usagemock-bench.XXXXXX")
PIDS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ "${BENCH_KEEP:-0}" = 1 ]; then
    echo "bench: work directory kept: $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() { printf '\n== %s (%ds)\n' "$*" "$SECONDS"; }
fail() { echo "bench: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------
say "Tools"
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
command -v cc >/dev/null || missing+=(gcc)
pkg-config --exists libmicrohttpd 2>/dev/null || missing+=(libmicrohttpd-dev pkg-config)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]} with apt-get"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

VENV=$BENCH/.venv
MOCKINTOSH_PINS=(mockintosh==0.13.17 tornado==6.1 markupsafe==2.0.1)
if [ ! -x "$VENV/bin/mockintosh" ] || [ "$(cat "$VENV/.pins" 2>/dev/null)" != "${MOCKINTOSH_PINS[*]}" ]; then
  echo "installing ${MOCKINTOSH_PINS[*]} into Benchmarks/.venv"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  timeout 300 "$VENV/bin/pip" install -q --disable-pip-version-check "${MOCKINTOSH_PINS[@]}"
  echo "${MOCKINTOSH_PINS[*]}" >"$VENV/.pins"
fi

say "Build"
source "$BENCH/server-build.sh"
timeout 1200 "${BENCH_BUILD[@]}" --product usagemock 2>&1 | tail -n 3
USAGEMOCK=$("${BENCH_BUILD[@]}" --show-bin-path)/usagemock
[ -x "$USAGEMOCK" ] || fail "no binary at $USAGEMOCK"
if [ "${BENCH_QUICK:-0}" != 1 ]; then
timeout 1200 swift build -c release --package-path "$BENCH/InProcess" --scratch-path "$ROOT/.build-bench-inprocess" 2>&1 | tail -n 1
RESPOND_BENCH=$ROOT/.build-bench-inprocess/release/RespondBench
[ -x "$RESPOND_BENCH" ] || fail "no binary at $RESPOND_BENCH"
fi
THREADS=${BENCH_THREADS:-$(nproc)}
LIMIT=$WORK/limit-server
# shellcheck disable=SC2046
cc -O2 -Wall -o "$LIMIT" "$BENCH/limit-server.c" $(pkg-config --cflags --libs libmicrohttpd)
echo "usagemock: $USAGEMOCK"
echo "limit-server: built from Benchmarks/limit-server.c"

# ---------------------------------------------------------------------------------------
# Helpers

free_port() { python3 "$BENCH/probe.py" free-port; }

forget_pid() {
  local keep=() pid
  for pid in "${PIDS[@]}"; do [ "$pid" = "$1" ] && continue; keep+=("$pid"); done
  PIDS=("${keep[@]}")
}

# server_stderr NAME: where a server's stderr goes.
server_stderr() { if [ "${BENCH_SERVER_LOG:-0}" = 1 ]; then echo "$WORK/$1.err"; else echo /dev/null; fi; }

# start_server NAME PATTERN TIMEOUT CMD...: starts CMD (stdout to $WORK/NAME.out, stderr
# to server_stderr), waits for PATTERN on its stdout; sets STARTED_PID and STARTED_SECONDS
# (exec to the ready line, polled every 5 ms).
start_server() {
  local name=$1 pattern=$2 limit=$3
  shift 3
  local out=$WORK/$name.out
  : >"$out"
  local start=$EPOCHREALTIME
  "$@" >"$out" 2>"$(server_stderr "$name")" &
  STARTED_PID=$!
  SERVER_NAMES[$STARTED_PID]=$name
  PIDS+=("$STARTED_PID")
  while ! grep -q "$pattern" "$out"; do
    if ! kill -0 "$STARTED_PID" 2>/dev/null; then
      fail "$name exited before it was ready; run it by hand to see why: $*"
    fi
    if awk -v s="$start" -v n="$EPOCHREALTIME" -v l="$limit" 'BEGIN { exit !(n - s > l) }'; then
      fail "$name not ready after ${limit}s: $*"
    fi
    sleep 0.005
  done
  STARTED_SECONDS=$(awk -v s="$start" -v n="$EPOCHREALTIME" 'BEGIN { printf "%.3f", n - s }')
}

# check_alive PID...: fails, with the exit status, when a server has gone.
declare -A SERVER_NAMES=()
check_alive() {
  local pid status
  for pid in "$@"; do
    kill -0 "$pid" 2>/dev/null && continue
    status=0
    wait "$pid" 2>/dev/null || status=$?
    forget_pid "$pid"
    fail "${SERVER_NAMES[$pid]:-server $pid} exited by itself (status $status$( [ "$status" -gt 128 ] && echo ", signal $((status - 128))"))"
  done
}

stop_server() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  forget_pid "$1"
}

# rss PID: "VmRSS VmHWM" in MiB
rss() {
  awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } END { printf "%.1f %.1f", r / 1024, h / 1024 }' "/proc/$1/status"
}

# ENDPOINTS: what is measured (shared with request-calls.sh).
source "$BENCH/endpoints.sh"

# fetch PORT METHOD AUTH TARGET BODY PREFIX: curl into PREFIX.head and PREFIX.body;
# prints the status.
fetch() {
  local port=$1 method=$2 auth=$3 target=$4 body=$5 prefix=$6
  local args=(-sS --max-time 20 -D "$prefix.head" -o "$prefix.body" -X "$method" -H "Authorization: $auth")
  if [ -n "$body" ]; then args+=(-H 'Content-Type: application/json' --data-binary "$body"); fi
  curl "${args[@]}" "http://127.0.0.1:$port$target" >/dev/null
  head -n 1 "$prefix.head" | awk '{ print $2 }'
}

# capture ID PORT: writes $WORK/captures/ID.resp in limit-server's format from
# usagemock's answer (status, header fields but Date/Content-Length/Connection, body).
capture() {
  local id=$1 port=$2 line label method auth target body expected status
  line=$(endpoint "$id")
  IFS='|' read -r _ label method auth target body expected <<<"$line"
  status=$(fetch "$port" "$method" "$auth" "$target" "$body" "$WORK/cap-$id")
  [ "$status" = "$expected" ] || fail "$label answered $status, expected $expected: $(head -c 300 "$WORK/cap-$id.body")"
  write_capture "$method" "$auth" "$target" "$status" "$WORK/cap-$id.head" "$WORK/cap-$id.body" >"$WORK/captures/$id.resp"
  wc -c <"$WORK/cap-$id.body" | tr -d ' ' >"$WORK/cap-$id.size"
}

endpoint() {
  local e
  for e in "${ENDPOINTS[@]}" "${EXTRA_ENDPOINTS[@]}"; do
    [ "${e%%|*}" = "$1" ] && { echo "$e"; return; }
  done
  fail "no endpoint $1"
}
EXTRA_ENDPOINTS=()

# wrk_run OUT PORT METHOD AUTH TARGET BODY SECONDS: one wrk run; prints
# "rps p50_ms p99_ms non2xx errors requests" (errors: socket errors of any kind).
wrk_run() {
  local out=$1 port=$2 method=$3 auth=$4 target=$5 body=$6 seconds=$7
  BENCH_METHOD=$method BENCH_AUTH=$auth BENCH_BODY=$body \
    timeout $((seconds + 30)) wrk "${WRK_ARGS[@]}" -d "${seconds}s" -s "$BENCH/request.lua" \
    "http://127.0.0.1:$port$target" >"$out" 2>&1 || fail "wrk failed: $(cat "$out")"
  awk '
    function ms(v) {
      if (v ~ /us$/) return v * 0.001
      if (v ~ /ms$/) return v * 1
      if (v ~ /m$/) return v * 60000
      if (v ~ /s$/) return v * 1000
      return v * 1
    }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ { gsub(/,/, ""); errors = $4 + $6 + $8 + $10 }
    / requests in / { requests = $1 }
    END { printf "%.2f %.4f %.4f %d %d %d\n", rps, p50, p99, non2xx, errors, requests }
  ' "$out"
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "nan"; else printf "%.3f", a / b }'; }
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "nan" && a + 0 >= b + 0) }'; }
at_most() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "nan" && a + 0 <= b + 0) }'; }

# cpu_ticks PID: the process's user + system time so far, all threads, in clock ticks.
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# compare TAG ID_A PORT_A PID_A ID_B PORT_B PID_B: warms both up, then REPS alternating
# runs of A and B (A, B, A, B, ...); writes the medians to $WORK/res-TAG-{a,b} as
# "rps p50 p99 cpu_us_per_request" and sanity-checks every run's statuses.
compare() {
  local tag=$1 id_a=$2 port_a=$3 pid_a=$4 id_b=$5 port_b=$6 pid_b=$7
  local r side id port pid line method auth target body expected result before cpu
  for side in a b; do : >"$WORK/runs-$tag-$side"; done
  check_alive "$pid_a" "$pid_b"
  for r in warmup $(seq 1 "$REPS"); do
    for side in a b; do
      if [ "$side" = a ]; then id=$id_a port=$port_a pid=$pid_a; else id=$id_b port=$port_b pid=$pid_b; fi
      line=$(endpoint "$id")
      IFS='|' read -r _ _ method auth target body expected <<<"$line"
      if [ "$r" = warmup ]; then
        wrk_run "$WORK/wrk-$tag-$side-warmup.txt" "$port" "$method" "$auth" "$target" "$body" 1 >/dev/null
        continue
      fi
      before=$(cpu_ticks "$pid")
      result=$(wrk_run "$WORK/wrk-$tag-$side-$r.txt" "$port" "$method" "$auth" "$target" "$body" "$DURATION")
      check_alive "$pid"
      read -r rps p50 p99 non2xx errors requests <<<"$result"
      cpu=$(awk -v t=$(($(cpu_ticks "$pid") - before)) -v hz="$CLK_TCK" -v n="$requests" 'BEGIN { printf "%.2f", n ? t * 1e6 / hz / n : 0 }')
      if [ "$expected" = 200 ] && [ "$non2xx" != 0 ]; then fail "$tag/$side run $r: $non2xx answers were not 2xx"; fi
      if [ "$expected" != 200 ] && [ "$non2xx" = 0 ]; then fail "$tag/$side run $r: answers were 2xx, expected $expected"; fi
      [ "$errors" = 0 ] || echo "  warning: $tag/$side run $r: $errors socket errors" >&2
      echo "$rps $p50 $p99 $cpu" >>"$WORK/runs-$tag-$side"
      printf '  %-11s %s run %s: %8.0f req/s  p50 %7.3f ms  p99 %7.3f ms  server CPU %6.1f us/request\n' \
        "$tag" "$side" "$r" "$rps" "$p50" "$p99" "$cpu"
    done
  done
  for side in a b; do
    printf '%s %s %s %s\n' \
      "$(awk '{ print $1 }' "$WORK/runs-$tag-$side" | median)" \
      "$(awk '{ print $2 }' "$WORK/runs-$tag-$side" | median)" \
      "$(awk '{ print $3 }' "$WORK/runs-$tag-$side" | median)" \
      "$(awk '{ print $4 }' "$WORK/runs-$tag-$side" | median)" >"$WORK/res-$tag-$side"
  done
}

# ---------------------------------------------------------------------------------------
say "usagemock (default scenario) and the limit server"
PORT_U=$(free_port)
start_server usagemock-default 'usagemock listening on' 60 "$USAGEMOCK" serve --port "$PORT_U" --threads "$THREADS"
PID_U=$STARTED_PID
[ "$(fetch "$PORT_U" GET '' /__admin/health '' "$WORK/health")" = 200 ] || fail "/__admin/health did not answer 200"
sleep 0.5
read -r RSS_IDLE HWM_IDLE <<<"$(rss "$PID_U")"
echo "usagemock ready on port $PORT_U in ${STARTED_SECONDS}s; idle VmRSS ${RSS_IDLE} MiB"

mkdir -p "$WORK/captures"
for e in "${ENDPOINTS[@]}"; do capture "${e%%|*}" "$PORT_U"; done
echo "captured $(ls "$WORK/captures" | wc -l) responses from usagemock"

PORT_L=$(free_port)
start_server limit-server 'limit-server listening on' 10 "$LIMIT" "$PORT_L" "$WORK/captures" "$THREADS"
PID_L=$STARTED_PID
read -r L_RSS_IDLE _ <<<"$(rss "$PID_L")"
for e in "${ENDPOINTS[@]}"; do
  IFS='|' read -r id label method auth target body expected <<<"$e"
  status=$(fetch "$PORT_L" "$method" "$auth" "$target" "$body" "$WORK/lim-$id")
  [ "$status" = "$expected" ] || fail "limit server: $label answered $status, expected $expected"
  cmp -s "$WORK/lim-$id.body" "$WORK/cap-$id.body" || fail "limit server: $label body differs from usagemock's"
done
echo "limit server on port $PORT_L answers every captured request with usagemock's bytes"

say "Throughput: limit server (a) against usagemock (b), ${REPS} alternating runs of ${DURATION}s each"
for e in "${ENDPOINTS[@]}"; do
  id=${e%%|*}
  compare "$id" "$id" "$PORT_L" "$PID_L" "$id" "$PORT_U" "$PID_U"
done
read -r RSS_LOAD HWM_LOAD <<<"$(rss "$PID_U")"
read -r L_RSS_LOAD L_HWM_LOAD <<<"$(rss "$PID_L")"
echo "usagemock after load: VmRSS ${RSS_LOAD} MiB, VmHWM ${HWM_LOAD} MiB"

if [ "${BENCH_QUICK:-0}" = 1 ]; then
  printf '\n%-12s %10s %10s %7s %9s %9s\n' endpoint "limit r/s" "mock r/s" ratio "p99 ratio" "CPU µs"
  for e in "${ENDPOINTS[@]}"; do
    id=${e%%|*}
    read -r l_rps _ l_p99 l_cpu <"$WORK/res-$id-a"
    read -r u_rps _ u_p99 u_cpu <"$WORK/res-$id-b"
    printf '%-12s %10.0f %10.0f %7s %9s %4s/%-4s\n' "$id" "$l_rps" "$u_rps" "$(ratio "$u_rps" "$l_rps")" "$(ratio "$u_p99" "$l_p99")" "$l_cpu" "$u_cpu"
  done
  exit 0
fi

# What a server's own work per request costs here: the limit server again, spinning
# WORK_NS in user space before each answer, against itself without. It reads the
# throughput ratios above: usagemock/limit on the balance is what the limit keeps with
# about that much work of its own.
CALIBRATION_NS=(1000 3000)
say "Calibration: the limit server (a) against itself with added work per request (b), balance"
for ns in "${CALIBRATION_NS[@]}"; do
  PORT_C=$(free_port)
  start_server "limit-work-$ns" 'limit-server listening on' 10 "$LIMIT" "$PORT_C" "$WORK/captures" "$THREADS" "$ns"
  PID_C=$STARTED_PID
  compare "work-$ns" balance "$PORT_L" "$PID_L" balance "$PORT_C" "$PID_C"
  stop_server "$PID_C"
done
stop_server "$PID_L"

# The same comparison with other worker counts for both servers: how the ratio holds
# as threads are added. On two cores, four workers share them with wrk's two threads.
SCALING_THREADS=(${BENCH_SCALING_THREADS:-1 4})
SCALING_ENDPOINTS=(balance unauth poe100)
for threads in "${SCALING_THREADS[@]}"; do
  say "Threads: limit server (a) against usagemock (b), both with $threads worker(s)"
  PORT_TU=$(free_port)
  start_server "usagemock-threads-$threads" 'usagemock listening on' 60 "$USAGEMOCK" serve --port "$PORT_TU" --threads "$threads"
  PID_TU=$STARTED_PID
  PORT_TL=$(free_port)
  start_server "limit-threads-$threads" 'limit-server listening on' 10 "$LIMIT" "$PORT_TL" "$WORK/captures" "$threads"
  PID_TL=$STARTED_PID
  for id in "${SCALING_ENDPOINTS[@]}"; do
    compare "threads-$threads-$id" "$id" "$PORT_TL" "$PID_TL" "$id" "$PORT_TU" "$PID_TU"
  done
  stop_server "$PID_TU"
  stop_server "$PID_TL"
done

say "Exec to first answered request (${STARTS} starts each)"
PORT_S=$(free_port)
python3 "$BENCH/probe.py" startup --port "$PORT_S" --runs "$STARTS" -- \
  "$USAGEMOCK" serve --port "$PORT_S" >"$WORK/start-usagemock.json"
cat "$WORK/start-usagemock.json"
PORT_S=$(free_port)
python3 "$BENCH/probe.py" startup --port "$PORT_S" --runs "$STARTS" --path /usage/current_balance \
  --header 'Authorization: Bearer sk_test_poe' -- "$LIMIT" "$PORT_S" "$WORK/captures" >"$WORK/start-limit.json"
cat "$WORK/start-limit.json"
json() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
START_BEST=$(json "$WORK/start-usagemock.json" best_ms)
START_MEDIAN=$(json "$WORK/start-usagemock.json" median_ms)
START_SIGKILLED=$(python3 -c 'import json, sys; print(sum(1 for c in json.load(open(sys.argv[1]))["exit_codes"] if c != 0))' "$WORK/start-usagemock.json")
LIMIT_START_BEST=$(json "$WORK/start-limit.json" best_ms)
LIMIT_START_MEDIAN=$(json "$WORK/start-limit.json" median_ms)

# ---------------------------------------------------------------------------------------
say "Mockintosh"
PORT_M=$(free_port)
sed "s/^\(    port:\) 8001$/\1 $PORT_M/" "$BENCH/mockintosh.yaml" >"$WORK/mockintosh.yaml"
grep -q "port: $PORT_M" "$WORK/mockintosh.yaml" || fail "could not set the port in mockintosh.yaml"
MOCKINTOSH=("$VENV/bin/mockintosh" -q -b 127.0.0.1 "$WORK/mockintosh.yaml")
python3 "$BENCH/probe.py" startup --port "$PORT_M" --runs 3 --path /usage/current_balance \
  --header 'Authorization: Bearer sk_test_poe' -- "${MOCKINTOSH[@]}" >"$WORK/start-mockintosh.json"
cat "$WORK/start-mockintosh.json"
M_START_BEST=$(json "$WORK/start-mockintosh.json" best_ms)
M_START_MEDIAN=$(json "$WORK/start-mockintosh.json" median_ms)
# It prints nothing on stdout when ready: wait for it to answer.
"${MOCKINTOSH[@]}" >/dev/null 2>"$(server_stderr mockintosh)" &
PID_M=$!
PIDS+=("$PID_M")
SERVER_NAMES[$PID_M]=mockintosh
for _ in $(seq 1 300); do
  status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -H 'Authorization: Bearer sk_test_poe' \
    "http://127.0.0.1:$PORT_M/usage/current_balance" || true)
  [ "$status" = 200 ] && break
  kill -0 "$PID_M" 2>/dev/null || fail "mockintosh exited; run it by hand: ${MOCKINTOSH[*]}"
  sleep 0.1
done
[ "$status" = 200 ] || fail "mockintosh did not answer 200 in 30 s"
fetch "$PORT_M" GET 'Bearer sk_test_poe' /usage/current_balance '' "$WORK/mock-balance" >/dev/null
cmp -s "$WORK/mock-balance.body" "$WORK/cap-balance.body" || fail "mockintosh's balance body differs from usagemock's"
read -r M_RSS_IDLE _ <<<"$(rss "$PID_M")"
compare mockintosh balance "$PORT_M" "$PID_M" balance "$PORT_U" "$PID_U"
read -r M_RSS_LOAD M_HWM_LOAD <<<"$(rss "$PID_M")"
echo "mockintosh: idle VmRSS ${M_RSS_IDLE} MiB, after load ${M_RSS_LOAD} MiB (VmHWM ${M_HWM_LOAD})"
stop_server "$PID_M"

# ---------------------------------------------------------------------------------------
say "Scenarios/large.json"
PORT_G=$(free_port)
start_server usagemock-large 'usagemock listening on' 180 "$USAGEMOCK" serve --port "$PORT_G" --scenario Scenarios/large.json
PID_G=$STARTED_PID
LARGE_LOAD=$STARTED_SECONDS
read -r G_RSS G_HWM <<<"$(rss "$PID_G")"
echo "large.json ready in ${LARGE_LOAD}s; VmRSS ${G_RSS} MiB, VmHWM ${G_HWM} MiB"

# The same page size, 100 rows, after a cursor (Poe) or at a page number (Sybilion):
# deep in a million rows against the default scenario's.
DEEP_ROWS=990000
check_alive "$PID_U" "$PID_G"
CURSOR_DEFAULT=$(python3 "$BENCH/probe.py" poe-cursor --port "$PORT_U" --key sk_test_poe --skip 100)
CURSOR_LARGE=$(python3 "$BENCH/probe.py" poe-cursor --port "$PORT_G" --key sk_large_poe --skip "$DEEP_ROWS")
EXTRA_ENDPOINTS=(
  "poe-shallow|Poe 100 rows after row 100 (default)|GET|Bearer sk_test_poe|/usage/points_history?limit=100&starting_after=$CURSOR_DEFAULT||200"
  "poe-deep|Poe 100 rows after row $DEEP_ROWS (large)|GET|Bearer sk_large_poe|/usage/points_history?limit=100&starting_after=$CURSOR_LARGE||200"
  "syb-shallow|Sybilion page=1 limit=100 sort=units (default)|GET|Bearer sk_ops_test|/api/v1/usage?page=1&limit=100&sort=units||200"
  "syb-deep|Sybilion page=9000 limit=100 sort=units (large)|GET|Bearer sk_ops_large|/api/v1/usage?page=9000&limit=100&sort=units||200"
)
for id in poe-shallow syb-shallow; do capture "$id" "$PORT_U"; done
for id in poe-deep syb-deep; do capture "$id" "$PORT_G"; done
for id in poe-shallow poe-deep syb-shallow syb-deep; do
  rows=$(grep -o -E '"(query_id|id)":' "$WORK/cap-$id.body" | wc -l)
  [ "$rows" = 100 ] || fail "$id: expected 100 rows, got $rows"
done
echo "deep cursor: row $DEEP_ROWS is query_id $CURSOR_LARGE; every page has 100 rows"
compare deep-poe poe-shallow "$PORT_U" "$PID_U" poe-deep "$PORT_G" "$PID_G"
compare deep-syb syb-shallow "$PORT_U" "$PID_U" syb-deep "$PORT_G" "$PID_G"
read -r G_RSS_AFTER G_HWM_AFTER <<<"$(rss "$PID_G")"
stop_server "$PID_G"
stop_server "$PID_U"

# ---------------------------------------------------------------------------------------
say "usagemock's own work per request, in-process (MockApplication.respond(to:))"
# The same requests, no sockets and no other process: what usagemock itself spends of
# the CPU time per request measured above. The access log's lines go to /dev/null.
# Then two threads at once, as two workers: what sharing the scenario's objects costs each.
"$RESPOND_BENCH" >"$WORK/inprocess.txt" 2>/dev/null
"$RESPOND_BENCH" --threads 2 >"$WORK/inprocess-2.txt" 2>/dev/null
paste -d' ' "$WORK/inprocess.txt" <(awk '{ print "| two threads at once:", $2 }' "$WORK/inprocess-2.txt")
for e in "${ENDPOINTS[@]}"; do
  IFS='|' read -r id label _ _ _ _ expected <<<"$e"
  for file in inprocess inprocess-2; do
    status=$(awk -v id="$id" '$1 == id { print $3 }' "$WORK/$file.txt")
    [ "$status" = "$expected" ] || fail "in-process ($file) $label answered ${status:-nothing}, expected $expected"
  done
done

# ---------------------------------------------------------------------------------------
say "Results"
res() { awk -v f="$2" '{ print $f }' "$WORK/res-$1"; }   # res TAG-SIDE FIELD(1 rps, 2 p50, 3 p99, 4 cpu)
fmt_us() { awk -v v="$1" 'BEGIN { printf "%.1f", v }'; }
fmt_rps() { awk -v v="$1" 'BEGIN { printf "%.0f", v }'; }
fmt_ms() { awk -v v="$1" 'BEGIN { printf "%.3f", v }'; }
mark() { if "$@"; then echo met; else echo "**not met**"; fi; }

TABLE=$WORK/table.md
{
  echo "| endpoint | body bytes | limit req/s | usagemock req/s | ratio | limit p50 ms | usagemock p50 ms | limit p99 ms | usagemock p99 ms | p99 ratio | limit CPU µs/req | usagemock CPU µs/req |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for e in "${ENDPOINTS[@]}"; do
    IFS='|' read -r id label _ <<<"$e"
    r=$(ratio "$(res "$id-b" 1)" "$(res "$id-a" 1)")
    p=$(ratio "$(res "$id-b" 3)" "$(res "$id-a" 3)")
    echo "$id $r $p" >>"$WORK/ratios"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$(cat "$WORK/cap-$id.size")" \
      "$(fmt_rps "$(res "$id-a" 1)")" "$(fmt_rps "$(res "$id-b" 1)")" "$r" \
      "$(fmt_ms "$(res "$id-a" 2)")" "$(fmt_ms "$(res "$id-b" 2)")" \
      "$(fmt_ms "$(res "$id-a" 3)")" "$(fmt_ms "$(res "$id-b" 3)")" "$p" \
      "$(fmt_us "$(res "$id-a" 4)")" "$(fmt_us "$(res "$id-b" 4)")"
  done
  echo
  echo "| calibration (Poe balance bytes) | limit req/s | limit + work req/s | ratio | limit CPU µs/req | limit + work CPU µs/req |"
  echo "|---|---:|---:|---:|---:|---:|"
  for ns in "${CALIBRATION_NS[@]}"; do
    printf '| limit-server spinning %s µs per request | %s | %s | %s | %s | %s |\n' "$(awk -v n="$ns" 'BEGIN { print n / 1000 }')" \
      "$(fmt_rps "$(res "work-$ns-a" 1)")" "$(fmt_rps "$(res "work-$ns-b" 1)")" "$(ratio "$(res "work-$ns-b" 1)" "$(res "work-$ns-a" 1)")" \
      "$(fmt_us "$(res "work-$ns-a" 4)")" "$(fmt_us "$(res "work-$ns-b" 4)")"
  done
  echo
  echo "| endpoint | usagemock CPU µs/req over sockets (above) | of which MockApplication.respond(to:), in-process µs | share | in-process µs, two threads at once |"
  echo "|---|---:|---:|---:|---:|"
  for e in "${ENDPOINTS[@]}"; do
    IFS='|' read -r id label _ <<<"$e"
    ns=$(awk -v id="$id" '$1 == id { print $2 }' "$WORK/inprocess.txt")
    ns2=$(awk -v id="$id" '$1 == id { print $2 }' "$WORK/inprocess-2.txt")
    printf '| %s | %s | %s | %s | %s |\n' "$label" "$(fmt_us "$(res "$id-b" 4)")" "$(awk -v n="$ns" 'BEGIN { printf "%.2f", n / 1000 }')" \
      "$(awk -v n="$ns" -v c="$(res "$id-b" 4)" 'BEGIN { if (c + 0 == 0) print "nan"; else printf "%.0f %%", n / 10 / c }')" \
      "$(awk -v n="$ns2" 'BEGIN { printf "%.2f", n / 1000 }')"
  done
  echo
  echo "| worker threads (both servers) | endpoint | limit req/s | usagemock req/s | ratio | p99 ratio | limit CPU µs/req | usagemock CPU µs/req |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|"
  for threads in "${SCALING_THREADS[@]}" "$THREADS (above)"; do
    for id in "${SCALING_ENDPOINTS[@]}"; do
      tag="threads-${threads%% *}-$id"
      [ "$threads" = "$THREADS (above)" ] && tag=$id
      printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$threads" "$(endpoint "$id" | cut -d'|' -f2)" \
        "$(fmt_rps "$(res "$tag-a" 1)")" "$(fmt_rps "$(res "$tag-b" 1)")" "$(ratio "$(res "$tag-b" 1)" "$(res "$tag-a" 1)")" \
        "$(ratio "$(res "$tag-b" 3)" "$(res "$tag-a" 3)")" "$(fmt_us "$(res "$tag-a" 4)")" "$(fmt_us "$(res "$tag-b" 4)")"
    done
  done
  echo
  echo "| depth (usagemock against itself) | body bytes | default req/s | large req/s | ratio | default p50 ms | large p50 ms | default p99 ms | large p99 ms | p99 ratio | default CPU µs/req | large CPU µs/req |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for pair in "deep-poe|poe-shallow|poe-deep|Poe points_history limit=100, after row 100 / after row $DEEP_ROWS" \
              "deep-syb|syb-shallow|syb-deep|Sybilion limit=100 sort=units, page 1 / page 9000"; do
    IFS='|' read -r tag sa sb label <<<"$pair"
    printf '| %s | %s / %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" \
      "$(cat "$WORK/cap-$sa.size")" "$(cat "$WORK/cap-$sb.size")" \
      "$(fmt_rps "$(res "$tag-a" 1)")" "$(fmt_rps "$(res "$tag-b" 1)")" "$(ratio "$(res "$tag-b" 1)" "$(res "$tag-a" 1)")" \
      "$(fmt_ms "$(res "$tag-a" 2)")" "$(fmt_ms "$(res "$tag-b" 2)")" \
      "$(fmt_ms "$(res "$tag-a" 3)")" "$(fmt_ms "$(res "$tag-b" 3)")" "$(ratio "$(res "$tag-b" 3)" "$(res "$tag-a" 3)")" \
      "$(fmt_us "$(res "$tag-a" 4)")" "$(fmt_us "$(res "$tag-b" 4)")"
  done
  echo
  echo "| peer (Poe balance, same body) | mockintosh req/s | usagemock req/s | usagemock / mockintosh | mockintosh p50 ms | usagemock p50 ms | mockintosh p99 ms | usagemock p99 ms | mockintosh CPU µs/req | usagemock CPU µs/req |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '| mockintosh 0.13.17 | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
    "$(fmt_rps "$(res mockintosh-a 1)")" "$(fmt_rps "$(res mockintosh-b 1)")" "$(ratio "$(res mockintosh-b 1)" "$(res mockintosh-a 1)")" \
    "$(fmt_ms "$(res mockintosh-a 2)")" "$(fmt_ms "$(res mockintosh-b 2)")" "$(fmt_ms "$(res mockintosh-a 3)")" "$(fmt_ms "$(res mockintosh-b 3)")" \
    "$(fmt_us "$(res mockintosh-a 4)")" "$(fmt_us "$(res mockintosh-b 4)")"
  echo
  echo "| start and memory | usagemock | limit server | mockintosh |"
  echo "|---|---:|---:|---:|"
  echo "| exec to first answered request, best of $STARTS (3 for mockintosh) | ${START_BEST} ms | ${LIMIT_START_BEST} ms | ${M_START_BEST} ms |"
  echo "| exec to first answered request, median | ${START_MEDIAN} ms | ${LIMIT_START_MEDIAN} ms | ${M_START_MEDIAN} ms |"
  echo "| VmRSS idle | ${RSS_IDLE} MiB | ${L_RSS_IDLE} MiB | ${M_RSS_IDLE} MiB |"
  echo "| VmRSS / VmHWM after the load above | ${RSS_LOAD} / ${HWM_LOAD} MiB | ${L_RSS_LOAD} / ${L_HWM_LOAD} MiB | ${M_RSS_LOAD} / ${M_HWM_LOAD} MiB |"
  echo "| large.json: exec to ready line | ${LARGE_LOAD} s | | |"
  echo "| large.json: VmRSS / VmHWM when ready | ${G_RSS} / ${G_HWM} MiB | | |"
  echo "| large.json: VmRSS / VmHWM after the deep pages | ${G_RSS_AFTER} / ${G_HWM_AFTER} MiB | | |"
} >"$TABLE"

r_of() { awk -v id="$1" -v f="$2" '$1 == id { print $f }' "$WORK/ratios"; }
TARGETS=$WORK/targets.md
{
  echo "| target | measured | |"
  echo "|---|---|---|"
  for id in balance unauth; do
    echo "| usagemock/limit ≥ 0.90 req/s: $(endpoint "$id" | cut -d'|' -f2) | $(r_of "$id" 2) | $(mark at_least "$(r_of "$id" 2)" 0.90) |"
  done
  for id in poe100 hb24 klaim100 syb200; do
    echo "| usagemock/limit ≥ 0.80 req/s: $(endpoint "$id" | cut -d'|' -f2) | $(r_of "$id" 2) | $(mark at_least "$(r_of "$id" 2)" 0.80) |"
  done
  for e in "${ENDPOINTS[@]}"; do
    id=${e%%|*}
    echo "| p99 ≤ 1.5 × the limit's: $(endpoint "$id" | cut -d'|' -f2) | $(r_of "$id" 3) × | $(mark at_most "$(r_of "$id" 3)" 1.5) |"
  done
  echo "| exec to first answer ≤ 50 ms (median of $STARTS; best ${START_BEST} ms) | ${START_MEDIAN} ms | $(mark at_most "$START_MEDIAN" 50) |"
  echo "| idle VmRSS ≤ 30 MB (MiB) | ${RSS_IDLE} MiB | $(mark at_most "$RSS_IDLE" 30) |"
  echo "| large.json loads in ≤ 3 s | ${LARGE_LOAD} s | $(mark at_most "$LARGE_LOAD" 3) |"
  echo "| large.json VmRSS ≤ 400 MB (MiB) when ready | ${G_RSS} MiB | $(mark at_most "$G_RSS" 400) |"
  for tag in deep-poe deep-syb; do
    rr=$(ratio "$(res "$tag-b" 1)" "$(res "$tag-a" 1)")
    echo "| deep page in a million rows ≥ 0.90 × the same page size on default: ${tag#deep-} | $rr | $(mark at_least "$rr" 0.90) |"
  done
  rm_=$(ratio "$(res mockintosh-b 1)" "$(res mockintosh-a 1)")
  echo "| ≥ 50 × mockintosh's req/s on the balance | ${rm_} × | $(mark at_least "$rm_" 50) |"
} >"$TARGETS"

# ---------------------------------------------------------------------------------------
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$COMMIT" != unknown ] && [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  COMMIT="$COMMIT (with uncommitted changes)"
fi
RESULTS=$BENCH/RESULTS.md
{
  echo "# usagemock benchmark results"
  echo
  echo "Written by \`Benchmarks/bench.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') in $SECONDS s."
  echo
  echo "- machine: $(nproc) cores ($CPU), $MEM, Linux $(uname -r)"
  echo "- usagemock $("$USAGEMOCK" --version 2>/dev/null || true) at commit $COMMIT, release build linked as the container links it (\`--static-swift-stdlib\`, Benchmarks/server-build.sh); $(swift --version 2>/dev/null | head -n 1)"
  echo "- libmicrohttpd $(pkg-config --modversion libmicrohttpd); $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"
  echo "- wrk ${WRK_ARGS[*]}, ${DURATION} s per run; per row a 1 s warm-up of each side, then $REPS runs of each, alternating;"
  echo "  medians of the runs. Client, servers and this script share the same $(nproc) cores, so the ratios"
  echo "  (measured side by side) mean more than the absolute figures. \"CPU µs/req\": the server process's"
  echo "  user + system time (/proc/PID/stat, all threads) during a run over the requests wrk counted."
  echo "- limit: \`Benchmarks/limit-server.c\`, libmicrohttpd with usagemock's flags and options, answering"
  echo "  the bytes captured from usagemock (status, header fields, body) from memory, each as one libmicrohttpd"
  echo "  response built at start and queued for every request (as cheap as libmicrohttpd answers), with the"
  echo "  same number of worker threads ($THREADS unless a row says otherwise); HookBridge's"
  echo "  request id and Sybilion's trace id, new in every usagemock response, are one captured instance"
  echo "  there (same length). usagemock runs with its defaults; its access log goes to /dev/null."
  echo "- in-process: \`Benchmarks/InProcess\` calls MockApplication.respond(to:) with the same requests,"
  echo "  server defaults (journal, CORS, access log to /dev/null), on one thread; the best of 7 rounds of"
  echo "  40,000 calls. No kernel, no libmicrohttpd, no wrk: steady from run to run. Then on two threads at"
  echo "  once, each as a worker of its own (a round takes as long as its slower thread): against one"
  echo "  thread, what the two workers' sharing of the scenario's objects costs each of them."
  echo "- calibration: the limit server spinning a fixed time in user space before each answer"
  echo "  (\`limit-server PORT DIR THREADS WORK_NS\`), against itself without: what that much of a"
  echo "  server's own work per request costs in req/s here, to read the usagemock/limit ratios by."
  echo "- exec to first answer: \`Benchmarks/probe.py startup\` execs the server and connects in a tight loop"
  echo "  until a GET (/__admin/health for usagemock) is answered 200. Of the $STARTS usagemock processes"
  echo "  sent SIGTERM right after that answer, $START_SIGKILLED died of the signal instead of exiting 0."
  echo
  echo "## Results"
  echo
  cat "$TABLE"
  echo
  echo "## Targets"
  echo
  cat "$TARGETS"
} >"$RESULTS"

echo
cat "$TABLE"
echo
cat "$TARGETS"
echo
echo "bench: wrote Benchmarks/RESULTS.md in ${SECONDS}s"
