"""Live scenarios and state under /__admin/: PUT/GET /__admin/scenario, reset, the
clock, added usage and `serve --watch`, against the real binary. Each test runs its
own server, since these tests change what it serves."""

from __future__ import annotations

import concurrent.futures
import http.client
import json
import os
import re
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import Api

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
BIN = os.environ.get("USAGEMOCK_BIN", str(REPO_ROOT / ".build/debug/usagemock"))
READY = re.compile(r"^usagemock listening on http://127\.0\.0\.1:(\d+) \(scenario: ([\w-]+)\)$")


class Served:
    def __init__(self, *args: str, ready_timeout: float = 20, stderr=subprocess.DEVNULL):
        self.proc = subprocess.Popen([BIN, "serve", "--port", "0", *args], stdout=subprocess.PIPE, stderr=stderr, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], ready_timeout)
        assert ready, "no ready line"
        match = READY.match(self.proc.stdout.readline().strip())
        assert match
        self.api = Api("127.0.0.1", int(match.group(1)))

    def __enter__(self):
        return self.api

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        assert self.proc.wait(timeout=10) == 0


def balance(api):
    return api.get("/usage/current_balance", token="sk_test_poe").json()["current_point_balance"]


def test_get_scenario_summarises_name_clock_and_counts():
    with Served() as api:
        summary = api.get("/__admin/scenario").json()
        assert summary == {
            "name": "default", "clock": "2026-11-21T12:00:00Z", "generator_clock": "2026-11-21T12:00:00Z",
            "providers": {"poe": {"accounts": 1, "entries_in_window": 250}, "hookbridge": {"accounts": 1, "months": 30},
                          "klaim": {"accounts": 1, "users": 2, "records": 120}, "sybilion": {"accounts": 1, "usage_events": 142}}}


def test_put_scenario_swaps_a_valid_one_and_refuses_an_invalid_one_whole():
    with Served() as api:
        empty = (REPO_ROOT / "Scenarios/empty.json").read_bytes()
        r = api.request("PUT", "/__admin/scenario", body=empty)
        assert r.status == 200 and r.json()["name"] == "empty"
        assert api.get("/__admin/health").json() == {"status": "ok", "scenario": "empty", "log_lines_dropped": 0}
        assert api.get("/usage/current_balance", token="sk_empty_poe").json() == {"current_point_balance": 0}
        assert api.get("/usage/current_balance", token="sk_test_poe").status == 401

        broken = json.loads(empty)
        broken["providers"]["poe"]["accounts"][0]["colour"] = "red"
        r = api.request("PUT", "/__admin/scenario", body=broken)
        assert r.status == 400 and r.content_type == "application/json"
        assert r.json() == {"error": "invalid_scenario", "message": 'request body: $.providers.poe.accounts[0].colour: unknown field "colour"; '
                            "expected one of: name, keys, balance, entries, generators"}
        r = api.request("PUT", "/__admin/scenario", body=b'{"name": ')
        assert r.status == 400 and r.json()["message"].startswith("request body: line 1, column 10: invalid JSON")
        assert api.get("/__admin/scenario").json()["name"] == "empty"

        r = api.post("/__admin/reset")
        assert r.status == 200 and r.json()["name"] == "default"
        assert balance(api) == 295932027


def test_put_gives_the_same_message_as_validate(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"name":"x","clock":"2026-11-21T12:00:00Z","providers":{"klaim":{"accounts":[{"keys":["k"],"app_id":""}]}}}')
    validate = subprocess.run([BIN, "validate", str(bad)], capture_output=True, text=True)
    assert validate.returncode == 1
    with Served() as api:
        r = api.request("PUT", "/__admin/scenario", body=bad.read_bytes())
        assert r.json()["message"] == validate.stderr.strip().replace(str(bad), "request body")


def test_clock_moves_poes_window():
    with Served() as api:
        assert api.get("/usage/points_history?limit=1", token="sk_test_poe").json()["length"] == 1
        r = api.post("/__admin/clock", body={"advance_seconds": 30 * 86400})
        assert r.status == 200 and r.json()["clock"] == "2026-12-21T12:00:00Z"
        assert r.json()["generator_clock"] == "2026-11-21T12:00:00Z"
        assert api.get("/usage/points_history", token="sk_test_poe").json() == {"has_more": False, "length": 0, "data": []}
        # Back ten days before the file's clock: only entries older than that are shown.
        r = api.post("/__admin/clock", body={"now": "2026-11-11T12:00:00Z"})
        clock_micros = 1794398400 * 1_000_000
        shown = api.get("/usage/points_history?limit=100", token="sk_test_poe").json()["data"]
        assert shown and all(clock_micros - 30 * 86400 * 1_000_000 < e["creation_time"] <= clock_micros for e in shown)
        assert api.get("/__admin/scenario").json()["providers"]["poe"]["entries_in_window"] < 250


@pytest.mark.parametrize("body, message", [
    ({}, '$: give exactly one of "now" (a UTC timestamp) and "advance_seconds" (an integer)'),
    ({"now": "2026-12-01T00:00:00Z", "advance_seconds": 1}, '$: give exactly one of "now" (a UTC timestamp) and "advance_seconds" (an integer)'),
    ({"now": "tomorrow"}, "$.now: expected a UTC timestamp from 1970 on, like 2026-11-21T12:00:00Z"),
    ({"now": "1969-12-31T23:59:59Z"}, "$.now: expected a UTC timestamp from 1970 on, like 2026-11-21T12:00:00Z"),
    ({"advance_seconds": -1795262401}, "$.advance_seconds: moves the clock outside the years 1970 to 9999"),
    ({"advance_seconds": 9223372036854775807}, "$.advance_seconds: moves the clock outside the years 1970 to 9999"),
    ({"advance_seconds": "1"}, None),
    ({"later": 1}, '$.later: unknown field "later"; expected one of: now, advance_seconds'),
])
def test_clock_refuses_bad_bodies(body, message):
    with Served() as api:
        r = api.post("/__admin/clock", body=body)
        assert r.status == 400 and r.json()["error"] == "invalid_clock"
        if message:
            assert r.json()["message"] == message
        assert api.get("/__admin/scenario").json()["clock"] == "2026-11-21T12:00:00Z"


def test_added_usage_shows_in_every_provider():
    with Served() as api:
        r = api.post("/__admin/usage/poe", body={"key": "sk_test_poe", "entries": [{"bot_name": "GPT-5", "cost_points": 120, "query_id": "mine1"}]})
        assert r.status == 200 and r.json()["providers"]["poe"]["entries_in_window"] == 251
        assert balance(api) == 295932027 - 120
        newest = api.get("/usage/points_history?limit=1", token="sk_test_poe").json()["data"][0]
        assert newest == {"creation_time": 1795262400000000, "bot_name": "GPT-5", "query_id": "mine1", "usage_type": "API", "cost_points": 120}

        before = api.post("/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage", token="klaim_test_key", body={"limit": 1}).json()["data"][0]
        api.post("/__admin/usage/klaim", body={"key": "klaim_test_key", "user_id": "GtQ5Oezk6cOvSmPgxsMR",
                                                "records": [{"credit_change": -5}, {"credit_change": 7, "source_type": "web"}]})
        records = api.post("/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage", token="klaim_test_key", body={"limit": 3}).json()["data"]
        assert [r["credit_balance"] for r in records] == [before["credit_balance"] + 2, before["credit_balance"] - 5, before["credit_balance"]]
        assert records[0]["created_at"] > records[1]["created_at"] >= 1795262400000

        month = lambda: api.get("/v1/billing/usage-history?limit=1", token="hb_test_key").json()["data"][0]
        was = month()
        api.post("/__admin/usage/hookbridge", body={"key": "hb_test_key", "messages": 10_000})
        now = month()
        assert now["period_start"] == "2026-11-01" and now["message_count"] == was["message_count"] + 10_000
        assert now["overage_count"] == max(0, now["message_count"] - now["plan_limit"])

        page = lambda: api.get("/api/v1/usage?limit=1&sort=id&order=desc", token="sk_ops_test").json()
        was = page()
        api.post("/__admin/usage/sybilion", body={"key": "sk_ops_test", "events": [
            {"endpoint": "forecast", "units": 3, "credits_charged": 6, "eur_cents_charged": 12}]})
        now = page()
        assert now["pagination"]["total"] == was["pagination"]["total"] + 1
        assert now["usage_events"][0] == {"id": was["usage_events"][0]["id"] + 1, "endpoint": "forecast", "units": 3, "credits_charged": 6,
                                          "eur_cents_charged": 12, "created_at": "2026-11-21T12:00:00Z", "async_job_id": None}

        api.post("/__admin/reset")
        assert balance(api) == 295932027


@pytest.mark.parametrize("provider, body, message", [
    ("poe", {"key": "sk_test_poe", "entries": [{"bot_name": "x", "cost_points": 10**12}]}, "$.entries[0].cost_points: 1000000000000 points is more than the balance left (295932027)"),
    ("poe", {"key": "nope", "entries": []}, '$.key: "****" is not a key of any poe account'),
    ("poe", {"key": "sk_test_poe", "entries": [{"bot_name": "x"}]}, "$.entries[0].cost_points: required field is missing"),
    ("poe", {"key": "sk_test_poe", "entries": [{"bot_name": "x", "cost_points": 1, "usage_type": "Fax"}]}, "$.entries[0].usage_type: must be one of: API, Chat, Canvas App"),
    ("hookbridge", {"key": "hb_test_key", "messages": 0}, "$.messages: must be between 1 and 1000000000"),
    ("hookbridge", {"key": "hb_test_key", "messages": 1, "month": "2026-13"}, "$.month: must be YYYY-MM"),
    ("klaim", {"key": "klaim_test_key", "user_id": "ghost", "records": [{"credit_change": 1}]},
     '$.providers.klaim.accounts[0]: records were added for "ghost", which is not a user of this account'),
    ("klaim", {"key": "klaim_test_key", "user_id": "user_empty", "records": []}, "$.records: must not be empty"),
    ("sybilion", {"key": "sk_ops_test", "events": [{"units": -1, "credits_charged": 0, "eur_cents_charged": 0}]}, "$.events[0].units: must be between 0 and 1000000000000"),
    ("sybilion", {"key": "sk_ops_test", "events": [{"units": 1, "credits_charged": 0, "eur_cents_charged": 0, "async_job_id": "x"}]}, "$.events[0].async_job_id: must be a lowercase UUID or null"),
])
def test_usage_refusals_are_clear_and_change_nothing(provider, body, message):
    with Served() as api:
        before = api.get("/__admin/scenario").json()
        r = api.post(f"/__admin/usage/{provider}", body=body)
        assert (r.status, r.json()) == (400, {"error": "invalid_usage", "message": message})
        assert api.get("/__admin/scenario").json() == before


def test_usage_for_an_unknown_provider_is_404():
    with Served() as api:
        r = api.post("/__admin/usage/stripe", body={})
        assert r.status == 404 and r.json()["error"] == "not_found"
        assert api.get("/__admin/usage/poe").status == 405


def test_watch_reloads_the_file_and_refuses_a_broken_change(tmp_path):
    scenario = tmp_path / "watched.json"
    shutil.copy(REPO_ROOT / "Scenarios/empty.json", scenario)
    log = tmp_path / "stderr.log"
    with open(log, "w") as stderr, Served("--scenario", str(scenario), "--watch", stderr=stderr) as api:
        def wait_for(predicate):
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if predicate():
                    return True
                time.sleep(0.1)
            return False

        document = json.loads(scenario.read_text())
        document["name"] = "watched-v2"
        document["providers"]["poe"]["accounts"][0]["balance"] = 77
        scenario.write_text(json.dumps(document))
        assert wait_for(lambda: api.get("/__admin/health").json()["scenario"] == "watched-v2")
        assert api.get("/usage/current_balance", token="sk_empty_poe").json() == {"current_point_balance": 77}

        scenario.write_text('{"name": "broken",')
        assert wait_for(lambda: "refused the changed scenario" in log.read_text())
        assert "watched.json: line 1, column 19: invalid JSON: expected a field name" in log.read_text()
        assert api.get("/__admin/health").json()["scenario"] == "watched-v2"

        # Reset returns to the last file the watcher loaded, not to the startup one.
        api.post("/__admin/usage/poe", body={"key": "sk_empty_poe", "entries": [{"bot_name": "b", "cost_points": 7}]})
        assert api.get("/usage/current_balance", token="sk_empty_poe").json() == {"current_point_balance": 70}
        api.post("/__admin/reset")
        assert api.get("/usage/current_balance", token="sk_empty_poe").json() == {"current_point_balance": 77}


def test_watch_needs_a_file():
    r = subprocess.run([BIN, "serve", "--port", "0", "--watch"], capture_output=True, text=True, timeout=10,
                       env={k: v for k, v in os.environ.items() if k != "USAGEMOCK_SCENARIO"})
    assert r.returncode != 0 and "--watch needs a scenario file" in r.stderr


def test_runtime_changes_on_large_json_rebuild_one_provider():
    """Prints what each change costs on large.json (a million rows per provider), and
    checks that requests are answered by the old scenario meanwhile."""
    # More worker threads than the default: a change runs on the thread that received it,
    # and libmicrohttpd keeps each connection on one thread.
    with Served("--scenario", str(REPO_ROOT / "Scenarios/large.json"), "--threads", "8", ready_timeout=300) as api:
        def post(path, body):
            conn = http.client.HTTPConnection(api.host, api.port, timeout=120)
            try:
                conn.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                return response.status, response.read()
            finally:
                conn.close()

        changes = [
            ("poe usage", "/__admin/usage/poe", {"key": "sk_large_poe", "entries": [{"bot_name": "b", "cost_points": 1}]}),
            ("hookbridge usage", "/__admin/usage/hookbridge", {"key": "hb_large_key", "messages": 1}),
            ("klaim usage", "/__admin/usage/klaim", {"key": "klaim_large_key", "user_id": "user_0001", "records": [{"credit_change": 1}]}),
            ("sybilion usage", "/__admin/usage/sybilion", {"key": "sk_ops_large", "events": [{"units": 1, "credits_charged": 1, "eur_cents_charged": 1}]}),
            ("clock", "/__admin/clock", {"advance_seconds": 86400}),
        ]
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            for name, path, body in changes:
                started = time.monotonic()
                change = pool.submit(post, path, body)
                slowest_read = 0.0
                while not change.done():
                    read_started = time.monotonic()
                    assert api.get("/usage/current_balance", token="sk_large_poe").status == 200
                    slowest_read = max(slowest_read, time.monotonic() - read_started)
                    time.sleep(0.05)
                status, answer = change.result()
                print(f"large.json: {name} took {time.monotonic() - started:.2f} s; slowest request meanwhile {slowest_read * 1000:.1f} ms")
                assert status == 200, answer
        assert api.get("/usage/current_balance", token="sk_large_poe").json() == {"current_point_balance": 987654320}
        assert api.get("/api/v1/usage?limit=1", token="sk_ops_large").json()["pagination"]["total"] == 1_000_001
