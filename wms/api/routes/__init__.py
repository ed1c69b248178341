"""One router per area: `master`, `orders`, `packing`, `stations`, `picking` (waves, pick
lists, picks, short picks), `cases` (after-sales cases, returns and their reports),
`shipping` (carriers, pools, handover) and `stock_ops`."""
