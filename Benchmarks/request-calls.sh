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
#
# Needs root (uprobes), perf (linux-perf) and curl; builds with
# `swift build -c release --scratch-path .build-bench`, as bench.sh does. The requests
# are REQUESTS keep-alive requests from one curl; the calls of the server's other
# threads in that time (the log's flusher) are in the counts, a few per thousand.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-5000}
shift || true
ids=("$@")
[ ${#ids[@]} -gt 0 ] || ids=(balance unauth poe100 hb24 syb200)
command -v perf >/dev/null || { echo "request-calls: needs perf (apt-get install linux-perf)" >&2; exit 1; }

# Endpoints: id|method|Authorization|target (GET only: curl's -K loop sends no body).
endpoint() {
  case $1 in
    balance) echo "Bearer sk_test_poe|/usage/current_balance" ;;
    unauth) echo "Bearer sk_wrong_key|/usage/current_balance" ;;
    poe100) echo "Bearer sk_test_poe|/usage/points_history?limit=100" ;;
    hb24) echo "Bearer hb_test_key|/v1/billing/usage-history?limit=24" ;;
    syb200) echo "Bearer sk_ops_test|/api/v1/usage?limit=200&sort=created_at&order=asc" ;;
    *) echo "request-calls: unknown endpoint $1" >&2; exit 1 ;;
  esac
}

swift build -c release --product usagemock --scratch-path .build-bench 2>&1 | tail -n 1
server=$(swift build -c release --scratch-path .build-bench --show-bin-path)/usagemock
swift_core=$(ldd "$server" | awk '/libswiftCore.so/ { print $3 }')
libc=$(ldd "$server" | awk '/libc.so.6/ { print $3 }')
perf probe -q -x "$swift_core" swift_retain 2>/dev/null || true
perf probe -q -x "$swift_core" swift_release 2>/dev/null || true
perf probe -q -x "$libc" malloc 2>/dev/null || true
events=probe_libswiftCore:swift_retain,probe_libswiftCore:swift_release,probe_libc:malloc

work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
"$server" serve --port "$port" --threads 1 >/dev/null 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/__admin/health" && break; sleep 0.1; done

printf '%-10s %8s %8s %8s\n' endpoint retain release malloc
for id in "${ids[@]}"; do
  IFS='|' read -r authorization target <<<"$(endpoint "$id")"
  yes "url = \"http://127.0.0.1:$port$target\"" | head -n "$requests" >"$work/urls" || true
  # Once unmeasured, so every lazily made answer is made, then measured.
  curl -s -K "$work/urls" -H "Authorization: $authorization" >/dev/null
  perf stat -x, -e "$events" -p "$pid" -o "$work/$id.stat" &
  stat_pid=$!
  sleep 0.5
  curl -s -K "$work/urls" -H "Authorization: $authorization" >/dev/null
  kill -INT "$stat_pid"
  wait "$stat_pid" 2>/dev/null || true
  awk -F, -v id="$id" -v n="$requests" '
    /swift_retain/ { retain = $1 } /swift_release/ { release = $1 } /malloc/ { malloc = $1 }
    END { printf "%-10s %8.1f %8.1f %8.1f\n", id, retain / n, release / n, malloc / n }' "$work/$id.stat"
done
