"""Use cases: each takes a unit of work and applies the domain's rules. One package per concept
(each package's docstring lists its modules):

- `stock`: the catalog, stock and its ledger, moves and counts;
- `orders`: the order desk (intake, review, holds, edits), order files, bulk intake, ship-by clocks;
- `picking`: waves, cart trips, pick tasks and lists, short picks;
- `packing`: the pack station, station heartbeats, weight learning, the weight record (底单称重);
- `labels`: waybills, the print queue and the printers' worker;
- `shipping`: carriers, tracking-number pools and e-waybill providers, handover, voiding a parcel;
- `platforms`: shop platforms (orders in, tracking numbers out) and ERPs over 奇门;
- `aftersales`: cases and returns;
- `people`: users, tokens, signing in;
- `board`: the lead's overview;
- `job_queue`: the durable job queue (claims, leases, back-off, a worker thread) the print queue
  and the tracking-upload outbox both stand on;
- `fixtures`: the demo warehouse.

Who commits: whoever opens a unit of work commits it (a route, a command, a worker, a test).
A use case leaves its changes uncommitted, so a caller can make several into one transaction,
except in three cases, each said in the use case's docstring:

1. kept despite the refusal it raises: a record that must outlive the 4xx that follows (a
   rejected or double-read scan, a weighing whose parcel cannot get its number, a failed
   sign-in); such a use case commits on every path;
2. around a remote call: no transaction stays open while a courier, a platform or an ERP
   answers (the e-waybill number, a platform pull, voiding at Cainiao), and what the remote
   side said is committed at once;
3. a worker's or a batch's own steps: a queue's claim and its outcome (print queue,
   tracking-upload outbox) and a batch done a chunk at a time (bulk intake, the demo load)
   commit each step, so another worker sees it and a crash keeps what was done.

Imports run one way: no module here imports another that imports it back, and none imports
inside a function to dodge a circle (`tests/unit/test_import_graph.py`).
"""
