"""docs/behaviour.md, common rules (common rules), section 7 health, across all providers."""

from __future__ import annotations

import json
import re
import threading
import time

import socket

import pytest

POE_KEY = "sk_test_poe"
HB_KEY = "hb_test_key"
KLAIM_KEY = "klaim_test_key"
SYB_KEY = "sk_ops_test"
KLAIM_USER = "GtQ5Oezk6cOvSmPgxsMR"
KLAIM_PATH = f"/users/{KLAIM_USER}/credits/usage"

# (name, method, path, key, allowed method)
ROUTES = [
    ("poe_balance", "GET", "/usage/current_balance", POE_KEY, "GET"),
    ("poe_history", "GET", "/usage/points_history", POE_KEY, "GET"),
    ("hookbridge", "GET", "/v1/billing/usage-history", HB_KEY, "GET"),
    ("klaim", "POST", KLAIM_PATH, KLAIM_KEY, "POST"),
    ("sybilion", "GET", "/api/v1/usage", SYB_KEY, "GET"),
]
ROUTE_IDS = [r[0] for r in ROUTES]
ALL_KEYS = [POE_KEY, HB_KEY, KLAIM_KEY, SYB_KEY]
REQ_ID_RE = re.compile(r"^req_[a-z0-9]+$")


def assert_provider_error_shape(name, resp, status):
    """The body is in the error shape of the provider that owns the route."""
    assert resp.status == status, resp
    body = resp.json()
    if name.startswith("poe"):
        assert set(body) == {"error"}, body
        assert set(body["error"]) == {"message", "type", "code"}, body
        assert all(isinstance(v, str) for v in body["error"].values()), body
    elif name == "hookbridge":
        assert set(body) == {"error", "meta"}, body
        assert set(body["error"]) == {"code", "message"}, body
        assert set(body["meta"]) == {"request_id"}, body
        assert REQ_ID_RE.match(body["meta"]["request_id"]), body
        assert resp.header("X-Request-Id") == body["meta"]["request_id"], resp.header_list
    elif name == "klaim":
        assert set(body) == {"message"} and isinstance(body["message"], str), body
    elif name == "sybilion":
        assert set(body) == {"error", "trace_id"}, body
        assert isinstance(body["error"], str) and isinstance(body["trace_id"], str), body
        assert body["trace_id"], body
        assert resp.header("X-Trace-Id") == body["trace_id"], resp.header_list
    return body


def ok_request(api, name, method, path, key, **kw):
    if method == "POST":
        return api.post(path, token=key, body=b"", **kw)
    return api.get(path, token=key, **kw)


# ---------------------------------------------------------------------------
# section 7: health
# ---------------------------------------------------------------------------


def test_admin_health(api):
    r = api.get("/__admin/health")
    assert r.status == 200, r
    body = r.json()
    assert body["status"] == "ok", body


def test_access_log_line(api, server):
    """One line per request, laid out like swift-log's other lines, without the query."""
    if not server.stderr_path:
        pytest.skip("the server's stderr is not captured")
    assert api.get("/usage/points_history?limit=2", token="sk_test_poe").status == 200
    pattern = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} info usagemock: \[UsageMock\] "
                         r"GET /usage/points_history 200 \d+us$", re.MULTILINE)
    deadline = time.monotonic() + 3  # lines leave in batches, every 100 ms
    while not pattern.search(server.stderr_path.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pattern.search(server.stderr_path.read_text())


# ---------------------------------------------------------------------------
# rule 5: unknown route / 405
# ---------------------------------------------------------------------------


def test_unknown_route_body_exact(api):
    r = api.get("/x")
    assert r.status == 404, r
    assert r.json() == {"error": "not_found", "message": "no mock route for GET /x"}
    assert r.body == b'{"error":"not_found","message":"no mock route for GET /x"}', r.body


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE", "PUT"])
@pytest.mark.parametrize(
    "path", ["/x", "/usage", "/v1/billing", "/api/v1", "/users/u/credits", "/__adminx/health"]
)
def test_unknown_route_any_method(api, method, path):
    r = api.request(method, path, token=POE_KEY)
    assert r.status == 404, r
    assert r.json() == {"error": "not_found", "message": f"no mock route for {method} {path}"}


def test_root_is_the_index(api):
    r = api.get("/")
    assert r.status == 200 and r.json()["providers"]["sybilion"] == ["GET /api/v1/usage"]
    for method in ("POST", "DELETE", "PUT"):
        r = api.request(method, "/")
        assert r.status == 405 and r.header("Allow") == "GET" and r.json()["error"] == "method_not_allowed"


def test_unknown_route_needs_no_auth(api):
    # route is checked before auth: no Authorization, bad Authorization -> still 404
    for auth in (None, "Basic Zm9vOmJhcg==", "Bearer nope"):
        r = api.get("/nope", auth=auth)
        assert r.status == 404, r
        assert r.json() == {"error": "not_found", "message": "no mock route for GET /nope"}


@pytest.mark.parametrize("name,method,path,key,allowed", ROUTES, ids=ROUTE_IDS)
def test_trailing_slash_is_404(api, name, method, path, key, allowed):
    r = ok_request(api, name, method, path + "/", key)
    assert r.status == 404, r
    assert r.json() == {"error": "not_found", "message": f"no mock route for {method} {path}/"}


@pytest.mark.parametrize("name,method,path,key,allowed", ROUTES, ids=ROUTE_IDS)
def test_route_ok_baseline(api, name, method, path, key, allowed):
    r = ok_request(api, name, method, path, key)
    assert r.status == 200, r
    r.json()


WRONG_METHODS = [
    pytest.param(*route, other, id=f"{route[0]}-{other}")
    for route in ROUTES
    for other in ["GET", "POST", "PUT", "DELETE", "PATCH"]
    if other != route[1]
]


@pytest.mark.parametrize("name,method,path,key,allowed,other", WRONG_METHODS)
def test_wrong_method_405_before_auth(api, name, method, path, key, allowed, other):
    for auth in (f"Bearer {key}", None):  # method is checked before auth
        r = api.request(other, path, auth=auth)
        body = assert_provider_error_shape(name, r, 405)
        allow = r.header("Allow")
        assert allow is not None, r.header_list
        assert allowed in [m.strip() for m in allow.split(",")], allow
        assert method == allowed
        if name.startswith("poe"):
            assert body["error"]["type"] == "invalid_request_error", body
            assert body["error"]["code"] == "method_not_allowed", body
        if name == "hookbridge":
            assert body["error"]["code"] == "METHOD_NOT_ALLOWED", body
        if name == "klaim":
            assert allow.strip() == "POST", allow


# ---------------------------------------------------------------------------
# rule 7: percent-decoding of paths
# ---------------------------------------------------------------------------


def test_path_percent_decoded(api):
    a = api.get("/usage/current%5Fbalance", token=POE_KEY)
    b = api.get("/usage/current_balance", token=POE_KEY)
    assert a.status == 200, a
    assert a.body == b.body
    c = api.get("/api/v1/%75sage", token=SYB_KEY)
    assert c.status == 200, c
    d = api.post("/users/%47tQ5Oezk6cOvSmPgxsMR/credits/usage", token=KLAIM_KEY, body=b"")
    e = api.post(KLAIM_PATH, token=KLAIM_KEY, body=b"")
    assert d.status == 200, d
    assert d.body == e.body


# ---------------------------------------------------------------------------
# rule 2: auth across providers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name,method,path,key,allowed", ROUTES, ids=ROUTE_IDS)
def test_key_of_another_provider_is_401(api, name, method, path, key, allowed):
    for other in ALL_KEYS:
        if other == key:
            continue
        r = ok_request(api, name, method, path, other)
        assert_provider_error_shape(name, r, 401)
        assert r.header("WWW-Authenticate") == "Bearer", r.header_list


@pytest.mark.parametrize("name,method,path,key,allowed", ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_bearer_scheme_case_insensitive(api, name, method, path, key, allowed, scheme):
    r = ok_request(api, name, method, path, None, auth=f"{scheme} {key}")
    assert r.status == 200, r


@pytest.mark.parametrize("name,method,path,key,allowed", ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize(
    "auth",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic {key}",
        "Token {key}",
        "{key}",
        "Bearer {key} extra",
        "Bearer {key}x",
        "Bearer x{key}",
        "Bearer {KEY}",
        "Bearer nope",
    ],
    ids=lambda a: repr(a),
)
def test_bad_auth_401(api, name, method, path, key, allowed, auth):
    if auth is not None:
        auth = auth.replace("{key}", key).replace("{KEY}", key.upper())
    r = ok_request(api, name, method, path, None, auth=auth)
    assert_provider_error_shape(name, r, 401)
    assert r.header("WWW-Authenticate") == "Bearer", r.header_list


# ---------------------------------------------------------------------------
# rule 1: order of checks  (route -> method -> auth -> params/body -> resource)
# ---------------------------------------------------------------------------

BAD_PARAMS = {
    "poe_history": "/usage/points_history?limit=abc",
    "hookbridge": "/v1/billing/usage-history?limit=abc",
    "sybilion": "/api/v1/usage?limit=abc",
}


@pytest.mark.parametrize("name", sorted(BAD_PARAMS))
def test_auth_before_params(api, name):
    target = BAD_PARAMS[name]
    r = api.get(target)
    assert_provider_error_shape(name, r, 401)
    r = api.get(target, token="wrong")
    assert_provider_error_shape(name, r, 401)
    key = {"poe_history": POE_KEY, "hookbridge": HB_KEY, "sybilion": SYB_KEY}[name]
    r = api.get(target, token=key)
    assert_provider_error_shape(name, r, 400)


def test_method_before_params(api):
    r = api.post("/usage/points_history?limit=abc", token=POE_KEY)
    assert_provider_error_shape("poe_history", r, 405)
    r = api.request("PUT", "/api/v1/usage?limit=abc")
    assert_provider_error_shape("sybilion", r, 405)


def test_klaim_order_auth_body_resource(api):
    unknown = "/users/no_such_user_xyz/credits/usage"
    # no auth beats bad body and unknown user
    r = api.post(unknown, body=b"{not json")
    assert r.status == 401 and r.json() == {"message": "Unauthorized"}, r
    # bad body beats unknown user
    r = api.post(unknown, token=KLAIM_KEY, body=b"{not json")
    assert r.status == 400, r
    assert set(r.json()) == {"message"}
    r = api.post(unknown, token=KLAIM_KEY, body={"limit": 0})
    assert r.status == 400, r
    # then the resource
    r = api.post(unknown, token=KLAIM_KEY, body=b"")
    assert r.status == 404 and r.json() == {"message": "Can not find user with the given user_id."}, r
    # method beats everything
    r = api.get(unknown)
    assert r.status == 405, r


# ---------------------------------------------------------------------------
# rule 4: determinism, also with concurrent traffic
# ---------------------------------------------------------------------------

REQ_ID_BODY_RE = re.compile(rb'"(request_id|trace_id)"\s*:\s*"[^"]*"')


def _normalised(r):
    return r.status, REQ_ID_BODY_RE.sub(b'"\\1":"X"', r.body)


DET_REQUESTS = [
    ("GET", "/usage/current_balance", POE_KEY, None),
    ("GET", "/usage/points_history?limit=37", POE_KEY, None),
    ("GET", "/usage/points_history?limit=abc", POE_KEY, None),
    ("GET", "/v1/billing/usage-history?limit=7&offset=3", HB_KEY, None),
    ("GET", "/v1/billing/usage-history?limit=99", HB_KEY, None),
    ("POST", KLAIM_PATH, KLAIM_KEY, b'{"limit":33}'),
    ("POST", KLAIM_PATH, KLAIM_KEY, b'{"limit":"x"}'),
    ("GET", "/api/v1/usage?sort=units&order=asc&limit=60&page=2", SYB_KEY, None),
    ("GET", "/api/v1/usage?sort=bogus", SYB_KEY, None),
    ("GET", "/nope", None, None),
]


def test_determinism_sequential_and_concurrent(api):
    baseline = [_normalised(api.request(m, p, token=k, body=b)) for m, p, k, b in DET_REQUESTS]
    again = [_normalised(api.request(m, p, token=k, body=b)) for m, p, k, b in DET_REQUESTS]
    assert again == baseline

    results = {}
    errors = []

    def worker(idx):
        try:
            out = []
            for j in range(3):
                for i, (m, p, k, b) in enumerate(DET_REQUESTS[idx:] + DET_REQUESTS[:idx]):
                    out.append(((i + idx) % len(DET_REQUESTS), _normalised(api.request(m, p, token=k, body=b))))
            results[idx] = out
        except Exception as e:  # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    for idx, out in results.items():
        for i, got in out:
            assert got == baseline[i], (DET_REQUESTS[i], got, baseline[i])


def test_burst_of_2000_requests_from_40_clients(api):
    """40 clients at once, 50 requests each across every provider (a new connection per
    request): every answer is the one the same request gets alone."""
    baseline = [_normalised(api.request(m, p, token=k, body=b)) for m, p, k, b in DET_REQUESTS]
    failures = []

    def client(idx):
        for j in range(50):
            i = (idx + j) % len(DET_REQUESTS)
            m, p, k, b = DET_REQUESTS[i]
            try:
                got = _normalised(api.request(m, p, token=k, body=b))
            except Exception as e:  # a refused or dropped connection is a failure too
                got = repr(e)
            if got != baseline[i]:
                failures.append((DET_REQUESTS[i], got))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "clients still waiting after 120 s"
    assert not failures, f"{len(failures)} of 2000 wrong, first: {failures[:3]}"


# ---------------------------------------------------------------------------
# rule 6: limits and malformed requests
# ---------------------------------------------------------------------------


def _health_ok(api):
    r = api.get("/__admin/health")
    assert r.status == 200, r


def test_header_over_16k_is_431(api):
    head = (
        b"GET /usage/current_balance HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Authorization: Bearer sk_test_poe\r\nX-Pad: " + b"a" * (17 * 1024) + b"\r\n\r\n"
    )
    status, data = api.raw(head)
    assert status == 431, data[:300]
    _health_ok(api)


def test_long_request_line_is_414(api):
    head = (
        b"GET /usage/points_history?pad=" + b"a" * (20 * 1024) + b" HTTP/1.1\r\n"
        b"Host: 127.0.0.1\r\nAuthorization: Bearer sk_test_poe\r\n\r\n"
    )
    status, data = api.raw(head)
    assert status == 414, data[:300]
    _health_ok(api)


def test_body_over_1mib_is_413(api):
    body = b" " * (1024 * 1024) + b"{}"
    head = (
        f"POST {KLAIM_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {KLAIM_KEY}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    status, data = api.raw(head, body, timeout=10)
    assert status == 413, data[:300]
    payload = data.split(b"\r\n\r\n", 1)[1]
    headers = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    assert "content-type: application/json" in headers, headers
    obj = json.loads(payload)
    assert set(obj) == {"error", "message"}, obj
    assert isinstance(obj["error"], str) and isinstance(obj["message"], str), obj
    _health_ok(api)


def test_body_of_exactly_1mib_is_accepted(api):
    core = b'{"limit":3}'
    body = core + b" " * (1024 * 1024 - len(core))
    assert len(body) == 1024 * 1024
    r = api.post(KLAIM_PATH, token=KLAIM_KEY, body=body)
    assert r.status == 200, r
    assert len(r.json()["data"]) == 3


MALFORMED = [
    b"GARBAGE\r\n\r\n",
    b"GET\r\n\r\n",
    b"GET /usage/current_balance HTTP/1.1\r\nHost: a\r\nNoColonHeader\r\n\r\n",
    b"POST " + KLAIM_PATH.encode() + b" HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n",
    b"POST " + KLAIM_PATH.encode() + b" HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n",
    b"POST " + KLAIM_PATH.encode() + b" HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    b"POST " + KLAIM_PATH.encode() + b" HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n",
]


@pytest.mark.parametrize("raw", MALFORMED)
def test_malformed_request_4xx_or_close(api, raw):
    status, data = api.raw(raw)
    assert status is None or 400 <= status < 500, f"got {status}, want 4xx or a closed connection: {data[:200]!r}"
    _health_ok(api)


@pytest.mark.parametrize(
    "raw",
    [
        b"GET /usage/current_balance HTTP/9.9\r\nHost: a\r\n\r\n",
        b"GET /usage/current_balance HTTP/2.0\r\nHost: a\r\n\r\n",
        b"GET /usage/current_balance HTTP/0.9\r\nHost: a\r\n\r\n",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    ],
    ids=["http-9.9", "http-2.0", "http-0.9", "http2-preface"],
)
def test_http_version_other_than_1x_gets_505(api, raw):
    """common rule 6: the one 5xx allowed (RFC 9110 §15.6.6); the server stays healthy."""
    status, data = api.raw(raw)
    assert status == 505, f"got {status}: {data[:200]!r}"
    _health_ok(api)


def test_nul_bytes_do_not_hold_the_server(api, server):
    """libmicrohttpd reads a line of NUL bytes as an empty line and keeps waiting for a
    request line, as for any blank line; that connection is closed by the idle timeout
    (30 s). Meanwhile everyone else is served."""
    s = socket.create_connection((server.host, server.port), timeout=5)
    try:
        s.sendall(b"\x00\x01\x02\x03\r\n\r\n")
        _health_ok(api)
        r = api.get("/usage/current_balance", token=POE_KEY)
        assert r.status == 200, r
    finally:
        s.close()


def test_half_sent_request_does_not_block_others(api, server):
    import socket

    s = socket.create_connection((server.host, server.port), timeout=5)
    try:
        s.sendall(b"GET /usage/current_balance HTTP/1.1\r\nHost: a\r\n")  # never finished
        _health_ok(api)
        r = api.get("/usage/current_balance", token=POE_KEY)
        assert r.status == 200, r
    finally:
        s.close()
    _health_ok(api)


def test_keep_alive_connection_serves_several_requests(server):
    import http.client

    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    try:
        bodies = []
        for _ in range(3):
            conn.request("GET", "/usage/current_balance", headers={"Authorization": f"Bearer {POE_KEY}"})
            r = conn.getresponse()
            bodies.append((r.status, r.read()))
        assert all(b == bodies[0] for b in bodies), bodies
        assert bodies[0][0] == 200
    finally:
        conn.close()
