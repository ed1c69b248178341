"""Use cases: each takes a unit of work and applies the domain's rules. One module per concept:

- master data and stock: `catalog`, `stock` (reservations, the ledger), `stock_ops` (moves,
  counts), `fixtures` (the demo warehouse);
- orders: `orders` (the desk: intake, review, holds, edits, the orders in a parcel),
  `order_import` (order files in the encodings sellers have), `bulk_intake` (many orders in a
  few statements), `ship_clock` (ship-by times);
- picking: `waves` (release, planning trips), `rebin` (better bins for a wave),
  `pick_tasks` (tasks, tote labels, confirming picks), `pick_lists` (lists and walks),
  `short_picks` (a bin holds too little);
- packing: `packing` (the pack station), `stations`, `learning`, `weight_history`;
- labels and shipping: `waybills`, `print_queue`, `print_worker`, `shipping` (carriers, pools),
  `waybill_numbers` (pool or Cainiao e-waybill numbers), `handover`, `parcel_void` (作废/回收);
- platforms: `platform_sync` (orders in), `tracking_upload` (tracking numbers out, 发货回传),
  `platform_scheduler` (both on a timer in `wms serve`);
- after-sales: `cases`, `return_receiving`; people: `auth`, `login_guard`; the board: `overview`.

Imports run one way: no module here imports another that imports it back (checked with grimp
in the closing notes), and none imports inside a function to dodge a circle.
"""
