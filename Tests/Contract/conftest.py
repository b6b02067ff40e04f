"""Shared fixtures for the usagemock contract tests.

One server process serves the whole session: ``usagemock serve --port 0`` (the
embedded default scenario, docs/behaviour.md, the default scenario).  The binary comes from
``USAGEMOCK_BIN`` (default ``.build/debug/usagemock`` under the repo root).
Set ``USAGEMOCK_BASE_URL`` (e.g. ``http://127.0.0.1:8080``) to test an already
running server instead of starting one.

Fixtures:
  * ``server``   -- the running server (``.host``, ``.port``, ``.base_url``)
  * ``base_url`` -- ``http://127.0.0.1:PORT`` (no trailing slash)
  * ``api``      -- a tiny raw HTTP client (http.client, one connection per
                    request, the request target is sent exactly as given)
"""

from __future__ import annotations

import http.client
import json
import os
import re
import select
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
READY_RE = re.compile(
    r"^usagemock listening on http://127\.0\.0\.1:(\d+) \(scenario: default\)$"
)
READY_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0


# --------------------------------------------------------------------------
# raw HTTP client
# --------------------------------------------------------------------------


def _reject_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    dup = {k for k in keys if keys.count(k) > 1}
    assert not dup, f"JSON object with duplicate keys {sorted(dup)}"
    return dict(pairs)


class Response:
    def __init__(self, method, target, status, reason, headers, body):
        self.method = method
        self.target = target
        self.status = status
        self.reason = reason
        self.header_list = headers  # list[(name, value)] as received
        self.body = body

    def headers(self, name):
        """All values of header ``name`` (case-insensitive)."""
        name = name.lower()
        return [v for k, v in self.header_list if k.lower() == name]

    def header(self, name):
        vals = self.headers(name)
        assert len(vals) <= 1, f"header {name} repeated: {vals}"
        return vals[0] if vals else None

    @property
    def content_type(self):
        return self.header("Content-Type")

    def json(self):
        """Parsed JSON body; also asserts ``Content-Type: application/json``."""
        ct = self.content_type
        assert ct is not None, f"{self}: JSON response without Content-Type"
        assert ct.split(";")[0].strip().lower() == "application/json", (
            f"{self}: Content-Type is {ct!r}, want application/json"
        )
        try:
            return json.loads(self.body, object_pairs_hook=_reject_duplicate_keys)
        except ValueError as e:  # pragma: no cover - diagnostic
            raise AssertionError(f"{self}: body is not JSON: {self.body[:300]!r}") from e

    def __repr__(self):
        return f"<{self.method} {self.target[:120]} -> {self.status} {self.body[:200]!r}>"


class Api:
    """Minimal HTTP/1.1 client; the request target is sent verbatim."""

    def __init__(self, host, port):
        self.host = host
        self.port = port

    def request(self, method, target, *, token=None, auth=None, headers=None, body=None):
        hdrs = {"Accept": "application/json"}
        if token is not None:
            hdrs["Authorization"] = f"Bearer {token}"
        if auth is not None:
            hdrs["Authorization"] = auth
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        if body is not None or method in ("POST", "PUT", "PATCH"):
            hdrs.setdefault("Content-Type", "application/json")
        if headers:
            hdrs.update(headers)
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            conn.request(method, target, body=body, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
            return Response(method, target, r.status, r.reason, r.getheaders(), data)
        finally:
            conn.close()

    def get(self, target, **kw):
        return self.request("GET", target, **kw)

    def post(self, target, **kw):
        return self.request("POST", target, **kw)

    # -- raw socket exchange, for malformed / oversized requests ------------

    def raw(self, head: bytes, body: bytes = b"", timeout: float = 5.0):
        """Send raw bytes; return (status or None, response bytes).

        status is None when the server closed the connection without an HTTP
        response.  Raises AssertionError if the server neither answers nor
        closes within ``timeout`` (a hang).
        """
        s = socket.create_connection((self.host, self.port), timeout=timeout)
        received = b""
        try:
            try:
                s.sendall(head)
                if body:
                    # the server may answer (and close) before reading the body
                    r, _, _ = select.select([s], [], [], 0.3)
                    if not r:
                        for i in range(0, len(body), 65536):
                            s.sendall(body[i : i + 65536])
            except (BrokenPipeError, ConnectionResetError):
                pass
            deadline = time.monotonic() + timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"server neither answered nor closed within {timeout}s "
                        f"(got {received[:200]!r})"
                    )
                s.settimeout(left)
                try:
                    chunk = s.recv(65536)
                except ConnectionResetError:
                    break
                except socket.timeout:
                    continue
                if not chunk:
                    break
                received += chunk
                if _complete_response(received):
                    break
        finally:
            s.close()
        m = re.match(rb"HTTP/1\.[01] (\d{3})", received)
        return (int(m.group(1)) if m else None), received


def _complete_response(data: bytes) -> bool:
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return False
    head = data[:end].decode("latin-1")
    m = re.search(r"(?im)^content-length:\s*(\d+)\s*$", head)
    if m:
        return len(data) - (end + 4) >= int(m.group(1))
    return False  # read until close


# --------------------------------------------------------------------------
# server process
# --------------------------------------------------------------------------


class Server:
    def __init__(self, host, port, proc=None, stderr_path=None):
        self.host = host
        self.port = port
        self.proc = proc
        self.stderr_path = stderr_path
        self.extra_stdout = []

    @property
    def base_url(self):
        return f"http://{self.host}:{self.port}"


def _read_line(proc, timeout):
    """Read one stdout line within ``timeout`` seconds (None on timeout/EOF)."""
    fd = proc.stdout.fileno()
    buf = b""
    deadline = time.monotonic() + timeout
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            return None, buf
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            continue
        chunk = os.read(fd, 4096)
        if not chunk:
            return None, buf
        buf += chunk
    line, _, rest = buf.partition(b"\n")
    return line, rest


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    external = os.environ.get("USAGEMOCK_BASE_URL")
    if external:
        u = urllib.parse.urlsplit(external)
        yield Server(u.hostname, u.port or 80)
        return

    binary = Path(os.environ.get("USAGEMOCK_BIN", REPO_ROOT / ".build/debug/usagemock"))
    if not binary.is_absolute():
        binary = REPO_ROOT / binary
    if not binary.exists():
        pytest.fail(
            f"usagemock binary not found at {binary} (build it, or set USAGEMOCK_BIN)",
            pytrace=False,
        )

    stderr_path = tmp_path_factory.mktemp("usagemock") / "stderr.log"
    stderr_file = open(stderr_path, "wb")
    proc = subprocess.Popen(
        [str(binary), "serve", "--port", "0"],
        cwd=str(REPO_ROOT),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr_file,
    )
    line, rest = _read_line(proc, READY_TIMEOUT)
    if line is None:
        proc.kill()
        proc.wait()
        stderr_file.close()
        pytest.fail(
            f"usagemock printed no ready line within {READY_TIMEOUT}s "
            f"(stdout so far {rest!r}, exit code {proc.returncode}); "
            f"stderr: {stderr_path.read_text(errors='replace')[-2000:]}",
            pytrace=False,
        )
    text = line.decode("utf-8", "replace").rstrip("\r")
    m = READY_RE.match(text)
    if not m:
        proc.kill()
        proc.wait()
        stderr_file.close()
        pytest.fail(f"unexpected ready line {text!r}", pytrace=False)

    srv = Server("127.0.0.1", int(m.group(1)), proc, stderr_path)
    if rest:
        srv.extra_stdout.append(rest)

    def drain():  # keep the stdout pipe from filling
        while True:
            chunk = proc.stdout.read1(65536) if hasattr(proc.stdout, "read1") else proc.stdout.read(65536)
            if not chunk:
                return
            srv.extra_stdout.append(chunk)

    t = threading.Thread(target=drain, daemon=True)
    t.start()
    try:
        yield srv
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                rc = proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                stderr_file.close()
                pytest.fail(f"usagemock did not exit within {STOP_TIMEOUT}s of SIGTERM", pytrace=False)
        else:
            rc = proc.returncode
            stderr_file.close()
            pytest.fail(f"usagemock died during the session (exit {rc}); stderr in {stderr_path}", pytrace=False)
        stderr_file.close()
        t.join(timeout=2)
        assert rc == 0, f"usagemock exited {rc} after SIGTERM; stderr in {stderr_path}"


@pytest.fixture(scope="session")
def base_url(server):
    return server.base_url


@pytest.fixture(scope="session")
def api(server):
    return Api(server.host, server.port)


class serve_process:
    """``usagemock serve --port 0 ARGS…`` as a context manager, for tests that need
    their own flags or scenario; yields an ``Api`` and stops the process with SIGTERM."""

    def __init__(self, *args):
        self.args = [str(a) for a in args]

    def __enter__(self):
        binary = os.environ.get("USAGEMOCK_BIN", str(REPO_ROOT / ".build/debug/usagemock"))
        self.proc = subprocess.Popen(
            [binary, "serve", "--port", "0", *self.args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        line, _ = _read_line(self.proc, READY_TIMEOUT)
        # Bound to any address (--host 0.0.0.0 too), the mock is reached on loopback.
        m = line and re.match(rb"^usagemock listening on http://[^ ]+:(\d+) ", line)
        if not m:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"usagemock {self.args} did not start (first line {line!r})")
        return Api("127.0.0.1", int(m.group(1)))

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        assert self.proc.wait(timeout=STOP_TIMEOUT) == 0
