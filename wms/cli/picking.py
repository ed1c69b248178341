"""`wms waves ...`: pick waves from the shell (being written)."""
