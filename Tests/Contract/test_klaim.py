"""Klaim: POST /users/{user_id}/credits/usage (docs/behaviour.md, Klaim, the default scenario). Plain HTTP."""

from __future__ import annotations

import json
import re

import pytest

KEY = "klaim_test_key"
USER = "GtQ5Oezk6cOvSmPgxsMR"
EMPTY_USER = "user_empty"
TOTAL = 120
OK_MESSAGE = "fetch resource successfully"
UNAUTH = {"message": "Unauthorized"}
NOT_FOUND = {"message": "Can not find user with the given user_id."}
RECORD_KEYS = {"user_id", "created_at", "credit_change", "credit_balance", "source_type", "description"}
TYPE_ID_RE = re.compile(r"^\d{14}_[a-z0-9]{5}$")


def path(user=USER):
    return f"/users/{user}/credits/usage"


def post(api, body=b"", user=USER, token=KEY, **kw):
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    return api.post(path(user), body=body, token=token, **kw)


def ok_page(api, body=b"", user=USER):
    r = post(api, body, user)
    assert r.status == 200, r
    obj = r.json()
    assert obj["message"] == OK_MESSAGE, obj
    assert isinstance(obj["data"], list)
    assert set(obj) in ({"message", "data"}, {"message", "data", "lastKey"}), obj.keys()
    if "lastKey" in obj:
        assert set(obj["lastKey"]) == {"prefix_app_id", "type_id"}, obj["lastKey"]
    return obj


def assert_400(r):
    assert r.status == 400, r
    obj = r.json()
    assert set(obj) == {"message"} and isinstance(obj["message"], str) and obj["message"], obj
    return obj


def walk(api, limit):
    records, keys, cursor, pages = [], [], None, 0
    while True:
        body = {"limit": limit}
        if cursor is not None:
            body["starting_after"] = cursor
        page = ok_page(api, body)
        pages += 1
        records += page["data"]
        if "lastKey" not in page:
            break
        assert len(page["data"]) == limit, "a page with lastKey must be full"
        cursor = page["lastKey"]
        keys.append(cursor)
        assert pages <= TOTAL + 1, "pagination does not terminate"
    return records, keys, pages


@pytest.fixture(scope="module")
def all_records(api):
    records, _, _ = walk(api, 100)
    return records


# ---------------------------------------------------------------- happy path


def test_default_page_empty_body(api, all_records):
    page = ok_page(api, b"")
    assert len(page["data"]) == 20
    assert "lastKey" in page
    assert page["data"] == all_records[:20]


def test_empty_object_equals_empty_body(api):
    a, b = post(api, b""), post(api, b"{}")
    assert a.status == b.status == 200
    assert a.body == b.body
    c = post(api, b'  { }\n')
    assert c.body == a.body


def test_no_content_type_header_needed(api):
    r = api.post(path(), token=KEY, body=b"", headers={"Content-Type": "text/plain"})
    assert r.status in (200, 400), r  # unspecified; must not be 5xx
    r.json()


@pytest.mark.parametrize("limit", [1, 2, 20, 99, 100])
def test_limit_range(api, all_records, limit):
    page = ok_page(api, {"limit": limit})
    assert page["data"] == all_records[:limit]
    assert "lastKey" in page


def test_exactly_120_records_unique_keys(api, all_records):
    assert len(all_records) == TOTAL
    _, keys, _ = walk(api, 1)
    # keys of records 1..119 (the last record's key is never given out)
    assert len(keys) == TOTAL - 1
    type_ids = [k["type_id"] for k in keys]
    assert len(set(type_ids)) == len(type_ids), "type_id not unique per record"


def test_records_fields(all_records):
    for rec in all_records:
        assert set(rec) == RECORD_KEYS, rec
        assert rec["user_id"] == USER, rec
        for f in ("created_at", "credit_change", "credit_balance"):
            assert type(rec[f]) is int, (f, rec)
        assert isinstance(rec["source_type"], str) and isinstance(rec["description"], str), rec
        assert rec["created_at"] > 10**12, f"created_at must be Unix milliseconds: {rec}"


def test_newest_first(all_records):
    ts = [r["created_at"] for r in all_records]
    assert ts == sorted(ts, reverse=True)


def test_running_balance_chain(all_records):
    chrono = list(reversed(all_records))
    for prev, cur in zip(chrono, chrono[1:]):
        assert cur["credit_balance"] == prev["credit_balance"] + cur["credit_change"], (prev, cur)


@pytest.mark.parametrize("limit", [1, 7, 20, 40, 100])
def test_full_walk(api, all_records, limit):
    records, keys, pages = walk(api, limit)
    assert records == all_records
    assert pages == -(-TOTAL // limit)
    assert len(keys) == pages - 1  # lastKey only when more records follow
    prefixes = {k["prefix_app_id"] for k in keys}
    assert len(prefixes) == 1, prefixes
    for k in keys:
        assert k["prefix_app_id"].startswith("_credit-usage_") and len(k["prefix_app_id"]) > len("_credit-usage_"), k
        assert TYPE_ID_RE.match(k["type_id"]), k
    assert len({k["type_id"] for k in keys}) == len(keys)


def test_last_key_is_key_of_last_record(api, all_records):
    """Cursor semantics: lastKey of page (limit=n) == lastKey of page (limit=1, after record n-2)."""
    p7 = ok_page(api, {"limit": 7})
    p6 = ok_page(api, {"limit": 6})
    p1 = ok_page(api, {"limit": 1, "starting_after": p6["lastKey"]})
    assert p1["data"] == [all_records[6]]
    assert p1["lastKey"] == p7["lastKey"]


def test_cursor_continues_after_last_key(api, all_records):
    p = ok_page(api, {"limit": 30})
    q = ok_page(api, {"limit": 30, "starting_after": p["lastKey"]})
    assert q["data"] == all_records[30:60]
    d = ok_page(api, {"starting_after": p["lastKey"]})  # default limit 20
    assert d["data"] == all_records[30:50]


def test_page_ending_exactly_at_the_end_has_no_last_key(api, all_records):
    p = ok_page(api, {"limit": 100})
    q = ok_page(api, {"limit": 20, "starting_after": p["lastKey"]})
    assert q["data"] == all_records[100:]
    assert "lastKey" not in q
    r = ok_page(api, {"limit": 100, "starting_after": p["lastKey"]})
    assert r["data"] == all_records[100:] and "lastKey" not in r


def test_empty_user(api):
    for body in (b"", b"{}", {"limit": 100}):
        r = post(api, body, user=EMPTY_USER)
        assert r.status == 200, r
        assert r.json() == {"message": OK_MESSAGE, "data": []}


def test_deterministic(api):
    p = ok_page(api, {"limit": 13})
    body = {"limit": 17, "starting_after": p["lastKey"]}
    assert post(api, body).body == post(api, body).body


# ---------------------------------------------------------------- 404 / auth / 405


@pytest.mark.parametrize("user", ["nobody", "gtq5oezk6covsmpgxsmr", "GtQ5Oezk6cOvSmPgxsMR_", "user_empty2"])
def test_unknown_user_404(api, user):
    r = post(api, b"", user=user)
    assert r.status == 404, r
    assert r.json() == NOT_FOUND


def test_unknown_user_after_auth_and_body(api):
    r = post(api, b"[]", user="nobody", token=None)
    assert r.status == 401 and r.json() == UNAUTH, r
    assert_400(post(api, b"[]", user="nobody"))
    assert_400(post(api, {"limit": 101}, user="nobody"))
    r = post(api, {"limit": 5}, user="nobody")
    assert r.status == 404 and r.json() == NOT_FOUND, r


AUTH_CASES = [None, "", "Bearer", "Bearer ", "Basic a2xhaW06", "Bearer wrong", "Bearer sk_test_poe",
              "Bearer hb_test_key", "Bearer sk_ops_test", f"Bearer {KEY} {KEY}", KEY]


@pytest.mark.parametrize("auth", AUTH_CASES, ids=repr)
@pytest.mark.parametrize("user", [USER, EMPTY_USER, "nobody"])
def test_401(api, auth, user):
    r = post(api, b"", user=user, token=None, auth=auth)
    assert r.status == 401, r
    assert r.json() == UNAUTH
    assert r.header("WWW-Authenticate") == "Bearer", r.header_list


@pytest.mark.parametrize("scheme", ["bearer", "BEARER"])
def test_scheme_case_insensitive(api, scheme):
    r = post(api, b"", token=None, auth=f"{scheme} {KEY}")
    assert r.status == 200, r


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_405_allow_post(api, method):
    for token in (KEY, None):
        r = api.request(method, path(), token=token)
        assert r.status == 405, r
        obj = r.json()
        assert set(obj) == {"message"} and isinstance(obj["message"], str), obj
        assert r.header("Allow") == "POST", r.header_list


# ---------------------------------------------------------------- 400 bodies

BAD_BODIES = [
    b"[]", b'"x"', b"1", b"null", b"true", b"{", b"{]", b"{'limit': 1}", b"limit=5", b'{"limit":1}x',
    b'{"limit":"5"}', b'{"limit":1.5}', b'{"limit":1.0}', b'{"limit":1e3}', b'{"limit":1E1}', b'{"limit":true}',
    b'{"limit":[5]}', b'{"limit":{}}', b'{"limit":0}', b'{"limit":101}', b'{"limit":-1}', b'{"limit":-0.0}',
    b'{"limit":99999999999999999999}', b'{"limit":9223372036854775808}', b'{"limit":-9223372036854775809}',
    b'{"limit":9223372036854775807}', b'{"limit":1,"limit":2}',
    b'{"starting_after":"abc"}', b'{"starting_after":5}', b'{"starting_after":[]}', b'{"starting_after":{}}',
    b'{"starting_after":{"prefix_app_id":"_credit-usage_x","type_id":"20240213010101_abcde"}}',
    b'{"starting_after":{"prefix_app_id":1,"type_id":2}}',
    b'{"starting_after":{"type_id":"20240213010101_abcde"}}',
    b"\xff\xfe",
]


@pytest.mark.parametrize("body", BAD_BODIES, ids=repr)
def test_bad_body_400(api, body):
    assert_400(post(api, body))


def test_starting_after_unknown_type_id(api):
    p = ok_page(api, {"limit": 1})
    key = dict(p["lastKey"])
    key["type_id"] = "19990101000000_zzzzz"
    assert_400(post(api, {"starting_after": key}))
    key = dict(p["lastKey"])
    key["prefix_app_id"] = key["prefix_app_id"] + "x"
    assert_400(post(api, {"starting_after": key}))


def test_starting_after_on_empty_user_is_400(api):
    p = ok_page(api, {"limit": 1})
    assert_400(post(api, {"starting_after": p["lastKey"]}, user=EMPTY_USER))


def test_limit_error_on_empty_user_is_400(api):
    assert_400(post(api, {"limit": 0}, user=EMPTY_USER))
