import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import wms.cli.route  # noqa: F401  (registers `wms route`)
from wms.cli import _register_all, app
from wms.domain.layout import load_layout
from wms.domain.routing import sequence_length

ROOT = Path(__file__).resolve().parents[3]
LAYOUT = ROOT / "tests" / "fixtures_layouts" / "demo-dc.json"
runner = CliRunner()

try:  # as `wms` runs: every command module registered (route alone would be the root)
    _register_all()
except Exception:  # another module mid-edit must not hide route's own behaviour
    pass
# With a single registered command Typer makes it the root; invoke it the way it is reachable.
_PREFIX = ["route"] if hasattr(typer.main.get_command(app), "commands") else []


def invoke(args):
    return runner.invoke(app, [*_PREFIX, *args])


def route(*args):
    return invoke(["--layout", str(LAYOUT), *args])


def test_json_output_follows_the_contract():
    result = route("--bins", "A02-07-2,A01-01-1", "--method", "optimal", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["method"] == "optimal"
    assert sorted(out["sequence"]) == ["A01-01-1", "A02-07-2"]
    assert out["distance"] == pytest.approx(37.0)
    assert out["path"][0] == [0.0, 0.0] and out["path"][-1] == [0.0, 0.0]
    assert out["proven_optimal"] is True
    assert out["blocks"] == 2


@pytest.mark.parametrize("method", ["auto", "optimal", "s-shape", "largest-gap", "combined"])
def test_every_method_reports_a_distance_no_shorter_than_its_sequence(method):
    bins = "A03-08-1,A01-05-1,A02-03-1,A03-02-1,A02-09-1"
    out = json.loads(route("--bins", bins, "--method", method, "--json").stdout)
    layout = load_layout(LAYOUT)
    assert sorted(out["sequence"]) == sorted(bins.split(","))
    assert out["distance"] >= sequence_length(layout, out["sequence"]) - 1e-6


def test_the_summary_says_when_the_route_is_proven_optimal():
    result = route("--bins", "A02-07-2,A01-01-1")
    assert result.exit_code == 0
    assert "proven optimal" in result.stdout
    assert "NOT proven" not in result.stdout
    assert "1. A02-07-2" in result.stdout


def test_the_summary_says_when_a_heuristic_route_is_not_proven_optimal():
    result = route("--bins", "A02-07-2,A01-01-1", "--method", "s-shape")
    assert result.exit_code == 0
    assert "NOT proven optimal" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--bins", "A01-01-1,NOPE-9"], "unknown bin code NOPE-9"),
        (["--bins", "A01-01-1", "--method", "fastest"], "unknown routing method 'fastest'"),
        (["--bins", " , "], "bin list is empty"),
    ],
)
def test_bad_requests_fail_with_a_clear_message_and_non_zero_exit(args, message):
    result = route(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_broken_layout_file_is_named(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"name": "x", "aisles": []', encoding="utf-8")
    result = invoke(["--layout", str(bad), "--bins", "A"])
    assert result.exit_code == 2
    assert "broken.json" in result.stderr and "not JSON" in result.stderr


def test_route_has_help():
    result = invoke(["--help"])
    assert result.exit_code == 0
    assert "--layout" in result.stdout and "--method" in result.stdout


def test_the_installed_entry_point_shows_no_traceback_on_bad_input():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", "from wms.cli import main; main()", "route",
         "--layout", str(LAYOUT), "--bins", "A01-01-1,NOT-A-BIN", "--json"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )
    assert proc.returncode != 0
    assert "NOT-A-BIN" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stdout == ""
