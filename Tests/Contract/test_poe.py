"""Poe: GET /usage/current_balance, GET /usage/points_history (docs/behaviour.md, Poe, the default scenario)."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote

import pytest

KEY = "sk_test_poe"
BAL = "/usage/current_balance"
HIST = "/usage/points_history"
CLOCK_US = int(datetime(2026, 11, 21, 12, 0, 0, tzinfo=timezone.utc).timestamp()) * 1_000_000
WINDOW_US = 30 * 24 * 3600 * 1_000_000
TOTAL_IN_WINDOW = 250
ENTRY_KEYS = {"creation_time", "bot_name", "query_id", "usage_type", "cost_points"}
UNAUTH = {"error": {"message": "Invalid API key", "type": "authentication_error", "code": "invalid_api_key"}}


def hist(api, query="", token=KEY):
    return api.get(HIST + (f"?{query}" if query else ""), token=token)


def ok_page(api, query=""):
    r = hist(api, query)
    assert r.status == 200, r
    body = r.json()
    assert set(body) == {"has_more", "length", "data"}, body.keys()
    assert isinstance(body["has_more"], bool)
    assert isinstance(body["data"], list)
    assert body["length"] == len(body["data"]), (body["length"], len(body["data"]))
    return body


def assert_400(r, param):
    assert r.status == 400, r
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "code"}, body
    assert body["error"]["type"] == "invalid_request_error", body
    assert body["error"]["code"] == "invalid_parameter", body
    assert param in body["error"]["message"], f"message should name {param!r}: {body}"


def walk(api, limit):
    entries, cursor, pages = [], None, 0
    while True:
        q = f"limit={limit}" + (f"&starting_after={quote(cursor, safe='')}" if cursor else "")
        body = ok_page(api, q)
        pages += 1
        assert len(body["data"]) <= limit
        entries += body["data"]
        if not body["has_more"]:
            break
        assert len(body["data"]) == limit, "a page with has_more=true must be full"
        cursor = body["data"][-1]["query_id"]
        assert pages <= TOTAL_IN_WINDOW + 1, "pagination does not terminate"
    return entries, pages


@pytest.fixture(scope="module")
def all_entries(api):
    """The whole 30-day window, fetched at the maximum page size."""
    entries, _ = walk(api, 100)
    return entries


# ---------------------------------------------------------------- balance


def test_current_balance(api):
    r = api.get(BAL, token=KEY)
    assert r.status == 200, r
    assert r.json() == {"current_point_balance": 295932027}


def test_current_balance_is_deterministic(api):
    a = api.get(BAL, token=KEY)
    b = api.get(BAL, auth=f"bearer {KEY}")
    assert a.body == b.body


# ---------------------------------------------------------------- auth

AUTH_CASES = [None, "", "Bearer", "Bearer ", "Basic c2tfdGVzdF9wb2U6", f"Basic {KEY}", "Bearer wrong",
              "Bearer hb_test_key", "Bearer klaim_test_key", "Bearer sk_ops_test", f"Bearer {KEY} {KEY}", KEY]


@pytest.mark.parametrize("path", [BAL, HIST])
@pytest.mark.parametrize("auth", AUTH_CASES, ids=repr)
def test_401_shape(api, path, auth):
    r = api.get(path, auth=auth)
    assert r.status == 401, r
    assert r.json() == UNAUTH
    assert r.header("WWW-Authenticate") == "Bearer", r.header_list


@pytest.mark.parametrize("path", [BAL, HIST])
@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "BeArEr"])
def test_scheme_case_insensitive(api, path, scheme):
    r = api.get(path, auth=f"{scheme} {KEY}")
    assert r.status == 200, r
    assert r.body == api.get(path, token=KEY).body


@pytest.mark.parametrize("path", [BAL, HIST])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_405(api, path, method):
    r = api.request(method, path, token=KEY)
    assert r.status == 405, r
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "code"}, body
    assert body["error"]["type"] == "invalid_request_error"
    assert body["error"]["code"] == "method_not_allowed"
    assert "GET" in [m.strip() for m in r.header("Allow").split(",")], r.header_list


def test_auth_checked_before_params(api):
    r = hist(api, "limit=0", token=None)
    assert r.status == 401 and r.json() == UNAUTH, r
    r = hist(api, "starting_after=", token="nope")
    assert r.status == 401 and r.json() == UNAUTH, r


# ---------------------------------------------------------------- params


def test_default_limit_is_20(api, all_entries):
    body = ok_page(api)
    assert body["length"] == 20
    assert body["has_more"] is True
    assert body["data"] == all_entries[:20]


@pytest.mark.parametrize("limit", [1, 2, 20, 99, 100])
def test_limit_in_range(api, all_entries, limit):
    body = ok_page(api, f"limit={limit}")
    assert body["length"] == limit
    assert body["data"] == all_entries[:limit]
    assert body["has_more"] is True


def test_limit_leading_zeros_are_digits(api, all_entries):
    body = ok_page(api, "limit=007")
    assert body["data"] == all_entries[:7]


@pytest.mark.parametrize(
    "value",
    ["0", "101", "-1", "-0", "-100", "abc", "1.5", "", "1e3", "+5", "0x10", " 5", "5 ",
     "9223372036854775807", "9223372036854775808", "99999999999999999999999", "-9223372036854775809"],
    ids=repr,
)
def test_limit_invalid(api, value):
    assert_400(hist(api, f"limit={value.replace(' ', '%20')}"), "limit")


@pytest.mark.parametrize("query", ["limit=1&limit=2", "limit=5&limit=5", "limit=5&starting_after=a&starting_after=b"])
def test_repeated_parameter(api, all_entries, query):
    if "starting_after" in query:
        cur = quote(all_entries[0]["query_id"], safe="")
        query = f"limit=5&starting_after={cur}&starting_after={cur}"
        assert_400(hist(api, query), "starting_after")
    else:
        assert_400(hist(api, query), "limit")


@pytest.mark.parametrize("cursor", ["", "nope", "%20", "zzzzzzzzzzzzzzzzzz"], ids=repr)
def test_starting_after_unknown_or_empty(api, cursor):
    assert_400(hist(api, f"starting_after={cursor}"), "starting_after")


def test_starting_after_case_sensitive(api, all_entries):
    qid = all_entries[5]["query_id"]
    if qid.upper() == qid:
        pytest.skip("query_id has no letters")
    if any(e["query_id"] == qid.upper() for e in all_entries):
        pytest.skip("uppercase id exists")
    assert_400(hist(api, f"starting_after={quote(qid.upper(), safe='')}"), "starting_after")


def test_limit_error_beats_cursor_error_or_both_400(api):
    r = hist(api, "limit=0&starting_after=nope")
    assert r.status == 400, r


# ---------------------------------------------------------------- data


def test_exactly_250_entries_in_window(all_entries):
    assert len(all_entries) == TOTAL_IN_WINDOW
    ids = [e["query_id"] for e in all_entries]
    assert len(set(ids)) == len(ids), "duplicate query_id"


def test_entry_fields(all_entries):
    for e in all_entries:
        assert ENTRY_KEYS <= set(e), e
        assert type(e["creation_time"]) is int, e
        assert type(e["cost_points"]) is int, e
        assert isinstance(e["bot_name"], str) and e["bot_name"], e
        assert isinstance(e["query_id"], str) and e["query_id"], e
        assert e["usage_type"] in ("API", "Chat", "Canvas App"), e


def test_window_and_microseconds(all_entries):
    for e in all_entries:
        assert CLOCK_US - WINDOW_US < e["creation_time"] <= CLOCK_US, e


def test_order_newest_first_ties_query_id_desc(all_entries):
    for a, b in zip(all_entries, all_entries[1:]):
        assert (a["creation_time"], a["query_id"]) > (b["creation_time"], b["query_id"]), (a, b)


def test_some_usage_type_variety(all_entries):
    assert len({e["usage_type"] for e in all_entries}) >= 2


# ---------------------------------------------------------------- pagination


@pytest.mark.parametrize("limit", [1, 7, 20, 50, 100])
def test_full_walk(api, all_entries, limit):
    entries, pages = walk(api, limit)
    assert entries == all_entries, f"walk at limit={limit} differs from the limit=100 walk"
    assert pages == -(-TOTAL_IN_WINDOW // limit)


@pytest.mark.parametrize("k,limit", [(0, 1), (0, 20), (9, 7), (100, 100), (150, 100), (229, 20), (240, 20)])
def test_page_after_cursor(api, all_entries, k, limit):
    cur = quote(all_entries[k]["query_id"], safe="")
    body = ok_page(api, f"starting_after={cur}&limit={limit}")
    want = all_entries[k + 1 : k + 1 + limit]
    assert body["data"] == want
    assert body["has_more"] is (k + 1 + limit < TOTAL_IN_WINDOW)


def test_cursor_with_default_limit(api, all_entries):
    body = ok_page(api, f"starting_after={quote(all_entries[3]['query_id'], safe='')}")
    assert body["data"] == all_entries[4:24]


def test_cursor_at_last_entry_gives_empty_page(api, all_entries):
    body = ok_page(api, f"starting_after={quote(all_entries[-1]['query_id'], safe='')}")
    assert body == {"has_more": False, "length": 0, "data": []}


def test_cursor_at_second_to_last(api, all_entries):
    body = ok_page(api, f"starting_after={quote(all_entries[-2]['query_id'], safe='')}&limit=5")
    assert body["data"] == all_entries[-1:]
    assert body["has_more"] is False


def test_history_is_deterministic(api, all_entries):
    q = f"limit=33&starting_after={quote(all_entries[10]['query_id'], safe='')}"
    assert hist(api, q).body == hist(api, q).body
