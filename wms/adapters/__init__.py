"""Adapters at the edge: `db` (SQLModel tables, engines, migrations, unit of work, prepared
statements) and `reports` (the evidence sheet and handover manifest PDFs). They depend on
`wms.domain`, never the other way round."""
