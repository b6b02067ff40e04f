"""``usagemock verify`` and ``usagemock record`` against upstreams of the tests' own
(no real API is reachable here): an unmodified usagemock, usagemock behind a proxy
that changes one thing per case (``upstream.Upstream``), answers no API should give,
and HTTPS with a certificate made for the test."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from conftest import REPO_ROOT, serve_process
from upstream import Upstream, make_self_signed_certificate

BIN = os.environ.get("USAGEMOCK_BIN", str(REPO_ROOT / ".build/debug/usagemock"))
KEYS = {"poe": "sk_test_poe", "hookbridge": "hb_test_key", "klaim": "klaim_test_key", "sybilion": "sk_ops_test"}
KLAIM_USER = "GtQ5Oezk6cOvSmPgxsMR"


def run(*args, env=None):
    return subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=120, env=env)


def verify(provider, base_url, *extra):
    user = ["--user", KLAIM_USER] if provider == "klaim" else []
    return run("verify", provider, "--base-url", base_url, "--key", KEYS[provider], "--pause", "0", *user, *extra)


def findings(result):
    report = json.loads(result.stdout)
    return [f for check in report["checks"] for f in check["findings"]]


@pytest.mark.parametrize("provider", sorted(KEYS))
def test_unmodified_usagemock_has_no_drift(base_url, provider):
    result = verify(provider, base_url, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["drift"] is False and report["unfinished"] is None
    assert report["requests"] <= 50 and len(report["checks"]) >= 7
    assert KEYS[provider] not in result.stdout + result.stderr


def test_the_table_names_every_check(base_url):
    result = verify("poe", base_url)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"usagemock verify poe against {base_url}: 8 checks, 10 requests")
    assert lines[-1] == "no drift"
    assert any(line.startswith("wrong key") and line.rstrip().endswith("ok") for line in lines)


# Each case: the one difference the upstream makes, and what verify must name.
DRIFT_CASES = {
    "field-renamed": [("$.data[0].bot_name", "field bot_name: string", "missing"),
                      ("$.data[0].model", "no field model", "added: string")],
    "type-changed": [("$.data[0].cost_points", "integer ≥ 0", 'string "')],
    "field-added": [("$.data[0].currency", "no field currency", 'added: string "points"')],
    "unauthorized-shape": [("$.error", "object", 'string "unauthorized"'), ("$.status", "no field status", "added: integer 401")],
    "cursor-repeats": [("row 3 of the walk", "each row once", "again (first at row 2)")],
    "wrong-order": [("rows 0–1 of the walk", "newest creation_time first, ties by query_id descending", " before ")],
}


@pytest.mark.parametrize("case", sorted(DRIFT_CASES))
def test_each_drift_is_named_with_endpoint_path_expected_and_got(api, case):
    with Upstream(api, case) as upstream:
        result = verify("poe", upstream.base_url, "--json")
        table = verify("poe", upstream.base_url)
    assert result.returncode == 1, result.stdout + result.stderr
    found = findings(result)
    for path, expected, got in DRIFT_CASES[case]:
        match = [f for f in found if f["path"] == path and f["expected"].startswith(expected) and got in f["got"]]
        assert match, f"{case}: no finding at {path} ({expected} vs {got}) in {json.dumps(found, indent=1, ensure_ascii=False)}"
        assert match[0]["endpoint"].startswith(("GET /usage/points_history", "GET /usage/current_balance"))
    # The rows that differ the same way are one finding, not one per row.
    assert len(found) <= 8, found
    assert table.returncode == 1 and "DRIFT:" in table.stdout


# The same for the other providers' own rules (expected and got as regular expressions).
PROVIDER_DRIFT_CASES = {
    "hookbridge-total-off": ("hookbridge", "GET /v1/billing/usage-history?limit=3&offset=34", "rows", r"1 \(total 35\)$", "0$"),
    "klaim-balance-broken": ("klaim", f"POST /users/{KLAIM_USER}/credits/usage {{\"limit\":3}}",
                             "rows 0–1 of the walk: credit_balance", r"-?\d+ \(older balance -?\d+ \+ credit_change -?\d+\)$", r"-?\d+$"),
    "sybilion-no-trace-header": ("sybilion", "GET /api/v1/usage", "header X-Trace-Id", r"string matching \^\[0-9a-f\]\{32\}\$$", "missing$"),
}


@pytest.mark.parametrize("case", sorted(PROVIDER_DRIFT_CASES))
def test_each_providers_own_rules_are_checked(api, case):
    provider, endpoint, path, expected, got = PROVIDER_DRIFT_CASES[case]
    with Upstream(api, case) as upstream:
        result = verify(provider, upstream.base_url, "--json")
    assert result.returncode == 1, result.stdout + result.stderr
    found = findings(result)
    match = [f for f in found if f["path"] == path and f["endpoint"].startswith(endpoint)
             and re.match(expected, f["expected"]) and re.match(got, f["got"])]
    assert match, json.dumps(found, indent=1, ensure_ascii=False)


def test_a_renamed_row_field_is_reported_once_per_walk_not_per_row(api):
    with Upstream(api, "field-renamed") as upstream:
        found = findings(verify("poe", upstream.base_url, "--json"))
    renamed = [f for f in found if f["path"].endswith("bot_name")]
    assert len(renamed) == 2, renamed  # the walk at limit 3 and the one at limit 4
    assert "(and in 2 more rows of this answer)" in renamed[0]["got"]


@pytest.mark.parametrize("case, message", [
    ("not-json", "with a body that is not JSON (Content-Type: text/html"),
    ("rate-limited", "answered 429 (Retry-After: 30)"),
])
def test_answers_no_api_gives_exit_2_and_nothing_is_written(api, tmp_path, case, message):
    out = tmp_path / "recorded.json"
    with Upstream(api, case) as upstream:
        checked = verify("poe", upstream.base_url)
        recorded = run("record", "poe", "--base-url", upstream.base_url, "--key", "sk_test_poe", "--pause", "0", "--out", out)
    for result in (checked, recorded):
        assert result.returncode == 2, result.stdout + result.stderr
        assert message in result.stderr
        assert "sk_test_poe" not in result.stdout + result.stderr
    assert "nothing written" in recorded.stderr and not out.exists()


def test_unreachable_url_gives_exit_2_and_nothing_is_written(tmp_path):
    out = tmp_path / "recorded.json"
    started = time.monotonic()
    checked = verify("sybilion", "http://127.0.0.1:1")
    recorded = run("record", "sybilion", "--base-url", "http://127.0.0.1:1", "--key", "sk_ops_test", "--pause", "0", "--out", out)
    # Said at once, not after trying again until the 20 s default --timeout.
    assert time.monotonic() - started < 10
    for result in (checked, recorded):
        assert result.returncode == 2
        assert "no answer to GET /api/v1/usage" in result.stderr and "Connection refused" in result.stderr
    assert not out.exists()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_self_signed_certificate(tmp_path_factory.mktemp("tls"))


def test_tls_with_an_untrusted_certificate_gives_exit_2(api, certificate, tmp_path):
    out = tmp_path / "recorded.json"
    with Upstream(api, certificate=certificate) as upstream:
        started = time.monotonic()
        checked = verify("hookbridge", upstream.base_url)
        recorded = run("record", "hookbridge", "--base-url", upstream.base_url, "--key", "hb_test_key", "--pause", "0", "--out", out)
        assert time.monotonic() - started < 10  # not retried until the 20 s default --timeout
        assert upstream.requests == []  # refused at the handshake: no request went out
    for result in (checked, recorded):
        assert result.returncode == 2
        assert "TLS failure" in result.stderr and "CERTIFICATE_VERIFY_FAILED" in result.stderr
    assert not out.exists()


def test_tls_with_the_certificate_trusted_verifies_and_records(api, certificate, tmp_path):
    out = tmp_path / "recorded.json"
    with Upstream(api, certificate=certificate) as upstream:
        assert upstream.base_url.startswith("https://")
        checked = verify("hookbridge", upstream.base_url, "--ca-file", certificate[0])
        recorded = run("record", "hookbridge", "--base-url", upstream.base_url, "--key", "hb_test_key", "--pause", "0",
                       "--ca-file", certificate[0], "--out", out)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert recorded.returncode == 0, recorded.stderr
    assert run("validate", out).returncode == 0
    assert len(json.loads(out.read_text())["providers"]["hookbridge"]["accounts"][0]["months"]) == 30


def test_polite_get_only_bounded_and_paused(api):
    with Upstream(api) as upstream:
        started = time.monotonic()
        result = run("verify", "poe", "--base-url", upstream.base_url, "--key", "sk_test_poe", "--max-requests", "4", "--pause", "0.3")
        elapsed = time.monotonic() - started
        assert len(upstream.requests) == 4
        assert {method for method, _ in upstream.requests} == {"GET"}
    assert result.returncode == 0, result.stdout
    assert "note: stopped after 4 requests (--max-requests)" in result.stdout
    assert elapsed >= 0.9  # three pauses of 0.3 s
    with Upstream(api) as upstream:
        assert verify("klaim", upstream.base_url).returncode == 0
        assert {method for method, _ in upstream.requests} == {"POST"}


def test_the_key_can_come_from_the_environment_and_is_required(base_url):
    env = {**os.environ, "USAGEMOCK_API_KEY": "sk_test_poe"}
    assert run("verify", "poe", "--base-url", base_url, "--pause", "0", env=env).returncode == 0
    env.pop("USAGEMOCK_API_KEY")
    missing = run("verify", "poe", "--base-url", base_url, env=env)
    assert missing.returncode == 64 and "--key" in missing.stderr
    assert run("verify", "klaim", "--base-url", base_url, "--key", "k").returncode == 64  # Klaim needs --user


# ---------------------------------------------------------------------------
# Round trip: usagemock serving scenario X is recorded; a second usagemock serving the
# recording answers the same requests with the same bodies (per-request ids aside).

SCENARIO_X = {
    "name": "x",
    "clock": "wall",
    "providers": {
        "poe": {"accounts": [{"keys": ["poe_x"], "balance": 777, "generators": [
            {"seed": 7, "count": 230, "age_seconds": {"min": 0, "max": 2000000}, "bot_names": ["GPT-5", "Claude"],
             "cost_points": {"min": 1, "max": 900}}]}]},
        "hookbridge": {"accounts": [{"keys": ["hb_x"], "generators": [
            {"seed": 8, "count": 40, "message_count": {"min": 0, "max": 9000}, "plan_limits": [5000, None]}]}]},
        "klaim": {"accounts": [{"keys": ["klaim_x"], "app_id": "appX", "users": [
            {"user_id": "u_many", "generator": {"seed": 9, "count": 230, "opening_balance": 50, "age_seconds": {"min": 0, "max": 9000000},
                                                "credit_change": {"min": -20, "max": 30}, "source_types": ["api"],
                                                "descriptions": ["used credit", "bonus"]}},
            {"user_id": "u_none"}]}]},
        "sybilion": {"accounts": [{"keys": ["syb_x"], "generators": [
            {"seed": 10, "count": 450, "first_id": 100, "age_seconds": {"min": 0, "max": 9000000}, "endpoints": ["forecast", None],
             "units": {"min": 1, "max": 9}, "credits_per_unit": {"min": 1, "max": 3}, "eur_cents_per_credit": {"min": 1, "max": 2},
             "async_job_percent": 30}]}]},
    },
}


def without_request_ids(response):
    body = response.json()
    if isinstance(body.get("meta"), dict):
        body["meta"].pop("request_id", None)
    body.pop("trace_id", None)
    return response.status, body


def requests_for(provider, first):
    """The requests compared, some built from the first answers (cursors)."""
    if provider == "poe":
        page = first.get("/usage/points_history?limit=100", token="poe_x").json()
        return [("GET", "/usage/current_balance", None), ("GET", "/usage/points_history", None),
                ("GET", "/usage/points_history?limit=100", None),
                ("GET", f"/usage/points_history?limit=100&starting_after={page['data'][-1]['query_id']}", None),
                ("GET", "/usage/points_history?limit=7&starting_after=" + page["data"][10]["query_id"], None)]
    if provider == "hookbridge":
        return [("GET", f"/v1/billing/usage-history?limit={limit}&offset={offset}", None)
                for limit, offset in [(24, 0), (24, 24), (5, 3), (12, 40)]]
    if provider == "klaim":
        page = first.post("/users/u_many/credits/usage", token="klaim_x", body={"limit": 100}).json()
        return [("POST", "/users/u_many/credits/usage", {"limit": 100}),
                ("POST", "/users/u_many/credits/usage", {"limit": 100, "starting_after": page["lastKey"]}),
                ("POST", "/users/u_none/credits/usage", {}), ("POST", "/users/nobody/credits/usage", {})]
    return [("GET", f"/api/v1/usage?{query}", None) for query in [
        "page=1&limit=200", "page=3&limit=200", "limit=50&sort=units&order=asc", "page=4&limit=17&sort=created_at",
        "sort=eur_cents_charged&order=desc&limit=200"]]


@pytest.mark.parametrize("provider, key", [("poe", "poe_x"), ("hookbridge", "hb_x"), ("klaim", "klaim_x"), ("sybilion", "syb_x")])
def test_round_trip_recording_answers_like_the_original(tmp_path, provider, key):
    scenario = tmp_path / "x.json"
    scenario.write_text(json.dumps(SCENARIO_X))
    out = tmp_path / f"recorded-{provider}.json"
    with serve_process("--scenario", scenario) as original:
        users = ["--user", "u_many", "--user", "u_none"] if provider == "klaim" else []
        recorded = run("record", provider, "--base-url", f"http://127.0.0.1:{original.port}", "--key", key,
                       "--as-key", key, "--pause", "0", "--out", out, *users)
        assert recorded.returncode == 0, recorded.stdout + recorded.stderr
        assert key not in recorded.stdout + recorded.stderr
        validated = run("validate", out)
        assert validated.returncode == 0, validated.stderr
        with serve_process("--scenario", out) as replay:
            requests = requests_for(provider, original)
            for method, target, body in requests:
                a = original.request(method, target, token=key, body=body)
                b = replay.request(method, target, token=key, body=body)
                assert without_request_ids(a) == without_request_ids(b), f"{method} {target} {body}"
            method, target, body = requests[0]
            assert replay.request(method, target, token="not_a_key", body=body).status == 401


def test_recording_defaults_to_the_test_key_and_bounds_rows(base_url, tmp_path):
    out = tmp_path / "poe.json"
    result = run("record", "poe", "--base-url", base_url, "--key", "sk_test_poe", "--pause", "0", "--max-rows", "120", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "120 rows from 3 requests" in result.stdout
    written = json.loads(out.read_text())
    account = written["providers"]["poe"]["accounts"][0]
    assert account["keys"] == ["sk_test_poe"] and account["balance"] == 295932027 and len(account["entries"]) == 120
    assert written["clock"].endswith("Z") and written["clock"] > "2026"
