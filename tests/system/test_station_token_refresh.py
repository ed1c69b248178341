"""Tokens expire, and the station agent keeps working: the real `wms serve` in its own process
with a 3-second token lifetime, the real agent sending scans and heartbeats through several
lifetimes, stopped past its token's expiry and started again."""

from __future__ import annotations

import subprocess
import time
from typing import Any

import httpx

from scanners.agent.agent import StationAgent
from scanners.agent.config import parse_config
from tests.e2e.test_station_agent import ENV, ROOT, WMS, free_port, wait_for

LIFETIME_S = 3


def test_the_station_agent_refreshes_its_token_before_and_after_it_expires(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'wms.db'}"
    env = {**ENV, "WMS_TOKEN_LIFETIME_S": str(LIFETIME_S), "WMS_TOKEN_REFRESH_GRACE_S": "60"}

    def wms(*args: str) -> str:
        return subprocess.run([*WMS, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=True,
                              timeout=60).stdout.strip()

    admin_token = wms("token", "create", "--role", "admin", "--name", "lead", "--lifetime", "600",
                      "--database", db_url)
    packer_token = wms("token", "create", "--role", "packer", "--name", "PK-01", "--database", db_url)
    port = free_port()
    proc = subprocess.Popen([*WMS, "serve", "--database", db_url, "--port", str(port)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    admin = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {admin_token}"}, timeout=10)
    config = parse_config({"station": "PK-01", "outbox": str(tmp_path / "outbox.db"), "heartbeat_s": 0.3,
                           "service": {"url": base, "token": packer_token, "timeout_s": 5}})
    answers: list[tuple[dict, Any]] = []
    agent: StationAgent | None = None
    try:
        wait_for(lambda: _up(base), 30, "the service to start")
        agent = StationAgent(config, on_answer=lambda event, answer: answers.append((event, answer))).start()
        end = time.monotonic() + 3 * LIFETIME_S + 1
        sent = 0
        while time.monotonic() < end:  # a scan a second through three token lifetimes
            agent.record_scan(f"NO-SUCH-ORDER-{sent}")
            sent += 1
            wait_for(lambda n=sent: len(answers) == n, 10, f"scan {sent} to be answered")
            time.sleep(1)
        assert agent.tokens.refreshes >= 2, "the agent did not refresh its token"
        assert all(a.get("error") not in ("unauthorized", "token_expired") for _, a in answers), answers
        seen = admin.get("/api/stations/PK-01").json()
        assert seen["online"], seen

        # the token in station.toml is dead now: it was exchanged and has expired
        r = httpx.get(f"{base}/api/auth/me", headers={"Authorization": f"Bearer {packer_token}"})
        assert r.status_code == 401 and r.json()["error"] == "token_expired"

        # the station is switched off longer than a lifetime, then on again: the agent picks up the
        # newest token from beside its outbox and refreshes it within the service's grace
        agent.stop()
        time.sleep(LIFETIME_S + 1)
        agent = StationAgent(config, on_answer=lambda event, answer: answers.append((event, answer))).start()
        agent.record_scan("NO-SUCH-ORDER-AFTER")
        wait_for(lambda: len(answers) == sent + 1, 15, "the scan after the restart to be answered")
        assert answers[-1][1].get("error") not in ("unauthorized", "token_expired"), answers[-1]
        assert agent.tokens.refreshes >= 1
        assert len(agent.outbox) == 0
    finally:
        if agent is not None:
            agent.stop()
        proc.kill()
        proc.wait(10)
    assert (tmp_path / "outbox.db.token.json").stat().st_mode & 0o077 == 0, "the kept token is private"


def _up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False

