"""The shipped scenarios against Scenarios/scenario.schema.json (the schema editors
use) and against `usagemock validate` (which also checks what a schema cannot:
unique ids, balance chains, month ends, keys used once)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import jsonschema
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
SCENARIOS = sorted(p for p in (REPO_ROOT / "Scenarios").glob("*.json") if p.name != "scenario.schema.json")
BIN = os.environ.get("USAGEMOCK_BIN", str(REPO_ROOT / ".build/debug/usagemock"))


def test_schema_is_valid_json_schema():
    schema = json.loads((REPO_ROOT / "Scenarios/scenario.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_shipped_scenario_matches_schema(path):
    schema = json.loads((REPO_ROOT / "Scenarios/scenario.schema.json").read_text())
    jsonschema.validate(json.loads(path.read_text()), schema)


@pytest.mark.parametrize("path", [p for p in SCENARIOS if p.name != "large.json"], ids=lambda p: p.name)
def test_shipped_scenario_validates(path):
    result = subprocess.run([BIN, "validate", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"{path}: ok" in result.stdout


def test_validate_over_the_scenarios_glob_skips_the_schema():
    """`usagemock validate Scenarios/*.json`, as a shell expands it, schema file included."""
    result = subprocess.run(f"{shlex.quote(str(BIN))} validate Scenarios/*.json", shell=True, cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Scenarios/scenario.schema.json: skipped, a JSON Schema, not a scenario" in result.stdout
    assert 'Scenarios/default.json: ok, scenario "default" (poe: 1 account, 250 entries in window;' in result.stdout


def test_schema_refuses_an_unknown_field():
    schema = json.loads((REPO_ROOT / "Scenarios/scenario.schema.json").read_text())
    bad = {"name": "x", "clock": "2026-11-21T12:00:00Z", "providers": {"poe": {"accounts": [{"keys": ["k"], "balance": 1, "colour": "red"}]}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
