"""Master data and stock.

- `catalog`: SKUs and their barcodes, a scanned code resolved to a SKU;
- `ledger`: stock per bin, reservations that never oversell, picks, the ledger every change writes;
- `moves`: moves between bins, cycle counts, the low-stock report (all through `ledger.move`).
"""
