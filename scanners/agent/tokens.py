"""The station's token, kept alive: tokens expire (the service's WMS_TOKEN_LIFETIME_S), so the
agent exchanges its token for a new one (`POST /api/auth/refresh`) before it runs out, and at
once when the service answers 401 token_expired (a token expired within the service's grace
may still be exchanged: an agent that was off for a while comes back by itself).

The newest token is written to a file beside the outbox (`<outbox>.token.json`, mode 0600), so
a restarted agent goes on with it rather than the one in station.toml, which the exchange has
ended. A new token put into station.toml by a person wins over the file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from datetime import datetime
from pathlib import Path

import httpx

log = logging.getLogger("wms.station")

REFRESH_MARGIN_MAX_S = 3600.0  # refresh at most this long before expiry (else a third of the time left)
RETRY_AFTER_FAILURE_S = 30.0  # a refresh that could not reach the service is tried again after this


class TokenKeeper:
    """The token every request of the agent carries; thread-safe, one per agent."""

    def __init__(self, url: str, configured: str, state_file: Path, timeout_s: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.state_file = state_file
        self._configured = _digest(configured)
        self._lock = threading.Lock()
        self._http = httpx.Client(base_url=self.url, timeout=timeout_s)
        self._token, self._expires, self._refresh_at = configured, None, 0.0  # refresh_at 0: learn the expiry
        self._next_try = 0.0
        self.refreshes = 0
        self._load()

    def token(self) -> str:
        """The token to send now, refreshed first if its time has come."""
        with self._lock:
            if time.time() >= self._refresh_at and time.monotonic() >= self._next_try:
                self._renew(self._token)
            return self._token

    def expired(self, used: str) -> str:
        """The service said 401 token_expired to `used`: a new token (unless another thread got
        one already), or `used` when none could be had."""
        with self._lock:
            if used == self._token:
                self._renew(used, learn=False)
            return self._token

    def close(self) -> None:
        self._http.close()

    # -- inside the lock ------------------------------------------------------------------
    def _renew(self, token: str, learn: bool = True) -> None:
        if learn and self._expires is None and self._ask_expiry(token):
            return  # the configured token's expiry is known now; refresh when it is due
        try:
            r = self._http.post("/api/auth/refresh", headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as exc:
            self._next_try = time.monotonic() + RETRY_AFTER_FAILURE_S
            log.warning("token refresh: cannot reach %s (%s); trying again later", self.url, exc)
            return
        body = _json(r)
        if r.status_code != 200 or not isinstance(body, dict) or not body.get("token"):
            self._next_try = time.monotonic() + RETRY_AFTER_FAILURE_S
            log.error("token refresh refused: %s %s; put a new token in station.toml (wms token create)",
                      r.status_code, body.get("error") if isinstance(body, dict) else body)
            return
        self._token = str(body["token"])
        self._set_expiry(body.get("expires_at"))
        self.refreshes += 1
        self._save()
        log.info("token refreshed; the new one expires at %s", body.get("expires_at"))

    def _ask_expiry(self, token: str) -> bool:
        try:
            r = self._http.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError:
            return False
        body = _json(r)
        if r.status_code != 200 or not isinstance(body, dict) or not body.get("expires_at"):
            return False  # expired (refresh it now) or refused (the refresh will say why)
        self._set_expiry(body["expires_at"])
        return time.time() < self._refresh_at

    def _set_expiry(self, expires_at: str | None) -> None:
        if not expires_at:
            self._expires, self._refresh_at = None, time.time() + REFRESH_MARGIN_MAX_S
            return
        self._expires = datetime.fromisoformat(expires_at).timestamp()
        left = self._expires - time.time()
        self._refresh_at = self._expires - min(REFRESH_MARGIN_MAX_S, max(left, 0) / 3)

    def _load(self) -> None:
        try:
            state = json.loads(self.state_file.read_text("utf-8"))
        except (OSError, ValueError):
            return
        if state.get("configured") != self._configured or not state.get("token"):
            return  # station.toml holds a token the file was not made from: a person's new one
        self._token = str(state["token"])
        self._set_expiry(state.get("expires_at"))

    def _save(self) -> None:
        state = {"configured": self._configured, "token": self._token,
                 "expires_at": datetime.fromtimestamp(self._expires).astimezone().isoformat()
                 if self._expires else None}
        tmp = self.state_file.with_name(self.state_file.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.state_file)


def state_file_for(outbox: Path) -> Path:
    return outbox.with_name(outbox.name + ".token.json")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _json(r: httpx.Response) -> object:
    try:
        return r.json()
    except ValueError:
        return r.text[:200]
