"""A shop's authorisation kept alive: 抖店 access tokens last 7 days and are renewed with the
refresh token (14 days) in their last hour, before a pull or an upload needs them.

Commits (the second exception of the commit rule in `wms.services`): the platform is asked with
no transaction open, and the new tokens are committed at once, so a crash cannot lose a pair
the platform has already switched to.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select

from wms.adapters.db.tables import PlatformRow
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.platforms import PlatformError, token_keeper_for
from wms.domain.errors import Conflict
from wms.services.platforms.shops import get_platform

# 抖店 gives a new pair only in the token's last hour (earlier it hands back the same one).
REFRESH_WITHIN = timedelta(hours=1)


def authorise(engine: Engine, name: str, code: str) -> dict[str, Any]:
    """Exchange the shop's authorisation code for its tokens (token.create) and keep them."""
    with UnitOfWork(engine, read_only=True) as uow:
        keeper = _keeper(get_platform(uow, name))
    try:
        token = keeper.create_token(code.strip())
    finally:
        keeper.close()
    return _keep(engine, name, token)


def keep_fresh(engine: Engine, name: str) -> bool:
    """Renew the shop's access token if it runs out within the hour (or has); True if renewed.
    A refusal is put on the platform's record for the overview, and the call that needed the
    token then fails with the platform's own words."""
    with UnitOfWork(engine, read_only=True) as uow:
        row = get_platform(uow, name)
        if not _due(row):
            return False
        keeper, refresh = _keeper(row), str(row.refresh_token)
    try:
        token = keeper.refresh_token(refresh)
    except PlatformError as exc:
        _note_error(engine, name, exc)
        return False
    finally:
        keeper.close()
    _keep(engine, name, token)
    return True


def keep_all_fresh(engine: Engine) -> list[str]:
    """Every shop whose token is due, renewed (the upload worker's pass calls this)."""
    with UnitOfWork(engine, read_only=True) as uow:
        due = [r.name for r in uow.session.exec(select(PlatformRow).where(
            PlatformRow.refresh_token.is_not(None))).all() if _due(r)]  # type: ignore[union-attr]
    return [name for name in due if keep_fresh(engine, name)]


def _due(row: PlatformRow) -> bool:
    return bool(row.refresh_token and row.token_expires_at and row.token_expires_at - utcnow() <= REFRESH_WITHIN)


def _keeper(row: PlatformRow) -> Any:
    try:
        return token_keeper_for(row)
    except PlatformError as exc:
        raise Conflict(exc.message, exc.code) from None


def _keep(engine: Engine, name: str, token: Any) -> dict[str, Any]:
    with UnitOfWork(engine) as uow:
        row = get_platform(uow, name)
        row.access_token, row.refresh_token, row.token_expires_at = token.access_token, token.refresh_token, \
            token.expires_at
        if (row.last_error_code or "").startswith(("token", "upload:token", "pull:token")):
            row.last_error = row.last_error_code = row.last_error_at = None
        uow.session.add(row)
        uow.commit()
        return {"platform": name, "expires_at": token.expires_at.isoformat()}


def _note_error(engine: Engine, name: str, exc: PlatformError) -> None:
    with UnitOfWork(engine) as uow:
        row = get_platform(uow, name)
        row.last_error, row.last_error_code, row.last_error_at = \
            f"renewing the access token failed: {exc.message}"[:500], f"token:{exc.code}"[:40], utcnow()
        uow.session.add(row)
        uow.commit()
