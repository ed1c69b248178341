"""Use cases: each takes a unit of work, applies the domain's rules and leaves the commit to
the caller (an API route, a page or a CLI command). One module per concept:

- master data and stock: `catalog`, `stock` (reservations, the ledger), `stock_ops`, `fixtures`;
- orders: `orders` (the desk), `order_import`;
- picking: `waves` (release, planning trips), `rebin` (better bins for a wave),
  `pick_tasks` (tasks, tote labels, confirming picks), `pick_lists` (lists and walks),
  `short_picks` (a bin holds too little);
- packing: `packing` (the pack station), `stations`, `learning`, `weight_history`;
- labels and shipping: `waybills`, `print_queue`, `print_worker`, `shipping`, `handover`;
- after-sales: `cases`, `return_receiving`; people: `auth`; the board: `overview`.
"""
