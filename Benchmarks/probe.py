#!/usr/bin/env python3
"""Small measuring tools for bench.sh (standard library only).

  probe.py free-port
      prints a TCP port free on 127.0.0.1 now.

  probe.py startup --port P [--runs N] [--path PATH] [--header 'Name: value']... -- CMD ARG...
      N times: exec CMD (stdout and stderr to /dev/null), connect to 127.0.0.1:P in a
      tight loop until the port accepts, send GET PATH and read the whole answer; the
      time from just before the exec to the last byte of a 200 is one sample. Then
      SIGTERM and wait. Prints JSON: best_ms, median_ms, samples_ms, exit_codes.

  probe.py poe-cursor --port P --key KEY --skip ROWS
      walks Poe's points_history 100 rows at a time over one keep-alive connection and
      prints the query_id of row number ROWS (1-based): `starting_after` it gives the
      page of rows ROWS+1 ... ROWS+100.
"""
import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_response(sock):
    """Reads one HTTP/1.1 response with a Content-Length; returns (status, body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the end of the head")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the end of the body")
        body += chunk
    return status, body


def first_answer(port, request, deadline):
    """Tight loop: connect until accepted, then one request; (status, seconds when answered)."""
    while True:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.connect(("127.0.0.1", port))
        except (ConnectionRefusedError, ConnectionResetError):
            s.close()
            if time.perf_counter() > deadline:
                raise TimeoutError("nothing listened in time")
            continue
        try:
            s.sendall(request)
            status, _ = read_response(s)
            return status, time.perf_counter()
        except (ConnectionError, OSError):
            # Accepted by the kernel before the server's loop ran, then dropped: retry.
            if time.perf_counter() > deadline:
                raise
            continue
        finally:
            s.close()


def startup(args):
    headers = "".join(h + "\r\n" for h in args.header)
    request = f"GET {args.path} HTTP/1.1\r\nHost: 127.0.0.1:{args.port}\r\n{headers}Connection: close\r\n\r\n".encode()
    samples, codes = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        process = subprocess.Popen(args.command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        try:
            status, answered = first_answer(args.port, request, start + args.timeout)
            if status != 200:
                raise RuntimeError(f"first answer was {status}, not 200")
            samples.append((answered - start) * 1000)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                codes.append(process.wait(timeout=10))
            except subprocess.TimeoutExpired:
                process.kill()
                codes.append(process.wait())
        time.sleep(0.05)
    print(json.dumps({
        "best_ms": round(min(samples), 2),
        "median_ms": round(statistics.median(samples), 2),
        "samples_ms": [round(s, 2) for s in samples],
        "exit_codes": codes,
    }))


def poe_cursor(args):
    connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
    headers = {"Authorization": f"Bearer {args.key}"}
    marker = b'"query_id":"'
    cursor, seen = None, 0
    while seen < args.skip:
        limit = min(100, args.skip - seen)
        target = f"/usage/points_history?limit={limit}"
        if cursor:
            target += f"&starting_after={cursor}"
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            sys.exit(f"poe-cursor: {target} answered {response.status}: {body[:200]!r}")
        start = body.rfind(marker)
        if start < 0:
            sys.exit(f"poe-cursor: the history ends before row {args.skip} (at {seen})")
        start += len(marker)
        cursor = body[start:body.index(b'"', start)].decode()
        seen += limit
    print(cursor)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command_name", required=True)
    commands.add_parser("free-port")
    p = commands.add_parser("startup")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--path", default="/__admin/health")
    p.add_argument("--header", action="append", default=[])
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("command", nargs="+")
    p = commands.add_parser("poe-cursor")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--skip", type=int, required=True)
    args = parser.parse_args()
    if args.command_name == "free-port":
        print(free_port())
    elif args.command_name == "startup":
        startup(args)
    else:
        poe_cursor(args)


if __name__ == "__main__":
    main()
