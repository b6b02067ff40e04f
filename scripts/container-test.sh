#!/usr/bin/env bash
# Smoke test of the usagemock container image: build it, run it, call it, stop it.
#
# Usage: scripts/container-test.sh
# Environment:
#   CONTAINER_ENGINE   docker or podman (default: the first of them whose engine answers)
#   IMAGE              tag to build and test (default: usagemock:test)
#   BUILD_TIMEOUT      seconds allowed for the image build (default: 3600)
#   REMOVE_IMAGE=1     remove the image at the end too (default: keep it, for the layer cache)
#
# Prints PASS/FAIL per check and ends with "N passed, N failed"; exits 1 on any failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

IMAGE=${IMAGE:-usagemock:test}
BUILD_TIMEOUT=${BUILD_TIMEOUT:-3600}
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-60}
STOP_LIMIT_MS=${STOP_LIMIT_MS:-2000}
SUFFIX="$$-$RANDOM"
C_MAIN="usagemock-test-main-$SUFFIX"
C_MOUNT="usagemock-test-mount-$SUFFIX"
C_ARG="usagemock-test-arg-$SUFFIX"
CONTAINERS=("$C_MAIN" "$C_MOUNT" "$C_ARG")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/usagemock-container-test.XXXXXX")

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
info() { echo "INFO: $*"; }
summary() { echo "$passed passed, $failed failed"; }
# A failure that makes the remaining checks meaningless.
fatal() {
    fail "$*"
    summary
    exit 1
}

# ---------------------------------------------------------------- engine
ENGINE=${CONTAINER_ENGINE:-}
if [ -z "$ENGINE" ]; then
    for candidate in docker podman; do
        command -v "$candidate" >/dev/null 2>&1 || continue
        if timeout 30 "$candidate" info >/dev/null 2>&1; then
            ENGINE=$candidate
            break
        fi
        echo "container-test: '$candidate' is installed but its engine does not answer ('$candidate info' failed)" >&2
    done
fi
if [ -z "$ENGINE" ]; then
    echo "container-test: no working container engine: need docker or podman (set CONTAINER_ENGINE to choose)" >&2
    exit 1
fi
command -v "$ENGINE" >/dev/null 2>&1 || { echo "container-test: CONTAINER_ENGINE=$ENGINE not found" >&2; exit 1; }
command -v curl >/dev/null 2>&1 || { echo "container-test: curl is required" >&2; exit 1; }
info "engine: $ENGINE ($(timeout 30 "$ENGINE" --version 2>/dev/null | head -1))"

# Every engine call is bounded.
eng() { timeout "${ENG_TIMEOUT:-60}" "$ENGINE" "$@"; }

cleanup() {
    local rc=$?
    for c in "${CONTAINERS[@]}"; do
        timeout 30 "$ENGINE" rm -f "$c" >/dev/null 2>&1 || true
    done
    if [ "${REMOVE_IMAGE:-0}" = 1 ]; then
        timeout 60 "$ENGINE" rmi -f "$IMAGE" >/dev/null 2>&1 || true
    fi
    # The build stage (several GB with the toolchain) is left untagged by each build;
    # without this, repeated CI runs fill the disk.
    timeout 120 "$ENGINE" image prune -f >/dev/null 2>&1 || true
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- helpers
# http METHOD URL [KEY] [BODY] -> sets STATUS and BODY_FILE
BODY_FILE="$WORK/body"
http() {
    local method=$1 url=$2 key=${3:-} data=${4:-}
    local args=(-sS -o "$BODY_FILE" -w '%{http_code}' --connect-timeout 3 --max-time 10 -X "$method")
    [ -n "$key" ] && args+=(-H "Authorization: Bearer $key")
    [ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data "$data")
    : >"$BODY_FILE"
    STATUS=$(curl "${args[@]}" "$url" 2>"$WORK/curl.err") || STATUS=${STATUS:-000}
}
body() { head -c 300 "$BODY_FILE"; }
# body_has REGEX: extended regex over the (single-line-joined) body
# (grep reads a variable, not a pipe: with pipefail, grep -q's early exit would fail
# the writer with SIGPIPE.)
body_has() { grep -Eq -- "$1" <<<"$(tr -d '\n' <"$BODY_FILE")"; }

# check_call NAME METHOD PATH KEY BODY EXPECTED_STATUS FACT_REGEX FACT_DESCRIPTION
check_call() {
    local name=$1 method=$2 path=$3 key=$4 data=$5 want=$6 fact=$7 what=$8
    http "$method" "$BASE$path" "$key" "$data"
    if [ "$STATUS" != "$want" ]; then
        fail "$name: $method $path -> HTTP $STATUS, want $want; body: $(body)"
    elif [ -n "$fact" ] && ! body_has "$fact"; then
        fail "$name: $method $path -> HTTP $STATUS but body lacks $what; body: $(body)"
    else
        pass "$name: $method $path -> HTTP $STATUS${what:+, $what}"
    fi
}

# host_port CONTAINER -> the host port the engine mapped to 8080/tcp
host_port() {
    local out
    out=$(eng port "$1" 8080/tcp 2>/dev/null | head -1) || return 1
    [ -n "$out" ] || return 1
    echo "${out##*:}"
}

# wait_healthy CONTAINER BASE_URL: poll /__admin/health, bounded by HEALTH_TIMEOUT
wait_healthy() {
    local c=$1 base=$2 deadline=$((SECONDS + HEALTH_TIMEOUT))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if [ "$(eng inspect --format '{{.State.Running}}' "$c" 2>/dev/null)" != true ]; then
            echo "container $c is not running; logs:" >&2
            eng logs "$c" >&2 2>&1 || true
            return 1
        fi
        http GET "$base/__admin/health"
        [ "$STATUS" = 200 ] && return 0
        sleep 1
    done
    echo "no HTTP 200 from $base/__admin/health within ${HEALTH_TIMEOUT}s; logs:" >&2
    eng logs "$c" >&2 2>&1 || true
    return 1
}

# run_container NAME [extra run args...] -- [command args...]
run_container() {
    local name=$1
    shift
    local opts=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    # podman without systemd complains on stderr that it cannot schedule healthchecks:
    # keep that out of the output unless the run itself fails.
    if ! eng run -d --name "$name" -p 127.0.0.1::8080 "${opts[@]}" "$IMAGE" "$@" >/dev/null 2>"$WORK/run.err"; then
        cat "$WORK/run.err" >&2
        return 1
    fi
}

# ---------------------------------------------------------------- build
build_args=()
[ "$ENGINE" = podman ] && build_args+=(--format docker) # OCI format would drop HEALTHCHECK
info "building $IMAGE (log: $WORK/build.log, timeout ${BUILD_TIMEOUT}s)"
build_start=$SECONDS
if timeout "$BUILD_TIMEOUT" "$ENGINE" build "${build_args[@]}" -t "$IMAGE" . >"$WORK/build.log" 2>&1; then
    pass "image builds ($((SECONDS - build_start)) s)"
else
    tail -n 60 "$WORK/build.log"
    fatal "image build failed or timed out after $((SECONDS - build_start)) s (last lines above)"
fi

size_bytes=$(eng image inspect --format '{{.Size}}' "$IMAGE")
info "image size: $((size_bytes / 1000000)) MB ($size_bytes bytes)"

# ---------------------------------------------------------------- default scenario
run_container "$C_MAIN" || fatal "container did not start"
PORT=$(host_port "$C_MAIN") || fatal "no host port mapped to 8080/tcp"
BASE="http://127.0.0.1:$PORT"
info "container $C_MAIN on $BASE"
if wait_healthy "$C_MAIN" "$BASE"; then
    pass "GET /__admin/health -> 200 within ${HEALTH_TIMEOUT}s"
else
    fatal "container never became healthy"
fi

ready_re='usagemock listening on http://0\.0\.0\.0:8080 \(scenario: [^)]+\)'
if grep -Eq "$ready_re" <<<"$(eng logs "$C_MAIN" 2>&1)"; then
    pass "ready line: $(eng logs "$C_MAIN" 2>&1 | grep -Eo "$ready_re" | head -1)"
else
    fail "no ready line matching '$ready_re' in logs"
fi

check_call "Poe" GET /usage/current_balance sk_test_poe "" 200 \
    '"current_point_balance"[[:space:]]*:[[:space:]]*295932027' "current_point_balance=295932027"
check_call "HookBridge" GET /v1/billing/usage-history hb_test_key "" 200 \
    '"data"[[:space:]]*:[[:space:]]*\[[[:space:]]*\{[[:space:]]*"period_start"[[:space:]]*:[[:space:]]*"[0-9]{4}-[0-9]{2}-01"' \
    "data[0].period_start is a month start"
check_call "Klaim" POST /users/GtQ5Oezk6cOvSmPgxsMR/credits/usage klaim_test_key '{}' 200 \
    '"user_id"[[:space:]]*:[[:space:]]*"GtQ5Oezk6cOvSmPgxsMR"' "entries for user GtQ5Oezk6cOvSmPgxsMR"
check_call "Sybilion" GET /api/v1/usage sk_ops_test "" 200 \
    '"usage_events"[[:space:]]*:[[:space:]]*\[[[:space:]]*\{[[:space:]]*"id"[[:space:]]*:[[:space:]]*[0-9]+' \
    "usage_events[0].id is a number"
check_call "wrong key" GET /usage/current_balance not_a_real_key "" 401 'invalid_api_key' "error code invalid_api_key"

uid=$(eng exec "$C_MAIN" id -u 2>&1 | tr -d '\r') || uid="error: $uid"
if [[ "$uid" =~ ^[0-9]+$ ]] && [ "$uid" != 0 ]; then
    pass "runs as non-root (id -u = $uid, image USER $(eng image inspect --format '{{.Config.User}}' "$IMAGE"))"
else
    fail "container user is root or unknown (id -u: $uid)"
fi

missing=$(eng exec "$C_MAIN" ldd /usr/local/bin/usagemock 2>&1 | grep 'not found' || true)
if [ -z "$missing" ]; then
    pass "ldd: every shared library of the binary is present"
else
    fail "ldd: missing libraries: $missing"
fi

# The HEALTHCHECK the image declares, run by the engine itself.
if [ "$ENGINE" = podman ]; then
    hc_format='{{if .HealthCheck}}{{json .HealthCheck.Test}}{{end}}'
else
    hc_format='{{if .Config.Healthcheck}}{{json .Config.Healthcheck.Test}}{{end}}'
fi
hc=$(eng image inspect --format "$hc_format" "$IMAGE" 2>/dev/null || true)
if [ -z "$hc" ] || [ "$hc" = null ]; then
    fail "image declares no HEALTHCHECK"
elif [ "$ENGINE" = podman ]; then
    if eng healthcheck run "$C_MAIN" >/dev/null 2>&1; then
        pass "HEALTHCHECK $hc passes (podman healthcheck run)"
    else
        fail "HEALTHCHECK $hc fails (podman healthcheck run)"
    fi
else
    status="" deadline=$((SECONDS + 60))
    while [ "$SECONDS" -lt "$deadline" ]; do
        status=$(eng inspect --format '{{.State.Health.Status}}' "$C_MAIN" 2>/dev/null || true)
        [ "$status" = healthy ] || [ "$status" = unhealthy ] && break
        sleep 1
    done
    if [ "$status" = healthy ]; then
        pass "HEALTHCHECK $hc: engine reports healthy"
    else
        fail "HEALTHCHECK $hc: engine reports '${status:-nothing}' after 60 s"
    fi
fi

# ---------------------------------------------------------------- graceful stop
stop_start=$(date +%s%N)
eng stop -t 10 "$C_MAIN" >/dev/null 2>"$WORK/stop.err" || cat "$WORK/stop.err" >&2
stop_ms=$((($(date +%s%N) - stop_start) / 1000000))
if [ "$stop_ms" -lt "$STOP_LIMIT_MS" ]; then
    pass "stop -t 10 took ${stop_ms} ms (< ${STOP_LIMIT_MS} ms: SIGTERM handled by PID 1)"
else
    fail "stop -t 10 took ${stop_ms} ms (limit ${STOP_LIMIT_MS} ms: SIGTERM not handled?)"
fi
exit_code=$(eng inspect --format '{{.State.ExitCode}}' "$C_MAIN" 2>/dev/null || echo unknown)
if [ "$exit_code" = 0 ]; then
    pass "exit code after SIGTERM: 0"
else
    fail "exit code after SIGTERM: $exit_code (want 0); logs: $(eng logs --tail 20 "$C_MAIN" 2>&1 | tr '\n' ' ')"
fi

# ---------------------------------------------------------------- other scenarios
# check_scenario CONTAINER LABEL SCENARIO_NAME KEY BALANCE: the container serves the
# scenario named SCENARIO_NAME, where Poe key KEY has balance BALANCE, and the
# default scenario's Poe key is refused.
check_scenario() {
    local c=$1 label=$2 scenario=$3 key=$4 balance=$5
    PORT=$(host_port "$c") || { fail "$label: no host port mapped to 8080/tcp"; return; }
    BASE="http://127.0.0.1:$PORT"
    if ! wait_healthy "$c" "$BASE"; then
        fail "$label: container never became healthy"
        return
    fi
    if grep -Fq "(scenario: $scenario)" <<<"$(eng logs "$c" 2>&1)"; then
        pass "$label: ready line names scenario '$scenario'"
    else
        fail "$label: ready line does not name scenario '$scenario': $(eng logs "$c" 2>&1 | head -3 | tr '\n' ' ')"
    fi
    check_call "$label" GET /usage/current_balance "$key" "" 200 \
        "\"current_point_balance\"[[:space:]]*:[[:space:]]*$balance([^0-9]|\$)" "key $key has balance $balance"
    check_call "$label" GET /usage/current_balance sk_test_poe "" 401 "" "default scenario's key refused"
}

# A user's file: Scenarios/multi-account.json mounted under a name the image does not
# have, chosen with USAGEMOCK_SCENARIO. Key sk_poe_beta (balance 250000) exists only there.
if run_container "$C_MOUNT" \
    -v "$ROOT/Scenarios/multi-account.json:/scenarios/mounted.json:ro" \
    -e USAGEMOCK_SCENARIO=/scenarios/mounted.json --; then
    check_scenario "$C_MOUNT" "mounted multi-account.json (-v, USAGEMOCK_SCENARIO)" multi-account sk_poe_beta 250000
else
    fail "container with a mounted scenario did not start"
fi

# A scenario shipped in the image, chosen on the command line: /scenarios/empty.json.
if run_container "$C_ARG" -- serve --scenario /scenarios/empty.json; then
    check_scenario "$C_ARG" "shipped empty.json (serve --scenario)" empty sk_empty_poe 0
else
    fail "container with 'serve --scenario /scenarios/empty.json' did not start"
fi

# ---------------------------------------------------------------- summary
summary
[ "$failed" -eq 0 ]
