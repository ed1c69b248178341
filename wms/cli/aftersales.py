"""`wms cases` / `wms returns` (being written)."""
