#!/usr/bin/env bash
# Calls of swift_retain, swift_release and malloc per request over a socket, counted by
# uprobes (perf probe) on a release server with one worker: the whole request path,
# libmicrohttpd glue and libmicrohttpd's own mallocs included, which bench-allocations
# (respond(to:) alone) leaves out. Counted, not sampled: within about one call per
# request from run to run, for comparing a change with the commit before it. A retain of
# a small string or an immortal object is a call that writes nothing, so a call is not
# a cost: fewer calls on the same path is what to read. About 30 s after the build.
#
#   Benchmarks/request-calls.sh [REQUESTS [ID...]]   default: 5000 requests, every endpoint
#   of Benchmarks/endpoints.sh (the ones bench.sh measures)
#
# Needs root (uprobes), perf (linux-perf) and curl; builds usagemock as bench.sh does
# (Benchmarks/server-build.sh). The requests are REQUESTS keep-alive requests from one
# curl; the calls of the server's other threads in that time (the log's flusher) are in
# the counts, a few per thousand.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-5000}
shift || true
only=("$@")
command -v perf >/dev/null || { echo "request-calls: needs perf (apt-get install linux-perf)" >&2; exit 1; }
source Benchmarks/endpoints.sh
source Benchmarks/server-build.sh

"${BENCH_BUILD[@]}" --product usagemock 2>&1 | tail -n 1
server=$("${BENCH_BUILD[@]}" --show-bin-path)/usagemock
# The Swift runtime is linked into the binary, where its functions are local symbols
# without debug information: probed by address, and probed afresh for each build.
# malloc is libc's.
libc=$(ldd "$server" | awk '/libc.so.6/ { print $3 }')
perf probe -q -d 'probe_usagemock:*' 2>/dev/null || true
for function in swift_retain swift_release; do
  address=$(nm "$server" | awk -v f="$function" '$3 == f { print "0x" $1 }')
  perf probe -q -x "$server" -a "$function=$address" 2>/dev/null ||
    { echo "request-calls: cannot probe $function at '$address' in $server" >&2; exit 1; }
done
perf probe -q -x "$libc" malloc 2>/dev/null || true
events=probe_usagemock:swift_retain,probe_usagemock:swift_release,probe_libc:malloc

work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
"$server" serve --port "$port" --threads 1 >/dev/null 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"; perf probe -q -d "probe_usagemock:*" 2>/dev/null' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/__admin/health" && break; sleep 0.1; done

printf '%-10s %8s %8s %8s\n' endpoint retain release malloc
mapfile -t selected < <(selected_endpoints "${only[@]}")
for line in "${selected[@]}"; do
  IFS='|' read -r id _ method authorization target body _ <<<"$line"
  # One config line per request: curl sends them on one connection, each with the
  # method, header fields and body given on the command line.
  yes "url = \"http://127.0.0.1:$port$target\"" | head -n "$requests" >"$work/urls" || true
  request=(-s -K "$work/urls" -X "$method" -H "Authorization: $authorization")
  [ -z "$body" ] || request+=(-H 'Content-Type: application/json' --data-raw "$body")
  # Once unmeasured, so every lazily made answer is made, then measured.
  curl "${request[@]}" >/dev/null
  perf stat -x, -e "$events" -p "$pid" -o "$work/$id.stat" &
  stat_pid=$!
  sleep 0.5
  curl "${request[@]}" >/dev/null
  kill -INT "$stat_pid"
  wait "$stat_pid" 2>/dev/null || true
  awk -F, -v id="$id" -v n="$requests" '
    /swift_retain/ { retain = $1 } /swift_release/ { release = $1 } /malloc/ { malloc = $1 }
    END { printf "%-10s %8.1f %8.1f %8.1f\n", id, retain / n, release / n, malloc / n }' "$work/$id.stat"
done
