"""Faults (runtime and scenario-declared) and X-Usagemock-Status against the real
binary: provider-shaped errors, Retry-After, delays, dropped connections."""

from __future__ import annotations

import json
import time

import jsonschema
import pytest

from conftest import REPO_ROOT, serve_process

POE = "sk_test_poe"
BALANCE = "/usage/current_balance"


@pytest.fixture
def faults(api):
    """Adds faults through the admin API; clears them after the test."""
    def add(**fault):
        r = api.post("/__admin/faults", body=fault)
        assert r.status == 201, r
        return r.json()
    yield add
    assert api.request("DELETE", "/__admin/faults").status == 200


def statuses(api, n, target=BALANCE, token=POE):
    return [api.get(target, token=token).status for _ in range(n)]


def test_nth_every_and_times(api, faults):
    faults(provider="poe", route=BALANCE, status=429, nth=2)
    assert statuses(api, 4) == [200, 429, 200, 200]
    api.request("DELETE", "/__admin/faults")
    faults(provider="poe", route=BALANCE, status=500, every=3)
    assert statuses(api, 6) == [200, 200, 500, 200, 200, 500]
    api.request("DELETE", "/__admin/faults")
    faults(provider="poe", route=BALANCE, status=402, times=2)
    assert statuses(api, 3) == [402, 402, 200]


def test_poe_402_and_429_shapes(api, faults):
    faults(provider="poe", route=BALANCE, status=402, nth=1)
    r = api.get(BALANCE, token=POE)
    assert r.status == 402
    assert r.json() == {"error": {"message": "Insufficient point balance to complete this request",
                                  "type": "insufficient_credits", "code": "insufficient_balance"}}
    faults(provider="poe", route="/usage/points_history", status=429, retry_after=4)
    r = api.get("/usage/points_history", token=POE)
    assert r.status == 429 and r.header("Retry-After") == "4"
    assert r.json()["error"]["type"] == "rate_limit_error"


def test_hookbridge_sdk_sees_the_injected_429(api, faults, base_url):
    from hookbridge import HookBridge
    from hookbridge.errors import HookBridgeError, RateLimitError
    faults(provider="hookbridge", route="/v1/billing/usage-history", status=429, retry_after=3, nth=1)
    faults(provider="hookbridge", route="/v1/billing/usage-history", status=503, nth=2)
    client = HookBridge("hb_test_key", base_url=base_url, retries=0)
    with pytest.raises(RateLimitError) as limited:
        client.get_usage_history(limit=1, offset=0)
    assert limited.value.retry_after == 3 and limited.value.request_id.startswith("req_")
    with pytest.raises(HookBridgeError) as unavailable:
        client.get_usage_history(limit=1, offset=0)
    assert unavailable.value.code == "SERVICE_UNAVAILABLE"
    assert len(client.get_usage_history(limit=1, offset=0).rows) == 1


def test_sybilion_sdk_sees_the_injected_503(faults, base_url):
    import sybilion
    faults(provider="sybilion", route="/api/v1/usage", status=503, nth=1)
    client = sybilion.Client(token="sk_ops_test", base_url=base_url)
    with pytest.raises(Exception) as caught:
        client.get_usage()
    assert str(caught.value) == "service unavailable"
    assert caught.value.__cause__.status == 503
    assert client.get_usage(limit=1).pagination.total == 142


def test_list_shows_counts_and_delete_clears(api, faults):
    added = faults(provider="sybilion", route="/api/v1/usage", key="sk_ops_test", status=503, every=2)
    statuses(api, 3, "/api/v1/usage", "sk_ops_test")
    listed = api.get("/__admin/faults").json()["faults"]
    assert listed == [{**added, "matched": 3, "fired": 1}]
    assert api.request("DELETE", "/__admin/faults").json() == {"cleared": 1}
    assert api.get("/__admin/faults").json() == {"faults": []}


def test_invalid_fault_is_400_with_path(api):
    r = api.post("/__admin/faults", body={"provider": "klaim", "route": "/users/{user_id}/credits/usage", "status": 402})
    assert r.status == 400
    assert r.json() == {"error": "invalid_fault",
                        "message": "$.status: klaim cannot be made to answer 402; expected one of: 429, 500, 503"}
    r = api.post("/__admin/faults", body="{nope")
    assert r.status == 400 and r.json()["message"].startswith("line 1, column 2: invalid JSON")


def test_delay_holds_the_response(api, faults):
    faults(provider="poe", route=BALANCE, delay_ms=400, nth=1)
    started = time.monotonic()
    first = api.get(BALANCE, token=POE)
    delayed = time.monotonic() - started
    started = time.monotonic()
    second = api.get(BALANCE, token=POE)
    plain = time.monotonic() - started
    assert first.status == second.status == 200 and first.body == second.body
    assert delayed >= 0.4 and plain < 0.3, (delayed, plain)


def test_delay_does_not_block_other_connections(api, faults):
    """A delayed connection is suspended: its worker thread serves others meanwhile."""
    import threading
    faults(provider="poe", route=BALANCE, delay_ms=1500)
    threads = [threading.Thread(target=api.get, args=(BALANCE,), kwargs={"token": POE}) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    started = time.monotonic()
    assert api.get("/api/v1/usage", token="sk_ops_test").status == 200
    assert time.monotonic() - started < 0.5
    for t in threads:
        t.join()


def test_drop_closes_without_an_answer(api, faults, server):
    faults(provider="klaim", route="/users/{user_id}/credits/usage", drop=True, nth=1)
    head = (b"POST /users/GtQ5Oezk6cOvSmPgxsMR/credits/usage HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Bearer klaim_test_key\r\nContent-Length: 0\r\n\r\n")
    status, received = api.raw(head)
    assert status is None and received == b""
    status, _ = api.raw(head)
    assert status == 200
    journal = api.get("/__admin/requests?provider=klaim&limit=2").json()["requests"]
    assert [e["status"] for e in journal] == [200, None]
    if server.stderr_path:  # the access log says so too, within its 100 ms batching
        line = "POST /users/GtQ5Oezk6cOvSmPgxsMR/credits/usage dropped"
        deadline = time.monotonic() + 3
        while line not in server.stderr_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert line in server.stderr_path.read_text()


def test_forced_status_header(api):
    r = api.get("/api/v1/usage", token="sk_ops_test", headers={"X-Usagemock-Status": "429"})
    assert r.status == 429 and r.header("Retry-After") == "1"
    body = r.json()
    assert body == {"error": "too many requests", "trace_id": r.header("X-Trace-Id")}
    assert api.get("/api/v1/usage", token="sk_ops_test").status == 200
    r = api.get(BALANCE, headers={"X-Usagemock-Status": "402"})
    assert r.status == 402
    r = api.get("/v1/billing/usage-history", token="hb_test_key", headers={"X-Usagemock-Status": "teapot"})
    assert r.status == 400
    assert r.json() == {"error": "invalid_forced_status",
                        "message": 'X-Usagemock-Status must be one of 429, 500, 503 for hookbridge (got "teapot")'}


def test_scenario_faults_are_deterministic(tmp_path):
    scenario = json.loads((REPO_ROOT / "Scenarios" / "default.json").read_text())
    scenario["faults"] = [
        {"provider": "poe", "route": BALANCE, "status": 429, "every": 2},
        {"provider": "sybilion", "route": "/api/v1/usage", "status": 500, "nth": 1},
    ]
    schema = json.loads((REPO_ROOT / "Scenarios" / "scenario.schema.json").read_text())
    jsonschema.validate(scenario, schema)
    path = tmp_path / "faulty.json"
    path.write_text(json.dumps(scenario))
    runs = []
    for _ in range(2):
        with serve_process("--scenario", path) as api:
            runs.append(statuses(api, 4) + statuses(api, 2, "/api/v1/usage", "sk_ops_test"))
    assert runs[0] == runs[1] == [200, 429, 200, 429, 500, 200]


def test_invalid_scenario_fault_is_refused_by_validate(tmp_path):
    import subprocess, os
    scenario = json.loads((REPO_ROOT / "Scenarios" / "default.json").read_text())
    scenario["faults"] = [{"provider": "poe", "route": BALANCE, "status": 429, "nth": 1, "times": 2}]
    schema = json.loads((REPO_ROOT / "Scenarios" / "scenario.schema.json").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(scenario, schema)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(scenario))
    binary = os.environ.get("USAGEMOCK_BIN", str(REPO_ROOT / ".build/debug/usagemock"))
    result = subprocess.run([binary, "validate", str(path)], capture_output=True, text=True)
    assert result.returncode != 0
    assert f"{path}: $.faults[0].times: give at most one of nth, every, times" in result.stdout + result.stderr
