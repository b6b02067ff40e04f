"""Sybilion: GET /api/v1/usage (docs/behaviour.md, Sybilion, the default scenario).

Driven through the official SDK (sybilion==0.2.1) where it can express the
request, raw HTTP for what the SDK refuses to send.

SDK facts (sybilion/client.py, sybilion/_api/*):
  * URL = base_url.rstrip("/") + "/api/v1/usage" + "?page=&limit=&sort=&order="
    (only the arguments that are not None are sent; urllib3, Accept: application/json).
  * Client-side validation (pydantic validate_call): page >= 1, 1 <= limit <= 200,
    ints strict -- so the SDK never sends limit=0/201 or page=0.
  * 200 is parsed into ApiV1UsageGet200Response; the model REQUIRES
    pagination{page>=1, 1<=limit<=200, total>=0, total_pages>=0 (strict ints),
    sort in {id,created_at,eur_cents_charged,credits_charged,units},
    order in {asc,desc}} and usage_events[] with id/units/credits_charged/
    eur_cents_charged strict ints, created_at str, endpoint/async_job_id str|None.
  * Errors: Client.get_usage re-raises a plain ``Exception(body["error"])``
    (from the ApiException: UnauthorizedException on 401, BadRequestException on
    400) -- not the typed exception itself.
  * iter_usage_pages(sort="id", order="desc", limit=50) walks page=1.. and stops
    when page >= pagination.total_pages.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

import pytest
import sybilion
from sybilion import BadRequestException, UnauthorizedException

KEY = "sk_ops_test"
PATH = "/api/v1/usage"
TOTAL = 142
UNAUTH_MSG = "invalid or missing API token"
SORTS = ["id", "created_at", "eur_cents_charged", "credits_charged", "units"]
ORDERS = ["asc", "desc"]
ROW_KEYS = {"id", "endpoint", "units", "credits_charged", "eur_cents_charged", "created_at", "async_job_id"}
CREATED_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture(scope="module")
def client(base_url):
    return sybilion.Client(token=KEY, base_url=base_url)


@pytest.fixture(scope="module")
def raw_all(api):
    """All events in default order (id desc), raw JSON, one page of 200."""
    r = api.get(f"{PATH}?limit=200", token=KEY)
    assert r.status == 200, r
    body = r.json()
    assert len(body["usage_events"]) == TOTAL
    return body["usage_events"]


def raw(api, query="", token=KEY, **kw):
    return api.get(PATH + (f"?{query}" if query else ""), token=token, **kw)


def dump(events):
    return [e.to_dict() | {"endpoint": e.endpoint, "async_job_id": e.async_job_id} for e in events]


def assert_error(r, status, message=None):
    assert r.status == status, r
    body = r.json()
    assert set(body) == {"error", "trace_id"}, body
    assert isinstance(body["error"], str) and body["error"], body
    assert isinstance(body["trace_id"], str) and body["trace_id"], body
    assert r.header("X-Trace-Id") == body["trace_id"], r.header_list
    if message is not None:
        assert body["error"] == message, body
    return body


# ---------------------------------------------------------------- SDK happy path


def test_sdk_defaults(client):
    resp = client.get_usage()
    p = resp.pagination
    assert (p.page, p.limit, p.total, p.total_pages, p.sort, p.order) == (1, 50, TOTAL, 3, "id", "desc")
    assert len(resp.usage_events) == 50
    ids = [e.id for e in resp.usage_events]
    assert ids == sorted(ids, reverse=True)


def test_raw_defaults(api, raw_all):
    r = raw(api)
    assert r.status == 200, r
    body = r.json()
    assert set(body) == {"usage_events", "pagination"}, body.keys()
    assert body["pagination"] == {"page": 1, "limit": 50, "total": TOTAL, "total_pages": 3, "sort": "id", "order": "desc"}
    assert body["usage_events"] == raw_all[:50]
    assert "trace_id" not in body
    assert r.header("X-Trace-Id"), r.header_list


def test_sdk_with_http_info_has_trace_header(client):
    info = client._api.api_v1_usage_get_with_http_info(page=2, limit=10)
    assert info.status_code == 200
    assert info.headers.get("X-Trace-Id")
    assert info.headers.get("Content-Type").split(";")[0].strip() == "application/json"


@pytest.mark.parametrize("limit", [1, 7, 50, 71, 142, 200])
def test_sdk_iter_usage_pages(client, raw_all, limit):
    pages = list(client.iter_usage_pages(limit=limit))
    assert len(pages) == math.ceil(TOTAL / limit)
    for i, p in enumerate(pages, start=1):
        assert p.pagination.page == i
        assert p.pagination.limit == limit
        assert p.pagination.total == TOTAL
        assert p.pagination.total_pages == math.ceil(TOTAL / limit)
        assert len(p.usage_events) == min(limit, TOTAL - (i - 1) * limit)
    events = [e for p in pages for e in p.usage_events]
    assert [e.id for e in events] == [e["id"] for e in raw_all]
    assert dump(events) == raw_all


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("order", ORDERS)
def test_sort_and_tiebreak(client, api, sort, order):
    r = raw(api, f"sort={sort}&order={order}&limit=200")
    assert r.status == 200, r
    body = r.json()
    assert body["pagination"]["sort"] == sort and body["pagination"]["order"] == order
    rows = body["usage_events"]
    assert len(rows) == TOTAL
    keys = [(row[sort], row["id"]) for row in rows]
    assert keys == sorted(keys, reverse=(order == "desc")), f"not sorted by ({sort}, id) {order}"
    # the same sequence, walked through the SDK at another page size
    events = [e for p in client.iter_usage_pages(sort=sort, order=order, limit=9) for e in p.usage_events]
    assert dump(events) == rows


def test_page_past_last_is_empty(client, api):
    resp = client.get_usage(page=4, limit=50)
    assert resp.usage_events == []
    assert resp.pagination.page == 4 and resp.pagination.total == TOTAL and resp.pagination.total_pages == 3
    r = raw(api, "page=9223372036854775807&limit=200")
    assert r.status == 200, r
    body = r.json()
    assert body["usage_events"] == []
    assert body["pagination"]["page"] == 9223372036854775807


@pytest.mark.parametrize("limit,pages", [(1, 142), (2, 71), (3, 48), (50, 3), (141, 2), (142, 1), (143, 1), (200, 1)])
def test_total_pages(api, limit, pages):
    body = raw(api, f"limit={limit}").json()
    assert body["pagination"]["total_pages"] == pages
    assert body["pagination"]["limit"] == limit


def test_last_partial_page(api, raw_all):
    body = raw(api, "page=3&limit=50").json()
    assert body["usage_events"] == raw_all[100:]
    body = raw(api, "page=2&limit=71").json()
    assert body["usage_events"] == raw_all[71:]


def test_leading_zeros_are_digits(api, raw_all):
    body = raw(api, "page=002&limit=010").json()
    assert body["usage_events"] == raw_all[10:20]
    assert body["pagination"]["page"] == 2 and body["pagination"]["limit"] == 10


# ---------------------------------------------------------------- data facts


def test_rows(raw_all):
    ids = [row["id"] for row in raw_all]
    assert len(set(ids)) == TOTAL
    for row in raw_all:
        assert set(row) == ROW_KEYS, row
        for f in ("id", "units", "credits_charged", "eur_cents_charged"):
            assert type(row[f]) is int, (f, row)
        assert row["endpoint"] is None or (isinstance(row["endpoint"], str) and row["endpoint"]), row
        assert CREATED_RE.match(row["created_at"]), row
        datetime.strptime(row["created_at"], "%Y-%m-%dT%H:%M:%SZ")
        assert row["async_job_id"] is None or UUID_RE.match(row["async_job_id"]), row


def test_some_nulls(raw_all):
    assert any(r["endpoint"] is None for r in raw_all)
    assert any(r["endpoint"] is not None for r in raw_all)
    assert any(r["async_job_id"] is None for r in raw_all)
    assert any(r["async_job_id"] is not None for r in raw_all)


# ---------------------------------------------------------------- errors


def test_sdk_bad_token(base_url):
    bad = sybilion.Client(token="sk_ops_wrong", base_url=base_url)
    with pytest.raises(Exception) as ei:
        bad.get_usage()
    assert str(ei.value) == UNAUTH_MSG
    cause = ei.value.__cause__
    assert isinstance(cause, UnauthorizedException), repr(cause)
    assert cause.status == 401
    assert cause.headers.get("X-Trace-Id")
    assert cause.headers.get("WWW-Authenticate") == "Bearer"


@pytest.mark.parametrize("token", ["sk_test_poe", "hb_test_key", "klaim_test_key", "SK_OPS_TEST"])
def test_sdk_other_provider_token(base_url, token):
    bad = sybilion.Client(token=token, base_url=base_url)
    with pytest.raises(Exception) as ei:
        list(bad.iter_usage_pages())
    assert isinstance(ei.value.__cause__, UnauthorizedException)


def test_sdk_bad_sort_is_400(client):
    with pytest.raises(Exception) as ei:
        client.get_usage(sort="name")
    cause = ei.value.__cause__
    assert isinstance(cause, BadRequestException), repr(cause)
    assert cause.status == 400
    assert cause.headers.get("X-Trace-Id")


AUTH_CASES = [None, "", "Bearer", "Bearer ", "Basic c2s6", "Bearer nope", f"Bearer {KEY} {KEY}", KEY]


@pytest.mark.parametrize("auth", AUTH_CASES, ids=repr)
def test_raw_401(api, auth):
    r = raw(api, "limit=5", token=None, auth=auth)
    assert_error(r, 401, UNAUTH_MSG)
    assert r.header("WWW-Authenticate") == "Bearer"


@pytest.mark.parametrize("scheme", ["bearer", "BEARER"])
def test_scheme_case_insensitive(api, scheme):
    assert raw(api, token=None, auth=f"{scheme} {KEY}").status == 200


def test_auth_before_params(api):
    assert_error(raw(api, "limit=0&sort=x", token=None), 401, UNAUTH_MSG)


BAD_QUERIES = [
    "limit=0", "limit=201", "limit=-1", "limit=1000", "page=0", "page=-1",
    "limit=abc", "limit=1.5", "limit=", "limit=1e3", "limit=+5", "limit=9223372036854775808",
    "page=abc", "page=1.5", "page=", "page=1e3", "page=9223372036854775808", "page=99999999999999999999",
    "sort=", "sort=name", "sort=ID", "sort=Id", "sort=id%20", "sort=endpoint", "sort=async_job_id",
    "order=", "order=DESC", "order=Asc", "order=descending", "order=up",
    "limit=1&limit=2", "page=1&page=1", "sort=id&sort=id", "order=asc&order=desc",
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_raw_400(api, query):
    assert_error(raw(api, query), 400)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_405(api, method):
    r = api.request(method, PATH, token=KEY)
    assert_error(r, 405)
    assert "GET" in [m.strip() for m in r.header("Allow").split(",")], r.header_list


# ---------------------------------------------------------------- trace ids, determinism


def test_trace_ids_unique_incl_errors(api, client):
    ids = []
    for q, tok in [("", KEY), ("limit=3", KEY), ("limit=0", KEY), ("", None), ("page=9", KEY)] * 6:
        r = raw(api, q, token=tok)
        tid = r.header("X-Trace-Id")
        assert tid, r.header_list
        if r.status != 200:
            assert r.json()["trace_id"] == tid
        ids.append(tid)
    for _ in range(5):
        ids.append(client._api.api_v1_usage_get_with_http_info(limit=1).headers.get("X-Trace-Id"))
    assert len(set(ids)) == len(ids), "trace id repeated"


@pytest.mark.parametrize("query", ["", "sort=units&order=asc&limit=33&page=2", "sort=created_at&limit=200"])
def test_200_deterministic(api, query):
    a, b = raw(api, query), raw(api, query)
    assert a.body == b.body
    assert a.header("X-Trace-Id") != b.header("X-Trace-Id")


@pytest.mark.parametrize("query,token", [("limit=0", KEY), ("", "bad")])
def test_errors_deterministic_except_trace_id(api, query, token):
    a, b = raw(api, query, token=token), raw(api, query, token=token)
    ta, tb = a.json()["trace_id"], b.json()["trace_id"]
    assert ta != tb
    assert a.body.replace(ta.encode(), b"T") == b.body.replace(tb.encode(), b"T")
