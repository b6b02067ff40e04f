"""The shipped scenarios other than the default, served by the real binary:
empty.json, multi-account.json and large.json (a million rows per provider)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import Api

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
BIN = os.environ.get("USAGEMOCK_BIN", str(REPO_ROOT / ".build/debug/usagemock"))
READY = re.compile(r"^usagemock listening on http://127\.0\.0\.1:(\d+) \(scenario: ([\w-]+)\)$")


def serve(scenario: str, ready_timeout: float):
    """Starts `usagemock serve` on a free port; returns (process, Api, load seconds)."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [BIN, "serve", "--port", "0", "--scenario", str(REPO_ROOT / "Scenarios" / scenario)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        import select
        ready, _, _ = select.select([proc.stdout], [], [], ready_timeout)
        assert ready, f"{scenario}: no ready line within {ready_timeout}s"
        line = proc.stdout.readline().strip()
        match = READY.match(line)
        assert match, f"{scenario}: unexpected first line {line!r}"
        return proc, Api("127.0.0.1", int(match.group(1))), time.monotonic() - started
    except BaseException:
        proc.kill()
        proc.wait()
        raise


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=5) == 0


def test_empty_scenario():
    proc, api, _ = serve("empty.json", 20)
    try:
        assert api.get("/usage/current_balance", token="sk_empty_poe").json() == {"current_point_balance": 0}
        assert api.get("/usage/points_history", token="sk_empty_poe").json() == {"has_more": False, "length": 0, "data": []}
        meta = api.get("/v1/billing/usage-history", token="hb_empty_key").json()["meta"]
        assert (meta["total"], meta["has_more"]) == (0, False)
        assert api.post("/users/user_empty/credits/usage", token="klaim_empty_key").json() == {
            "message": "fetch resource successfully", "data": []}
        page = api.get("/api/v1/usage", token="sk_ops_empty").json()
        assert page["usage_events"] == [] and page["pagination"]["total_pages"] == 0
        assert api.get("/usage/current_balance", token="sk_test_poe").status == 401
    finally:
        stop(proc)


def test_multi_account_scenario_keeps_tenants_apart():
    proc, api, _ = serve("multi-account.json", 20)
    try:
        assert api.get("/usage/current_balance", token="sk_poe_alpha").json() == {"current_point_balance": 1000}
        assert api.get("/usage/current_balance", token="sk_poe_beta_rotated").json() == {"current_point_balance": 250000}
        alpha = api.get("/v1/billing/usage-history", token="hb_alpha").json()
        beta = api.get("/v1/billing/usage-history", token="hb_beta").json()
        assert alpha["meta"]["total"] == 2 and beta["meta"]["total"] == 1
        assert beta["data"][0]["overage_count"] == 0 and beta["data"][0]["plan_limit"] is None
        assert api.post("/users/alpha_user/credits/usage", token="klaim_beta").status == 404
        records = api.post("/users/alpha_user/credits/usage", token="klaim_alpha").json()["data"]
        assert [r["credit_balance"] for r in records] == [701, 706, 700]
    finally:
        stop(proc)


def test_large_scenario_serves_deep_pages():
    proc, api, load_seconds = serve("large.json", 300)
    try:
        print(f"large.json loaded in {load_seconds:.1f} s")
        assert api.get("/usage/current_balance", token="sk_large_poe").json() == {"current_point_balance": 987654321}
        first = api.get("/usage/points_history?limit=100", token="sk_large_poe").json()
        assert first["has_more"] and first["length"] == 100
        after = first["data"][-1]["query_id"]
        second = api.get(f"/usage/points_history?limit=100&starting_after={after}", token="sk_large_poe").json()
        assert second["length"] == 100 and second["data"][0]["creation_time"] <= first["data"][-1]["creation_time"]

        deep = api.get("/api/v1/usage?page=9000&limit=100&sort=units", token="sk_ops_large").json()
        assert deep["pagination"]["total"] == 1_000_000 and deep["pagination"]["total_pages"] == 10_000
        assert len(deep["usage_events"]) == 100

        months = api.get("/v1/billing/usage-history?limit=24&offset=228", token="hb_large_key").json()
        assert months["meta"]["total"] == 240 and len(months["data"]) == 12 and not months["meta"]["has_more"]

        page = api.post("/users/user_0999/credits/usage", token="klaim_large_key", body={"limit": 100}).json()
        assert len(page["data"]) == 100 and page["lastKey"]["prefix_app_id"] == "_credit-usage_largeApp"
        assert api.post("/users/user_1000/credits/usage", token="klaim_large_key").status == 404
    finally:
        stop(proc)
