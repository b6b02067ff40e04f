"""CORS headers and preflights, on by default and off with --no-cors."""

from __future__ import annotations

from conftest import serve_process

PREFLIGHT = {"Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET",
             "Access-Control-Request-Headers": "authorization"}


def test_responses_carry_cors_headers(api):
    for r in (api.get("/usage/current_balance", token="sk_test_poe"), api.get("/api/v1/usage")):
        assert r.header("Access-Control-Allow-Origin") == "*"
        assert "X-Trace-Id" in r.header("Access-Control-Expose-Headers")
    # The admin surface is not for other sites: no CORS at all.
    r = api.get("/__admin/health")
    assert r.status == 200 and r.header("Access-Control-Allow-Origin") is None


def test_preflight_for_provider_routes_only(api):
    r = api.request("OPTIONS", "/api/v1/usage", headers=PREFLIGHT)
    assert r.status == 204 and r.body == b""
    assert r.header("Access-Control-Allow-Origin") == "*"
    assert r.header("Access-Control-Allow-Methods") == "GET, OPTIONS"
    assert r.header("Access-Control-Allow-Headers") == "authorization"
    r = api.request("OPTIONS", "/__admin/requests", headers={**PREFLIGHT, "Access-Control-Request-Method": "DELETE"})
    assert r.status == 403 and r.header("Access-Control-Allow-Methods") is None


def test_no_cors_flag():
    with serve_process("--no-cors") as api:
        r = api.get("/usage/current_balance", token="sk_test_poe")
        assert r.status == 200 and r.header("Access-Control-Allow-Origin") is None
        r = api.request("OPTIONS", "/api/v1/usage", headers=PREFLIGHT)
        assert r.status == 405 and r.header("Access-Control-Allow-Origin") is None
