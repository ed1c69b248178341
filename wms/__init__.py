"""The warehouse pick-pack-ship service, layered from the rules up:

- `wms.domain`: the rules in plain Python (no web, database or device library);
- `wms.services`: the use cases, one module per concept, each taking a unit of work;
- `wms.adapters`: the database (`adapters.db`) and the PDF reports (`adapters.reports`);
- `wms.http`: what the API and the pages both stand on (unit of work per request, login cookie);
- `wms.api` (JSON under /api) and `wms.web` (the pages): siblings, neither imports the other;
- `wms.app`: the FastAPI application serving both; `wms.cli`: the `wms` command;
- `wms.config`: the one settings object.
"""
