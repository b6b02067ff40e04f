"""The request journal (GET/DELETE /__admin/requests) against the real binary."""

from __future__ import annotations

from conftest import serve_process


def journal(api, query=""):
    r = api.get("/__admin/requests" + query)
    assert r.status == 200, r
    return r.json()["requests"]


def test_client_calls_are_listed_newest_first(api):
    api.request("DELETE", "/__admin/requests")
    first = api.get("/usage/points_history?limit=2", token="sk_test_poe").json()
    cursor = first["data"][-1]["query_id"]
    api.get(f"/usage/points_history?limit=2&starting_after={cursor}", token="sk_test_poe")
    api.post("/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage", token="klaim_test_key", body={"limit": 5})
    entries = journal(api)
    assert [e["path"] for e in entries] == [
        "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage", "/usage/points_history", "/usage/points_history"]
    # "my client called page 2 with starting_after=X"
    assert entries[1]["query"] == f"limit=2&starting_after={cursor}"
    assert entries[1]["provider"] == "poe" and entries[1]["route"] == "GET /usage/points_history"
    assert entries[0]["method"] == "POST" and entries[0]["body_size"] == len(b'{"limit": 5}')
    assert all(e["status"] == 200 and e["duration_us"] >= 0 and e["time"].endswith("Z") for e in entries)
    assert entries[0]["id"] > entries[1]["id"] > entries[2]["id"]


def test_authorization_is_masked(api):
    api.request("DELETE", "/__admin/requests")
    api.get("/api/v1/usage", token="sk_ops_test")
    r = api.get("/__admin/requests")
    assert b"sk_ops_test" not in r.body
    assert r.json()["requests"][0]["headers"]["Authorization"] == "Bearer sk_o*******"


def test_filters_and_admin_requests_not_journaled(api):
    api.request("DELETE", "/__admin/requests")
    api.get("/api/v1/usage", token="sk_ops_test")
    api.get("/api/v1/usage", token="wrong")
    api.get("/v1/billing/usage-history", token="hb_test_key")
    api.get("/__admin/health")
    assert len(journal(api)) == 3
    assert len(journal(api, "?provider=sybilion")) == 2
    assert len(journal(api, "?provider=sybilion&status=401")) == 1
    assert [e["provider"] for e in journal(api, "?path=/v1/billing/usage-history")] == ["hookbridge"]
    assert api.get("/__admin/requests?status=abc").status == 400
    assert api.request("DELETE", "/__admin/requests").json() == {"cleared": 3}
    assert journal(api) == []


def test_journal_size_bounds_the_ring():
    with serve_process("--journal-size", "2") as api:
        for page in (1, 2, 3):
            api.get(f"/api/v1/usage?page={page}", token="sk_ops_test")
        r = api.get("/__admin/requests").json()
        assert r["capacity"] == 2
        assert [e["query"] for e in r["requests"]] == ["page=3", "page=2"]
