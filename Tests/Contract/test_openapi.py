"""The OpenAPI documents: GET /__admin/openapi/{provider} and `usagemock openapi`
agree, each is a valid OpenAPI 3.1 document, and schemathesis (every check, bounded
examples; settings in schemathesis.toml) finds nothing against the live mock."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from conftest import REPO_ROOT

HERE = Path(__file__).resolve().parent
BIN = os.environ.get("USAGEMOCK_BIN", str(HERE.parent.parent / ".build/debug/usagemock"))
KEYS = {"poe": "sk_test_poe", "hookbridge": "hb_test_key", "klaim": "klaim_test_key", "sybilion": "sk_ops_test"}


@pytest.mark.parametrize("provider", KEYS)
def test_document_is_valid_and_the_same_from_cli_and_server(api, provider):
    served = api.get(f"/__admin/openapi/{provider}")
    assert served.status == 200 and served.content_type == "application/json"
    document = served.json()
    validate(document)
    printed = subprocess.run([BIN, "openapi", provider], capture_output=True, check=True).stdout
    assert printed == served.body  # byte for byte, no newline added


def test_documents_list_every_error_status(api):
    statuses = {p: {code for path in api.get(f"/__admin/openapi/{p}").json()["paths"].values() for op in path.values() for code in op["responses"]}
                for p in KEYS}
    assert statuses["poe"] == {"200", "400", "401", "405"}
    assert statuses["hookbridge"] == {"200", "400", "401", "405"}
    assert statuses["klaim"] == {"200", "400", "401", "404", "405", "413"}
    assert statuses["sybilion"] == {"200", "400", "401", "405"}


def test_unknown_provider_is_404(api):
    r = api.get("/__admin/openapi/stripe")
    assert r.status == 404 and r.json()["error"] == "not_found"
    cli = subprocess.run([BIN, "openapi", "stripe"], capture_output=True, text=True)
    assert cli.returncode != 0 and "Usage: usagemock openapi <provider>" in cli.stderr


def test_subcommand_errors_show_the_subcommands_usage_and_help_gives_defaults_once():
    env = {**os.environ, "USAGEMOCK_PORT": ""}
    watch = subprocess.run([BIN, "serve", "--watch"], capture_output=True, text=True, env=env)
    assert watch.returncode != 0 and "Usage: usagemock serve " in watch.stderr and "<subcommand>" not in watch.stderr
    port = subprocess.run([BIN, "serve"], capture_output=True, text=True, env={**env, "USAGEMOCK_PORT": "x"})
    assert port.returncode != 0 and "Usage: usagemock serve " in port.stderr
    help_text = " ".join(subprocess.run([BIN, "serve", "--help"], capture_output=True, text=True, check=True).stdout.split())
    assert "(default: one per core)." in help_text and "one per core). (default" not in help_text
    assert help_text.count("trace, debug, info") == 1


@pytest.mark.parametrize("provider", KEYS)
def test_schemathesis_finds_nothing(base_url, provider, tmp_path):
    run = subprocess.run(
        [str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(HERE / "schemathesis.toml"), "--no-color",
         "run", f"{base_url}/__admin/openapi/{provider}", "--url", base_url, "--checks", "all",
         "-H", f"Authorization: Bearer {KEYS[provider]}", "--seed", "1", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]


def test_documented_schemathesis_command_passes_as_printed(server):
    """docs/openapi.md's schemathesis line, run as printed (only the port differs)."""
    readme = (REPO_ROOT / "docs/openapi.md").read_text()
    start = readme.index(".venv/bin/schemathesis ")
    command = readme[start:readme.index("\n```", start)].replace("\\\n", " ")
    argv = [arg.replace("localhost:8080", f"{server.host}:{server.port}") for arg in shlex.split(command)]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=600, cwd=REPO_ROOT)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
