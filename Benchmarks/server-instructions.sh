#!/usr/bin/env bash
# Instructions per request in the worker thread of usagemock and of the bare
# libmicrohttpd server (limit-server.c), counted by valgrind's callgrind over keep-alive
# requests from one curl: the whole request in user space, libmicrohttpd and the glue
# included, which bench-instructions (respond(to:) alone) leaves out. Counted, not
# timed: the same from run to run within a few instructions, where wrk's figures move
# by a tenth. Both servers zero each connection's memory pool between requests with one
# large memset, which callgrind counts byte by byte: it is left out of both columns.
# The kernel's part of a request (most of it) is not counted. A few minutes after the
# build.
#
#   Benchmarks/server-instructions.sh [REQUESTS [ID...]]   default: 1000 requests, every
#   endpoint of Benchmarks/endpoints.sh (the ones bench.sh measures)
#
# Needs valgrind, curl, a C compiler and libmicrohttpd-dev; builds usagemock as bench.sh
# does (Benchmarks/server-build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-1000}
shift || true
only=("$@")
command -v valgrind >/dev/null || { echo "server-instructions: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
source Benchmarks/endpoints.sh
source Benchmarks/server-build.sh

"${BENCH_BUILD[@]}" --product usagemock 2>&1 | tail -n 1
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
# valgrind 3.19 gives up on the Swift toolchain's DWARF; the symbol table is enough.
strip --strip-debug -o "$work/usagemock" "$("${BENCH_BUILD[@]}" --show-bin-path)/usagemock"
cc -O2 -o "$work/limit-server" Benchmarks/limit-server.c $(pkg-config --cflags --libs libmicrohttpd)

wait_for() { for _ in $(seq 600); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return; sleep 0.1; done; exit 1; }

mapfile -t selected < <(selected_endpoints "${only[@]}")

# The limit server answers with usagemock's bytes: captured first, in its format.
port=$((20000 + RANDOM % 20000))
"$work/usagemock" serve --port "$port" --threads 1 >/dev/null 2>&1 &
pids+=($!)
wait_for "$port"
mkdir "$work/captures"
for line in "${selected[@]}"; do
  IFS='|' read -r id _ method authorization target body _ <<<"$line"
  request=(-s -D "$work/head" -o "$work/body" -X "$method" -H "Authorization: $authorization")
  [ -z "$body" ] || request+=(-H 'Content-Type: application/json' --data-raw "$body")
  curl "${request[@]}" "http://127.0.0.1:$port$target"
  status=$(head -n 1 "$work/head" | awk '{ print $2 }')
  write_capture "$method" "$authorization" "$target" "$status" "$work/head" "$work/body" >"$work/captures/$id.resp"
done
kill -TERM "${pids[0]}"
wait "${pids[0]}" 2>/dev/null || true
pids=()

# count NAME PORT CMD...: starts CMD under callgrind (a profile per thread) and prints,
# per selected endpoint, the busiest thread's instructions per request without memset.
count() {
  local name=$1 port=$2 pid line id method authorization target body request file total memset
  shift 2
  valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$work/$name.%p" "$@" >/dev/null 2>"$work/$name.err" &
  pid=$!
  pids+=("$pid")
  wait_for "$port"
  for line in "${selected[@]}"; do
    IFS='|' read -r id _ method authorization target body _ <<<"$line"
    # One config line per request: curl sends them on one connection.
    yes "url = \"http://127.0.0.1:$port$target\"" | head -n "$requests" >"$work/urls" || true
    request=(-s -K "$work/urls" -X "$method" -H "Authorization: $authorization")
    [ -z "$body" ] || request+=(-H 'Content-Type: application/json' --data-raw "$body")
    # Once unmeasured, so every lazily made answer is made, then measured.
    curl "${request[@]}" >/dev/null
    rm -f "$work/$name.$pid".*
    callgrind_control -z "$pid" >/dev/null 2>&1
    curl "${request[@]}" >/dev/null
    callgrind_control -d "$id" "$pid" >/dev/null 2>&1
    sleep 1
    best=0
    for file in "$work/$name.$pid".*; do
      total=$(callgrind_annotate "$file" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
      [[ $total =~ ^[0-9]+$ ]] && [ "$total" -gt "$best" ] || continue
      best=$total
      memset=$(callgrind_annotate --inclusive=yes "$file" 2>/dev/null |
        awk '/memset/ { gsub(",", "", $1); if ($1 > m) m = $1 } END { print m + 0 }')
    done
    echo "$id $(((best - memset) / requests))" >>"$work/$name.counts"
  done
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
}

port=$((20000 + RANDOM % 20000))
count limit "$port" "$work/limit-server" "$port" "$work/captures" 1
port=$((20000 + RANDOM % 20000))
count usagemock "$port" "$work/usagemock" serve --port "$port" --threads 1

printf '%-10s %12s %12s %7s\n' endpoint limit usagemock ratio
join "$work/limit.counts" "$work/usagemock.counts" |
  awk '{ printf "%-10s %12d %12d %7.2f\n", $1, $2, $3, $2 / $3 }'
