"""HookBridge: GET /v1/billing/usage-history (docs/behaviour.md, HookBridge, the default scenario).

Driven through the official SDK (hookbridge==2.0.0) where it can express the
request, raw HTTP for what the SDK cannot send (bad integers, missing params).

SDK facts (hookbridge/client.py):
  * httpx.Client(base_url=base_url.rstrip("/")) + "/v1/billing/usage-history?limit=L&offset=O"
    -- limit and offset are always sent; headers Authorization: Bearer <key>,
    Content-Type: application/json (on a GET), Accept: application/json.
  * 200 -> UsageHistoryResponse(rows, total, limit, offset, has_more): needs
    data[] and meta.total/limit/offset/has_more (KeyError otherwise); rows need
    period_start/period_end (date.fromisoformat), message_count, overage_count;
    plan_limit via .get().  meta.request_id is not exposed -> raw response via an
    httpx event hook.
  * non-2xx -> error.code/error.message/meta.request_id parsed from the body;
    401 -> AuthenticationError, 404 -> NotFoundError, other 4xx -> HookBridgeError
    (status_code set).  4xx are never retried.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

import pytest
from hookbridge import AuthenticationError, HookBridge, HookBridgeError

KEY = "hb_test_key"
PATH = "/v1/billing/usage-history"
TOTAL = 30
REQ_ID_RE = re.compile(r"^req_[a-z0-9]+$")
UNAUTH_ERROR = {"code": "UNAUTHORIZED", "message": "Invalid or missing API key"}
ROW_KEYS = {"period_start", "period_end", "message_count", "overage_count", "plan_limit"}


class SDK:
    """The official client plus the raw httpx responses it received."""

    def __init__(self, base_url, key=KEY):
        self.client = HookBridge(key, base_url=base_url, retries=0)
        self.responses = []
        self.client._client.event_hooks = {"request": [], "response": [self.responses.append]}

    def usage(self, **kw):
        return self.client.get_usage_history(**kw)

    @property
    def last(self):
        return self.responses[-1]

    def close(self):
        self.client.close()


@pytest.fixture(scope="module")
def sdk(base_url):
    s = SDK(base_url)
    yield s
    s.close()


@pytest.fixture(scope="module")
def all_rows(sdk):
    res = sdk.usage(limit=24, offset=0)
    res2 = sdk.usage(limit=24, offset=24)
    return res.rows + res2.rows


@pytest.fixture(scope="module")
def all_raw_rows(api):
    rows = []
    for off in (0, 24):
        r = api.get(f"{PATH}?limit=24&offset={off}", token=KEY)
        assert r.status == 200, r
        rows += r.json()["data"]
    return rows


def raw(api, query="", token=KEY, **kw):
    return api.get(PATH + (f"?{query}" if query else ""), token=token, **kw)


def assert_request_id(r):
    """X-Request-Id header present, well-formed, equal to meta.request_id; returns it."""
    body = r.json()
    rid = r.header("X-Request-Id")
    assert rid is not None, r.header_list
    assert REQ_ID_RE.match(rid), rid
    assert body["meta"]["request_id"] == rid, (body["meta"], rid)
    return rid


def assert_400(r, param):
    assert r.status == 400, r
    body = r.json()
    assert set(body) == {"error", "meta"}, body
    assert set(body["error"]) == {"code", "message"} and set(body["meta"]) == {"request_id"}, body
    assert body["error"]["code"] == "INVALID_REQUEST", body
    assert param in body["error"]["message"], f"message should name {param!r}: {body}"
    assert_request_id(r)


# ---------------------------------------------------------------- SDK happy path


def test_sdk_defaults(sdk):
    res = sdk.usage()
    assert (res.total, res.limit, res.offset, res.has_more) == (TOTAL, 12, 0, True)
    assert len(res.rows) == 12
    assert sdk.last.request.url.path == PATH
    assert sdk.last.headers["content-type"].split(";")[0].strip() == "application/json"


def test_raw_defaults_without_params(api, sdk):
    r = raw(api)
    assert r.status == 200, r
    body = r.json()
    assert set(body) == {"data", "meta"}, body.keys()
    assert set(body["meta"]) == {"request_id", "total", "limit", "offset", "has_more"}, body["meta"]
    assert body["meta"]["limit"] == 12 and body["meta"]["offset"] == 0
    assert body["meta"]["total"] == TOTAL and body["meta"]["has_more"] is True
    assert len(body["data"]) == 12
    assert_request_id(r)
    # same page as the SDK's explicit limit=12&offset=0
    sdk.usage(limit=12, offset=0)
    assert body["data"] == sdk.last.json()["data"]


def test_sdk_request_id_header_matches_meta(sdk):
    sdk.usage(limit=3, offset=1)
    r = sdk.last
    body = r.json()
    assert REQ_ID_RE.match(body["meta"]["request_id"]), body["meta"]
    assert r.headers["x-request-id"] == body["meta"]["request_id"]


@pytest.mark.parametrize("limit", [1, 2, 12, 23, 24])
def test_limit_range_ok(sdk, all_rows, limit):
    res = sdk.usage(limit=limit, offset=0)
    assert res.limit == limit and res.offset == 0 and res.total == TOTAL
    assert res.rows == all_rows[:limit]
    assert res.has_more is True


@pytest.mark.parametrize(
    "offset,n,more", [(0, 12, True), (1, 12, True), (18, 12, False), (19, 11, False), (29, 1, False),
                      (30, 0, False), (31, 0, False), (1000, 0, False)]
)
def test_offset_edges(sdk, all_rows, offset, n, more):
    res = sdk.usage(limit=12, offset=offset)
    assert len(res.rows) == n
    assert res.rows == all_rows[offset : offset + 12]
    assert res.has_more is more
    assert (res.total, res.limit, res.offset) == (TOTAL, 12, offset)


def test_offset_int64_max(api):
    r = raw(api, "offset=9223372036854775807&limit=24")
    assert r.status == 200, r
    body = r.json()
    assert body["data"] == [] and body["meta"]["has_more"] is False
    assert body["meta"]["offset"] == 9223372036854775807


@pytest.mark.parametrize("limit", [1, 5, 7, 12, 24])
def test_full_walk_sdk(sdk, all_rows, limit):
    rows, offset, pages = [], 0, 0
    while True:
        res = sdk.usage(limit=limit, offset=offset)
        pages += 1
        rows += res.rows
        offset += len(res.rows)
        assert res.has_more is (offset < res.total)
        if not res.has_more:
            break
        assert pages <= TOTAL
    assert rows == all_rows
    assert pages == -(-TOTAL // limit)


# ---------------------------------------------------------------- data facts


def test_total_30_and_newest_is_clock_month(all_rows):
    assert len(all_rows) == TOTAL
    assert all_rows[0].period_start == date(2026, 11, 1)
    assert all_rows[0].period_end == date(2026, 11, 30)


def test_newest_month_first_no_duplicates(all_rows):
    starts = [r.period_start for r in all_rows]
    assert starts == sorted(set(starts), reverse=True)


def test_rows_month_aligned(all_rows):
    for r in all_rows:
        assert r.period_start.day == 1, r
        last = calendar.monthrange(r.period_start.year, r.period_start.month)[1]
        assert r.period_end == date(r.period_start.year, r.period_start.month, last), r


def test_overage_invariant(all_rows):
    for r in all_rows:
        assert type(r.message_count) is int and r.message_count >= 0, r
        assert type(r.overage_count) is int, r
        if r.plan_limit is None:
            assert r.overage_count == 0, r
        else:
            assert type(r.plan_limit) is int, r
            assert r.overage_count == max(0, r.message_count - r.plan_limit), r


def test_some_plan_limit_null_some_not(all_raw_rows):
    for row in all_raw_rows:
        assert set(row) == ROW_KEYS, row  # plan_limit present (null), not omitted
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["period_start"]), row
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["period_end"]), row
    assert any(row["plan_limit"] is None for row in all_raw_rows)
    assert any(row["plan_limit"] is not None for row in all_raw_rows)


# ---------------------------------------------------------------- auth


def test_sdk_bad_key_raises_authentication_error(base_url):
    bad = SDK(base_url, key="wrong_key")
    try:
        with pytest.raises(AuthenticationError) as ei:
            bad.usage(limit=12, offset=0)
        err = ei.value
        assert err.status_code == 401 and err.code == "UNAUTHORIZED"
        assert str(err).startswith("Invalid or missing API key")
        assert err.request_id and REQ_ID_RE.match(err.request_id), err.request_id
        assert bad.last.headers["x-request-id"] == err.request_id
        assert bad.last.headers["www-authenticate"] == "Bearer"
        assert len(bad.responses) == 1  # retries=0, and 4xx are not retried anyway
    finally:
        bad.close()


@pytest.mark.parametrize("key", ["sk_test_poe", "klaim_test_key", "sk_ops_test", "HB_TEST_KEY"])
def test_sdk_other_keys_raise_authentication_error(base_url, key):
    bad = SDK(base_url, key=key)
    try:
        with pytest.raises(AuthenticationError):
            bad.usage()
    finally:
        bad.close()


@pytest.mark.parametrize("auth", [None, "", "Bearer", "Basic aGI6", "Bearer nope", f"Bearer {KEY} x", KEY], ids=repr)
def test_raw_401_shape(api, auth):
    r = raw(api, "limit=5", token=None, auth=auth)
    assert r.status == 401, r
    body = r.json()
    assert set(body) == {"error", "meta"}, body
    assert body["error"] == UNAUTH_ERROR
    assert set(body["meta"]) == {"request_id"}
    assert_request_id(r)
    assert r.header("WWW-Authenticate") == "Bearer"


@pytest.mark.parametrize("scheme", ["bearer", "BEARER"])
def test_scheme_case_insensitive(api, scheme):
    r = raw(api, "limit=5", token=None, auth=f"{scheme} {KEY}")
    assert r.status == 200, r


def test_auth_before_params(api):
    r = raw(api, "limit=0&offset=-1", token=None)
    assert r.status == 401 and r.json()["error"] == UNAUTH_ERROR, r


# ---------------------------------------------------------------- 400


@pytest.mark.parametrize("limit", [0, 25, -1, 100])
def test_sdk_limit_out_of_range(sdk, limit):
    with pytest.raises(HookBridgeError) as ei:
        sdk.usage(limit=limit, offset=0)
    err = ei.value
    assert not isinstance(err, AuthenticationError)
    assert err.status_code == 400 and err.code == "INVALID_REQUEST", (err.status_code, err.code)
    assert "limit" in str(err)
    assert REQ_ID_RE.match(err.request_id or ""), err.request_id
    assert sdk.last.headers["x-request-id"] == err.request_id


def test_sdk_negative_offset(sdk):
    with pytest.raises(HookBridgeError) as ei:
        sdk.usage(limit=12, offset=-1)
    assert ei.value.status_code == 400 and ei.value.code == "INVALID_REQUEST"
    assert "offset" in str(ei.value)


BAD_INTS = ["abc", "1.5", "", "1e3", "+1", "0x1", "9223372036854775808", "99999999999999999999999", "-9223372036854775809"]


@pytest.mark.parametrize("value", BAD_INTS, ids=repr)
@pytest.mark.parametrize("param", ["limit", "offset"])
def test_bad_integers(api, param, value):
    assert_400(raw(api, f"{param}={value}"), param)


@pytest.mark.parametrize("query,param", [("limit=0", "limit"), ("limit=25", "limit"), ("limit=-1", "limit"),
                                         ("offset=-1", "offset"), ("limit=1&limit=2", "limit"),
                                         ("offset=0&offset=0", "offset"), ("limit=9223372036854775807", "limit")])
def test_raw_400(api, query, param):
    assert_400(raw(api, query), param)


def test_leading_zeros_are_digits(api, all_raw_rows):
    r = raw(api, "limit=003&offset=002")
    assert r.status == 200, r
    body = r.json()
    assert body["data"] == all_raw_rows[2:5]
    assert body["meta"]["limit"] == 3 and body["meta"]["offset"] == 2


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_405(api, method):
    r = api.request(method, PATH, token=KEY)
    assert r.status == 405, r
    body = r.json()
    assert set(body) == {"error", "meta"} and body["error"]["code"] == "METHOD_NOT_ALLOWED", body
    assert "GET" in [m.strip() for m in r.header("Allow").split(",")], r.header_list
    assert_request_id(r)


# ---------------------------------------------------------------- ids, determinism


def test_request_ids_unique_incl_errors(api, sdk):
    ids = []
    for q, tok in [("", KEY), ("limit=3", KEY), ("limit=0", KEY), ("", None), ("offset=99", KEY)] * 6:
        r = raw(api, q, token=tok)
        ids.append(assert_request_id(r))
    r = api.request("DELETE", PATH, token=KEY)
    ids.append(assert_request_id(r))
    for _ in range(5):
        sdk.usage(limit=2, offset=0)
        ids.append(sdk.last.headers["x-request-id"])
    assert len(set(ids)) == len(ids), "request_id repeated"


@pytest.mark.parametrize("query,token", [("limit=7&offset=4", KEY), ("", KEY), ("limit=0", KEY), ("", "bad")])
def test_deterministic_except_request_id(api, query, token):
    a, b = raw(api, query, token=token), raw(api, query, token=token)
    ra, rb = a.json()["meta"]["request_id"], b.json()["meta"]["request_id"]
    assert ra != rb
    assert a.status == b.status
    assert a.body.replace(ra.encode(), b"REQ") == b.body.replace(rb.encode(), b"REQ")
