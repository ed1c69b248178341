"""The rules, plain Python: nothing here imports a web, database or device library.

- orders: life cycle, review, recipient and phone masking (`orders`);
- the warehouse and walking it: `layout`, `routing` (the planner) over `routing_network`,
  `routing_heuristics`, `routing_exact`, `routing_held_karp`, `routing_local`;
- picking: `batching` (orders into cart trips), `bin_choice` (which bins to pick from);
- packing: `codes` (what a scan is), `packing` (scan-to-verify), `packaging` (box or bag),
  `weighing` (expected weight, tolerance, suspects), `weight_learning`;
- shipping and after-sales: `carriers`, `return_policy`; `errors` for every refusal.
"""
