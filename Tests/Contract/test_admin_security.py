"""The admin surface answers this machine's user only (issue 16), over real sockets."""

from __future__ import annotations

import os
import re
import signal
import subprocess

from conftest import READY_TIMEOUT, REPO_ROOT, _read_line, serve_process

EVIL = "https://evil.example"


def test_foreign_origin_is_refused_and_changes_nothing(api):
    before = api.get("/__admin/scenario").json()["clock"]
    # A "simple" cross-origin request needs no preflight: it must be refused outright.
    r = api.post("/__admin/clock", body='{"advance_seconds": 86400}',
                 headers={"Origin": EVIL, "Content-Type": "text/plain"})
    assert r.status == 403 and r.json()["error"] == "forbidden"
    assert r.header("X-Usagemock-Reason") == "admin: foreign Origin"
    assert r.header("Access-Control-Allow-Origin") is None
    assert api.get("/__admin/scenario").json()["clock"] == before
    for method, path in (("POST", "/__admin/reset"), ("DELETE", "/__admin/faults"), ("GET", "/__admin/requests")):
        r = api.request(method, path, headers={"Origin": EVIL})
        assert r.status == 403, (method, path)
    r = api.request("OPTIONS", "/__admin/scenario", headers={"Origin": EVIL, "Access-Control-Request-Method": "PUT"})
    assert r.status == 403 and r.header("Access-Control-Allow-Origin") is None


def test_dns_rebinding_host_is_refused(api):
    r = api.get("/__admin/requests", headers={"Host": "rebind.example"})
    assert r.status == 403 and "loopback" in r.json()["message"]
    # Provider routes are not admin routes.
    assert api.get("/usage/current_balance", token="sk_test_poe", headers={"Host": "rebind.example"}).status == 200


def test_plain_client_and_own_pages_still_work(api):
    assert api.get("/__admin/health").status == 200  # Host: 127.0.0.1:PORT, no Origin, as curl sends
    own = f"http://127.0.0.1:{api.port}"
    assert api.get("/__admin/requests", headers={"Origin": own}).status == 200
    assert api.get("/__admin/health", headers={"Host": f"localhost:{api.port}", "Origin": f"http://localhost:{api.port}"}).status == 200


def test_admin_token_on_a_non_loopback_address():
    with serve_process("--host", "0.0.0.0", "--admin-token", "s3cret-admin") as api:
        r = api.post("/__admin/reset")
        assert r.status == 403 and "admin token" in r.json()["message"] and b"s3cret" not in r.body
        assert api.post("/__admin/reset", token="wrong").status == 403
        assert api.post("/__admin/reset", token="s3cret-admin").status == 200
        assert api.get("/usage/current_balance", token="sk_test_poe").status == 200


def test_startup_summary_follows_the_ready_line_on_stderr():
    binary = os.environ.get("USAGEMOCK_BIN", str(REPO_ROOT / ".build/debug/usagemock"))
    proc = subprocess.Popen([binary, "serve", "--port", "0"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line, _ = _read_line(proc, READY_TIMEOUT)
        m = re.match(rb"^usagemock listening on http://127\.0\.0\.1:(\d+) \(scenario: default\)$", line)
        assert m, line
        port = m.group(1).decode()
        summary = b""
        while b"/__admin/" not in summary:
            chunk = os.read(proc.stderr.fileno(), 4096)
            assert chunk, summary
            summary += chunk
        text = summary.decode()
        assert text.startswith('usagemock: scenario "default"')
        assert "keys: klaim_test_key (1 account, 2 users, 120 records)" in text
        assert f"http://127.0.0.1:{port}/__admin/" in text
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
