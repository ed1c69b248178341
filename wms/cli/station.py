"""`wms station ...` (being written)."""
