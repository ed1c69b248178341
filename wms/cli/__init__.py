"""The `wms` command: one Typer app, each command group in its own module.

`service` (serve, demo, db, token, user), `orders`, `stock`, `picking` (`wms waves`), `route`,
`label`, `printers`, `devices`, `station`, `shipping` (carriers, pools, handover) and
`aftersales` (cases, returns), `platforms` (shops) and `erp` (ERPs over 奇门). Each calls the use
cases in `wms.services`.
"""

from __future__ import annotations

from wms.cli.app import app


def _register_all() -> None:
    """Import each command module; each adds its commands to `app`."""
    from wms.cli import (  # noqa: F401  (imports register commands)
        aftersales,
        bills,
        devices,
        erp,
        gifts,
        label,
        order_desk,
        orders,
        orders_late,
        picking,
        platforms,
        printers,
        reports,
        route,
        service,
        shipping,
        station,
        stock,
    )


__all__ = ["_register_all", "app", "main"]


def main() -> None:
    _register_all()
    app()
