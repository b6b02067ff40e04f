"""A stand-in for a provider's live API, for ``usagemock verify`` and ``record``.

``Upstream`` forwards every request to a running usagemock (so it answers like the
provider) and changes the answer as one ``case`` says: a field renamed, a type
changed, a field added, a 401 in another shape, a cursor that repeats a row, rows in
the wrong order (Poe); a total that is off (HookBridge), a broken balance chain
(Klaim), a missing ``X-Trace-Id`` (Sybilion); or it answers what no API should (not JSON, 429).  It serves plain
HTTP or, given a certificate, HTTPS, and counts the requests it received.
"""

from __future__ import annotations

import http.client
import http.server
import json
import ssl
import subprocess
import threading
import urllib.parse
from pathlib import Path


def make_self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, made with the openssl command."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )
    return cert, key


def _rename(row, old, new):
    return {(new if k == old else k): v for k, v in row.items()}


def _mutate_poe_rows(case, body, seen):
    rows = body.get("data")
    if not isinstance(rows, list):
        return body
    for row in rows:
        seen[row["query_id"]] = row
    if case == "field-renamed":
        body["data"] = [_rename(r, "bot_name", "model") for r in rows]
    elif case == "type-changed":
        body["data"] = [{**r, "cost_points": str(r["cost_points"])} for r in rows]
    elif case == "field-added":
        body["data"] = [{**r, "currency": "points"} for r in rows]
    elif case == "wrong-order":
        body["data"] = list(reversed(rows))
    return body


class Upstream:
    """``with Upstream(mock_api, case) as up: up.base_url``; ``up.requests`` lists
    (method, path) as received."""

    def __init__(self, mock, case=None, certificate=None):
        self.mock = mock
        self.case = case
        self.certificate = certificate
        self.requests = []
        self.seen_poe_rows = {}

    def _forward(self, method, target, headers, body):
        conn = http.client.HTTPConnection(self.mock.host, self.mock.port, timeout=10)
        try:
            conn.request(method, target, body=body, headers=headers)
            r = conn.getresponse()
            return r.status, r.getheaders(), r.read()
        finally:
            conn.close()

    def answer(self, method, target, headers, body):
        self.requests.append((method, target.split("?")[0]))
        case = self.case
        if case == "not-json":
            return 200, [("Content-Type", "text/html")], b"<html><body>Welcome to our portal</body></html>"
        if case == "rate-limited":
            return 429, [("Content-Type", "application/json"), ("Retry-After", "30")], b'{"error":"slow down"}'
        path, _, query = target.partition("?")
        params = urllib.parse.parse_qs(query)
        repeat_row = None
        if case == "cursor-repeats" and path == "/usage/points_history" and "starting_after" in params:
            # An off-by-one cursor: the page starts at the entry named, not after it.
            cursor = params["starting_after"][0]
            limit = int(params.get("limit", ["20"])[0])
            repeat_row = self.seen_poe_rows.get(cursor)
            if repeat_row is not None and limit > 1:
                target = f"{path}?limit={limit - 1}&starting_after={urllib.parse.quote(cursor)}"
        status, response_headers, data = self._forward(method, target, headers, body)
        if case is None or not data:
            return status, response_headers, data
        answer = json.loads(data)
        if path == "/usage/points_history" and status == 200:
            answer = _mutate_poe_rows(case, answer, self.seen_poe_rows)
            if repeat_row is not None:
                answer["data"] = [repeat_row] + answer["data"]
                answer["length"] = len(answer["data"])
        if case == "unauthorized-shape" and status == 401:
            answer = {"error": "unauthorized", "status": 401}
        if case == "hookbridge-total-off" and status == 200 and "meta" in answer:
            answer["meta"]["total"] += 5
        if case == "klaim-balance-broken" and status == 200 and len(answer.get("data", [])) > 1:
            answer["data"][1]["credit_balance"] += 1
        if case == "sybilion-no-trace-header":
            response_headers = [(k, v) for k, v in response_headers if k.lower() != "x-trace-id"]
        return status, response_headers, json.dumps(answer, separators=(",", ":")).encode()

    def __enter__(self):
        upstream = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "content-type", "accept")}
                status, response_headers, data = upstream.answer(self.command, self.path, headers, body)
                self.send_response(status)
                for name, value in response_headers:
                    if name.lower() not in ("content-length", "connection", "date", "server"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if self.certificate:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.certificate)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.base_url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
