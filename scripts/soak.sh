#!/usr/bin/env bash
# Soak test: the release build under full load for a minute, across all four providers.
#
#   scripts/soak.sh                      (about 1.5 minutes after the build)
#   SOAK_SECONDS=600 scripts/soak.sh     (a longer local soak)
#
# Builds the release binary, serves the embedded default scenario on a free port and
# runs wrk against it: a warm-up, then the soak proper, each rotating through every
# endpoint (Poe balance and both history pages, HookBridge, the Klaim POST with and
# without a cursor, Sybilion, the health route). It passes when wrk saw no non-2xx
# answer and no socket error (connect, read, write, timeout), the server is still
# healthy, and its resident memory (VmRSS) grew by less than 10 % from the end of the
# warm-up to the end of the soak. Prints its figures and ends with PASS or FAIL.
#
# Settings: SOAK_SECONDS (60), SOAK_WARMUP_SECONDS (10), SOAK_CONNECTIONS (64),
# SOAK_WRK_THREADS (2), SOAK_MAX_RSS_GROWTH_PERCENT (10). The access log (one line per
# request, on stderr) stays on, as in real use; its last 200 KB are kept and shown if
# the server fails.
set -euo pipefail

seconds="${SOAK_SECONDS:-60}"
warmup="${SOAK_WARMUP_SECONDS:-10}"
connections="${SOAK_CONNECTIONS:-64}"
wrk_threads="${SOAK_WRK_THREADS:-2}"
max_growth="${SOAK_MAX_RSS_GROWTH_PERCENT:-10}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SWIFT="${SWIFT:-swift}"
cd "$root"

work="$(mktemp -d "${TMPDIR:-/tmp}/usagemock-soak.XXXXXX")"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "soak: $*" >&2; echo "FAIL"; exit 1; }

scripts/install-deps.sh
if ! command -v wrk >/dev/null; then
    echo "soak: installing wrk with apt-get" >&2
    as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq wrk >/dev/null
fi

echo "== building the release binary"
"$SWIFT" build -c release --product usagemock
bin="$("$SWIFT" build -c release --show-bin-path)/usagemock"

echo "== starting usagemock (embedded default scenario)"
"$bin" serve --host 127.0.0.1 --port 0 >"$work/stdout" 2> >(tail -c 200000 >"$work/stderr") &
server_pid=$!
port=""
for _ in $(seq 300); do
    port="$(sed -n 's|^usagemock listening on http://127\.0\.0\.1:\([0-9]*\) .*|\1|p' "$work/stdout")"
    [[ -n "$port" ]] && break
    kill -0 "$server_pid" 2>/dev/null || fail "the server exited at start: $(cat "$work/stderr")"
    sleep 0.1
done
[[ -n "$port" ]] || fail "the server did not report its port within 30 s"
base="http://127.0.0.1:$port"
echo "   pid $server_pid, $base"

# Cursors for the paginated requests, from the server itself (the data is deterministic).
fetch() { curl -fsS --max-time 5 "$@"; }
poe_cursor="$(fetch -H "Authorization: Bearer sk_test_poe" "$base/usage/points_history?limit=40" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][-1]["query_id"])')" || fail "no Poe cursor"
klaim_cursor="$(fetch -X POST -H "Authorization: Bearer klaim_test_key" -H "Content-Type: application/json" \
    -d '{"limit":30}' "$base/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage" \
    | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["lastKey"], separators=(",",":")))')" || fail "no Klaim cursor"
[[ -n "$poe_cursor" && -n "$klaim_cursor" ]] || fail "could not read the pagination cursors"

cat >"$work/rotate.lua" <<LUA
-- One request after the other from this list, per wrk thread.
local requests = {}
local index = 0

local function add(method, path, key, body)
  local headers = { ["Authorization"] = "Bearer " .. key }
  if body then headers["Content-Type"] = "application/json" end
  table.insert(requests, wrk.format(method, path, headers, body))
end

function init(args)
  add("GET", "/usage/current_balance", "sk_test_poe")
  add("GET", "/usage/points_history?limit=100", "sk_test_poe")
  add("GET", "/usage/points_history?limit=20&starting_after=$poe_cursor", "sk_test_poe")
  add("GET", "/v1/billing/usage-history?limit=24&offset=3", "hb_test_key")
  add("POST", "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage", "klaim_test_key", '{"limit":50}')
  add("POST", "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage", "klaim_test_key", '{"limit":20,"starting_after":$klaim_cursor}')
  add("POST", "/users/user_empty/credits/usage", "klaim_test_key", "")
  add("GET", "/api/v1/usage?page=2&limit=50&sort=created_at&order=asc", "sk_ops_test")
  add("GET", "/api/v1/usage?limit=200&sort=eur_cents_charged", "sk_ops_test")
  table.insert(requests, wrk.format("GET", "/__admin/health"))
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("SOAK requests=%d seconds=%.1f status_errors=%d connect=%d read=%d write=%d timeout=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, summary.duration / 1e6, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
LUA

rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$server_pid/status"; }
run_wrk() { # seconds, output file
    timeout --kill-after=10 "$(($1 + 60))" wrk -t"$wrk_threads" -c"$connections" -d"${1}s" --timeout 2s \
        --latency -s "$work/rotate.lua" "$base" >"$2" 2>&1 || fail "wrk failed: $(cat "$2")"
}

echo "== warm-up: ${warmup}s, $connections connections"
run_wrk "$warmup" "$work/warmup.txt"
kill -0 "$server_pid" 2>/dev/null || fail "the server died during the warm-up: $(tail -c 3000 "$work/stderr")"
rss_before="$(rss_kb)"

echo "== soak: ${seconds}s, $connections connections, $wrk_threads wrk threads"
run_wrk "$seconds" "$work/soak.txt"
kill -0 "$server_pid" 2>/dev/null || fail "the server died during the soak: $(tail -c 3000 "$work/stderr")"
rss_after="$(rss_kb)"
hwm="$(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$server_pid/status")"
threads="$(sed -n 's/^Threads:[[:space:]]*//p' "/proc/$server_pid/status")"
health="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$base/__admin/health" || true)"

cat "$work/soak.txt"
line="$(grep '^SOAK ' "$work/soak.txt" || true)"
[[ -n "$line" ]] || fail "no summary from wrk"
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<" $line"; }
requests="$(field requests)"
status_errors="$(field status_errors)"
socket_errors=$(( $(field connect) + $(field read) + $(field write) + $(field timeout) ))
non2xx="$(sed -n 's/.*Non-2xx or 3xx responses:[[:space:]]*\([0-9]*\).*/\1/p' "$work/soak.txt")"
non2xx="${non2xx:-0}"
growth="$(awk -v a="$rss_before" -v b="$rss_after" 'BEGIN { printf "%.1f", (b - a) * 100 / a }')"
rate="$(awk -v n="$requests" -v s="$(field seconds)" 'BEGIN { printf "%.0f", n / s }')"

echo "== soak figures"
echo "   requests:            $requests in $(field seconds) s ($rate/s); latency p50 $(field p50_ms) ms, p99 $(field p99_ms) ms, max $(field max_ms) ms"
echo "   non-2xx answers:     $non2xx (wrk status errors: $status_errors)"
echo "   socket errors:       $socket_errors (connect $(field connect), read $(field read), write $(field write), timeout $(field timeout))"
echo "   VmRSS after warm-up: $rss_before kB"
echo "   VmRSS after soak:    $rss_after kB (growth $growth %, limit $max_growth %); VmHWM $hwm; $threads threads"
echo "   health afterwards:   $health"

verdict=PASS
[[ "$non2xx" -eq 0 && "$status_errors" -eq 0 ]] || { echo "soak: non-2xx answers"; verdict=FAIL; }
[[ "$socket_errors" -eq 0 ]] || { echo "soak: socket errors"; verdict=FAIL; }
[[ "$health" == 200 ]] || { echo "soak: /__admin/health answered '$health'"; verdict=FAIL; }
awk -v g="$growth" -v m="$max_growth" 'BEGIN { exit !(g < m) }' || { echo "soak: RSS grew by $growth % (limit $max_growth %)"; verdict=FAIL; }
echo "$verdict"
[[ "$verdict" == PASS ]]
