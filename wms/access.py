"""Who may do what: every API route and every page, with the roles that may use it.

This is the one place the service's access rules are written. The API router checks each
request against `API` before the route runs (`wms.api.deps.authorize`), the pages' gate checks
`PAGES` (`wms.web.common.gate`). A route that is not in its table is refused to everyone
(default deny), and tests/integration/test_access_table.py fails until it is added here; the
same test walks every route with no token, a bad token and each role's token against this
table.

The role groups follow the grants of `wms.services.auth` (admin may do everything, a
supervisor also packs): PACKING is every role that holds the packer's grant, and so on.
"""

from __future__ import annotations

from wms.services.people.auth import ROLES, Principal

Roles = frozenset[str]


def holders(*grants: str) -> Roles:
    """Every role whose grants include one of `grants`."""
    return frozenset(r for r in ROLES if Principal("", r).may(*grants))


ANYONE: Roles = frozenset(ROLES)  # any valid token
PACKING = holders("packer")  # packer, supervisor, admin
SUPERVISING = holders("supervisor")  # supervisor, admin
AFTER_SALES = holders("after_sales", "supervisor")  # after_sales, supervisor, admin
ADMIN = holders("admin")
LABEL_VIEWERS = PACKING | AFTER_SALES  # a label's picture (the station and the after-sales desk)
PUBLIC: Roles = frozenset()  # no token needed (signing in, the API's own documentation)

# What the whole phone number and address is shown to; the rest see them masked.
FULL_RECIPIENT = holders("admin", "supervisor", "after_sales")

API_PREFIX = "/api"
REFRESH = ("POST", "/api/auth/refresh")  # checks its own token: one just expired may be exchanged

API: dict[tuple[str, str], Roles] = {
    # signing in and tokens
    ("POST", "/api/auth/login"): PUBLIC,
    ("POST", "/api/auth/badge"): PUBLIC,
    REFRESH: ANYONE,
    ("GET", "/api/auth/me"): ANYONE,
    ("GET", "/api/overview"): ANYONE,
    # master data and stock
    ("POST", "/api/skus"): ADMIN,
    ("GET", "/api/skus/{sku}"): ANYONE,
    ("PATCH", "/api/skus/{sku}"): ADMIN,
    ("POST", "/api/gift-rules"): SUPERVISING,
    ("GET", "/api/gift-rules"): ANYONE,
    ("DELETE", "/api/gift-rules/{rule_id}"): SUPERVISING,
    ("POST", "/api/stock/receipts"): SUPERVISING,
    ("GET", "/api/stock"): ANYONE,
    ("POST", "/api/stock/moves"): SUPERVISING,
    ("POST", "/api/stock/adjustments"): SUPERVISING,
    ("GET", "/api/stock/bins/{bin_code}"): ANYONE,
    ("GET", "/api/stock/report"): ANYONE,
    ("GET", "/api/stock/ledger"): ANYONE,
    # orders
    ("POST", "/api/orders"): ADMIN,
    ("POST", "/api/orders/import"): ADMIN,
    ("GET", "/api/orders"): ANYONE,
    ("GET", "/api/orders/late"): ANYONE,
    ("POST", "/api/orders/{order_no}/recipient/reveal"): AFTER_SALES,  # the scene decides further
    ("GET", "/api/recipient-reveals"): SUPERVISING,
    ("GET", "/api/orders/{order_no}"): ANYONE,
    ("PATCH", "/api/orders/{order_no}"): SUPERVISING,
    ("POST", "/api/orders/{order_no}/hold"): SUPERVISING,
    ("POST", "/api/orders/{order_no}/release"): SUPERVISING,
    ("POST", "/api/orders/{order_no}/ship-available"): SUPERVISING,
    ("POST", "/api/orders/{order_no}/notes"): ANYONE,
    ("PUT", "/api/orders/{order_no}/lines"): SUPERVISING,
    ("POST", "/api/orders/{order_no}/cancel"): SUPERVISING,
    ("POST", "/api/orders/release"): SUPERVISING,
    # picking
    ("POST", "/api/waves"): SUPERVISING,
    ("GET", "/api/waves"): PACKING,
    ("GET", "/api/waves/{code}"): PACKING,
    ("GET", "/api/waves/{code}/picklists"): PACKING,
    ("GET", "/api/waves/{code}/trips/{trip}/picklist.pdf"): PACKING,
    ("GET", "/api/waves/{code}/trips/{trip}/route.svg"): PACKING,
    ("GET", "/api/waves/{code}/trips/{trip}/route.png"): PACKING,
    ("POST", "/api/waves/{code}/picks"): PACKING,
    ("POST", "/api/waves/{code}/shorts"): PACKING,
    # packing and stations
    ("POST", "/api/pack/sessions"): PACKING,
    ("GET", "/api/pack/sessions/{session_id}"): ANYONE,
    ("POST", "/api/pack/sessions/{session_id}/notes/ack"): PACKING,
    ("POST", "/api/pack/sessions/{session_id}/scans"): PACKING,
    ("POST", "/api/pack/sessions/{session_id}/close-parcel"): PACKING,
    ("POST", "/api/pack/sessions/{session_id}/weighings"): PACKING,
    ("POST", "/api/pack/sessions/{session_id}/override"): SUPERVISING,
    ("POST", "/api/pack/sessions/{session_id}/badge-override"): PACKING,  # the badge must be a supervisor's
    ("POST", "/api/stations/{code}/events"): PACKING,
    ("POST", "/api/stations/{code}/heartbeat"): PACKING,
    ("GET", "/api/stations"): ANYONE,
    ("GET", "/api/stations/{code}"): ANYONE,
    ("PATCH", "/api/stations/{code}"): SUPERVISING,
    ("POST", "/api/stations/{code}/print-jobs/claim"): PACKING,
    ("POST", "/api/print-jobs/{job_id}/result"): PACKING,
    ("GET", "/api/print-jobs"): ANYONE,
    ("POST", "/api/parcels/{tracking_no}/reprint"): PACKING,
    ("POST", "/api/parcels/{tracking_no}/void"): SUPERVISING,
    # parcels, after-sales and returns
    ("GET", "/api/parcels"): AFTER_SALES,
    ("GET", "/api/parcels/{tracking_no}/weighings"): AFTER_SALES,
    ("POST", "/api/parcels/{tracking_no}/delivery"): AFTER_SALES,
    ("GET", "/api/parcels/{tracking_no}/evidence.pdf"): AFTER_SALES,
    ("POST", "/api/parcels/{tracking_no}/reweighings"): ANYONE,
    ("POST", "/api/cases"): AFTER_SALES,
    ("GET", "/api/cases"): AFTER_SALES,
    ("GET", "/api/cases/{code}"): AFTER_SALES,
    ("POST", "/api/cases/{code}/close"): AFTER_SALES,
    ("POST", "/api/cases/{code}/decision"): AFTER_SALES,
    ("POST", "/api/returns/receipts"): AFTER_SALES,
    ("POST", "/api/returns/receipts/{receipt_id}/weigh"): AFTER_SALES,
    ("POST", "/api/returns/receipts/{receipt_id}/inspect"): AFTER_SALES,
    ("POST", "/api/returns/receipts/{receipt_id}/match"): AFTER_SALES,
    # reports
    ("GET", "/api/reports/sku-weights"): SUPERVISING,
    ("GET", "/api/reports/people"): SUPERVISING,
    ("GET", "/api/reports/people.csv"): SUPERVISING,
    ("GET", "/api/reports/returns"): AFTER_SALES,
    ("GET", "/api/reports/misshipments"): AFTER_SALES,
    ("GET", "/api/reports/quality-alerts"): AFTER_SALES,
    ("GET", "/api/reports/lost-parcels"): AFTER_SALES,
    ("GET", "/api/reports/monthly"): AFTER_SALES,
    # carriers, tracking numbers, handovers
    ("GET", "/api/carriers"): ANYONE,
    ("POST", "/api/carriers"): ADMIN,
    ("POST", "/api/carriers/{code}/pools"): ADMIN,
    ("POST", "/api/carriers/{code}/provider"): ADMIN,
    ("POST", "/api/carriers/{code}/check-number"): ANYONE,
    ("GET", "/api/tracking-pools"): ANYONE,
    ("PUT", "/api/carriers/{code}/rates"): ADMIN,
    ("POST", "/api/bills/import"): SUPERVISING,
    ("GET", "/api/bills/{bill_id}"): SUPERVISING,
    ("GET", "/api/bills/{bill_id}/claims.csv"): SUPERVISING,
    ("POST", "/api/handovers"): SUPERVISING,
    ("POST", "/api/handovers/open"): SUPERVISING,
    ("POST", "/api/stations/{code}/flash-scans"): PACKING,
    ("POST", "/api/handovers/{handover_id}/scans"): PACKING,
    ("POST", "/api/handovers/{handover_id}/close"): SUPERVISING,
    ("GET", "/api/handovers"): ANYONE,
    ("GET", "/api/handovers/{handover_id}"): ANYONE,
    ("GET", "/api/handovers/{handover_id}/manifest.csv"): ANYONE,
    ("GET", "/api/handovers/{handover_id}/manifest.pdf"): ANYONE,
    # shop platforms
    ("GET", "/api/platforms"): ANYONE,
    ("POST", "/api/platforms/{name}/pull"): SUPERVISING,
    ("GET", "/api/platforms/alerts"): ANYONE,
    ("POST", "/api/platforms/alerts/{alert_id}/resolve"): SUPERVISING,
    ("GET", "/api/platforms/outbox"): ANYONE,
    ("POST", "/api/platforms/outbox/{upload_id}/retry"): SUPERVISING,
    # sellers' ERPs over 奇门 (their calls in come to POST /qimen: SIGNED below)
    ("POST", "/api/erps"): ADMIN,
    ("GET", "/api/erps"): ADMIN,
    ("GET", "/api/erps/outbox"): SUPERVISING,
    ("GET", "/api/entry-orders"): SUPERVISING,
    ("GET", "/api/entry-orders/{code}"): SUPERVISING,
    ("POST", "/api/entry-orders/{code}/receipts"): SUPERVISING,
    ("POST", "/api/entry-orders/{code}/close"): SUPERVISING,
}

PAGES: dict[tuple[str, str], Roles] = {
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("GET", "/logout"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
    ("GET", "/"): ANYONE,
    ("GET", "/station"): PACKING,
    ("GET", "/station/state"): PACKING,
    ("GET", "/station/label/{tracking_no}.png"): LABEL_VIEWERS,
    ("GET", "/after-sales"): AFTER_SALES,
    ("GET", "/after-sales/parcels/{tracking_no}"): AFTER_SALES,
    ("GET", "/returns"): AFTER_SALES,
    # FastAPI's own: the API's description and its documentation pages
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
}


# Calls that prove who sends them by their own signature, not a token: the 奇门 router URL
# (wms.api.qimen checks the ERP's app key, customer id, timestamp and MD5 signature).
SIGNED: dict[tuple[str, str], str] = {
    ("POST", "/qimen"): "qimen signature",
}


def api_key(method: str, route_path: str) -> tuple[str, str]:
    """The table's key of a matched API route (FastAPI gives its path with or without /api)."""
    if not route_path.startswith(API_PREFIX + "/"):
        route_path = API_PREFIX + route_path
    return ("GET" if method == "HEAD" else method, route_path)


def api_roles(method: str, route_path: str) -> Roles | None:
    """Who may call an API route; None: the route has no rule, and nobody may."""
    return API.get(api_key(method, route_path))


def page_roles(method: str, template: str) -> Roles | None:
    return PAGES.get(("GET" if method == "HEAD" else method, template))
