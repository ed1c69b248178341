"""The API fuzzed from outside: schemathesis reads `/openapi.json` of a real `wms serve` on the
test database (SQLite, or PostgreSQL with WMS_TEST_DATABASE_URL) and sends what it derives from
every operation: the documented examples, boundary values, and random (also invalid) bodies,
query and path values, NUL bytes included.

What must hold for every answer: no 5xx; the status code is one the operation documents; the
content type is the documented one; the body matches the documented schema (every 4xx is
ErrorOut `{error, message}`). Bounded for CI by WMS_FUZZ_EXAMPLES (per operation) and
WMS_FUZZ_MAX_TIME_S (per role). The token-refresh route is left out: refreshing the fuzzer's
token ends it, and the run would then see only 401s.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = os.environ.get("WMS_FUZZ_EXAMPLES", "6")
MAX_TIME_S = os.environ.get("WMS_FUZZ_MAX_TIME_S", "50")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def _st() -> str:
    found = shutil.which("st", path=str(Path(sys.executable).parent)) or shutil.which("st")
    if not found:
        pytest.skip("schemathesis is not installed (pip install -e '.[test]')")
    return found


@pytest.mark.parametrize("role", ["admin", "packer"])
def test_fuzzing_the_api_finds_no_server_error_and_no_schema_violation(services, tokens, tmp_path, role):
    service = services()
    report = tmp_path / f"fuzz-{role}.junit.xml"
    cmd = [_st(), "run", f"{service.url}/openapi.json",
           "-H", f"Authorization: Bearer {tokens[role]}",
           "--checks", CHECKS, "--phases", "examples,coverage,fuzzing",
           "-n", EXAMPLES, "--max-time", MAX_TIME_S, "--seed", "27",
           # one worker: on Python 3.11 two threads in ast.parse (hypothesis describing its filters) can
           # trip "AST constructor recursion depth mismatch", a runtime error of the tool, not of the API
           "--workers", "1",
           "--exclude-path", "/api/auth/refresh",
           "--generation-allow-x00", "true", "--generation-database", "none",
           "--request-timeout", "20", "--no-color", "--report", "junit", "--report-junit-path", str(report)]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=int(MAX_TIME_S) * 4 + 120,
                         cwd=tmp_path)  # its cache (.schemathesis/) stays out of the checkout
    out = run.stdout + run.stderr
    (tmp_path / f"fuzz-{role}.log").write_text(out)
    summary = "\n".join(out.splitlines()[-40:])
    print(f"--- schemathesis as {role} ---\n{summary}")  # the figures, for the closing note (pytest -s)
    assert run.returncode == 0, f"schemathesis found failures as {role}:\n{out[-6000:]}"
    generated = re.search(r"(\d[\d,]*) generated", out)
    assert generated and int(generated.group(1).replace(",", "")) > 0, summary
