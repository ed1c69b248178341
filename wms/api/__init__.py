"""The JSON API under /api: `router` gathers `routes/*` (one module per area), `deps` says who
is calling with which role, `schemas` holds request bodies, `errors` the error format and
`timing` the Server-Timing header. The unit of work per request comes from `wms.http`; the
pages (`wms.web`) are a sibling, and `wms.app` serves both.
"""
